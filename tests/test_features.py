from __future__ import annotations

import numpy as np
import pytest
from conftest import draw_digit

from platedigits.features import (
    FeatureConfig,
    features_batch,
    image_features,
    window_ratios,
    window_ratios_batch,
)


def test_known_window_ratios() -> None:
    character = np.zeros((25, 15), np.float32)
    character[0:5, 0:3] = 1.0  # fills window (0, 0)
    character[5:10, 3] = 1.0  # one of three columns of window (1, 1)
    character[24, 12:15] = 1.0  # one of five rows of window (4, 4)
    features = window_ratios(character)
    expected = np.zeros(25, np.float32)
    expected[0] = 1.0
    expected[6] = 1 / 3
    expected[24] = 1 / 5
    np.testing.assert_allclose(features, expected, rtol=1e-6)


def test_grid_is_read_row_by_row() -> None:
    character = np.zeros((25, 15), np.float32)
    character[:, 6:9] = 1.0  # a vertical bar filling the middle column of windows
    grid = window_ratios(character).reshape(5, 5)
    np.testing.assert_array_equal(grid[:, 2], np.ones(5))
    assert grid[:, [0, 1, 3, 4]].sum() == 0


def test_uint8_characters_are_scaled() -> None:
    character = np.zeros((25, 15), np.uint8)
    character[:5, :3] = 255
    assert window_ratios(character)[0] == pytest.approx(1.0)


def test_batch_matches_single() -> None:
    rng = np.random.default_rng(3)
    characters = rng.random((7, 25, 15)).astype(np.float32)
    batch = window_ratios_batch(characters)
    for i in range(7):
        np.testing.assert_allclose(batch[i], window_ratios(characters[i]), rtol=1e-6)


def test_other_grids() -> None:
    config = FeatureConfig(height=30, width=20, window_height=5, window_width=4)
    assert config.grid_shape == (6, 5) and config.n_features == 30
    character = np.ones((30, 20), np.float32)
    np.testing.assert_array_equal(window_ratios(character, config=config), np.ones(30))
    with pytest.raises(ValueError, match="shape"):
        window_ratios(np.ones((25, 15)), config=config)


@pytest.mark.parametrize(
    "settings",
    [
        {"height": 25, "width": 15, "window_height": 4, "window_width": 3},  # does not tile
        {"height": 0},
        {"window_width": -3},
        {"binarize": "magic"},
    ],
)
def test_config_validation(settings: dict) -> None:
    with pytest.raises(ValueError):
        FeatureConfig(**settings)


def test_config_round_trip() -> None:
    config = FeatureConfig(height=20, width=10, window_height=4, window_width=2, binarize="sauvola")
    assert FeatureConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown"):
        FeatureConfig.from_dict({**config.to_dict(), "colour": "red"})


def test_image_features_of_drawn_digits() -> None:
    one = image_features(draw_digit("1", colours="yellow"))
    eight = image_features(draw_digit("8", colours="blue"))
    assert one.shape == (25,) and one.dtype == np.float32
    assert one.min() >= 0 and one.max() <= 1
    assert one.sum() < eight.sum()  # a 1 has less ink than an 8
    # The same digit on different plates gives nearly the same features.
    eight_on_white = image_features(draw_digit("8", colours="white"))
    assert np.abs(eight - eight_on_white).mean() < 0.05
    batch = features_batch([draw_digit("1", colours="yellow"), draw_digit("8", colours="blue")])
    np.testing.assert_allclose(batch, np.stack([one, eight]), rtol=1e-6)
    assert features_batch([]).shape == (0, 25)
