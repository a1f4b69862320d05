from __future__ import annotations

import numpy as np
import pytest
from conftest import PLATE_COLOURS, draw_digit

from platedigits.preprocess import (
    binarize,
    character_is_dark,
    crop_character,
    normalize_character,
    prepare_character,
    to_gray,
)


def test_to_gray_shapes_and_dtypes() -> None:
    assert to_gray(np.zeros((4, 5, 3), np.uint8)).shape == (4, 5)
    assert to_gray(np.zeros((4, 5, 1), np.uint8)).shape == (4, 5)
    assert to_gray(np.zeros((4, 5), bool)).dtype == np.uint8
    with pytest.raises(ValueError):
        to_gray(np.zeros((4, 5, 2), np.uint8))
    with pytest.raises(ValueError):
        to_gray(np.zeros((0, 5), np.uint8))


def test_to_gray_stretches_deep_images_to_their_own_range() -> None:
    # 12-bit data in a 16-bit container: shifting right by 8 would leave it almost black.
    deep = np.array([[0, 4095]], np.uint16)
    np.testing.assert_array_equal(to_gray(deep), [[0, 255]])
    floats = np.array([[0.25, 0.75, np.nan]], np.float32)
    assert to_gray(floats).tolist() == [[0, 255, 0]]


@pytest.mark.parametrize("text_value", [0, 255])
def test_alpha_keeps_text_visible_whatever_its_colour(text_value: int) -> None:
    bgra = np.zeros((10, 10, 4), np.uint8)
    bgra[2:8, 4:6, :3] = text_value
    bgra[2:8, 4:6, 3] = 255  # the rest is fully transparent
    gray = to_gray(bgra)
    inside, outside = int(gray[5, 5]), int(gray[0, 0])
    assert abs(inside - outside) > 200


@pytest.mark.parametrize("colours", list(PLATE_COLOURS))
def test_character_comes_out_white_on_every_plate(colours: str) -> None:
    image = draw_digit("7", colours=colours)
    for method in ("otsu", "sauvola", "adaptive"):
        binary = binarize(to_gray(image), method=method)
        assert set(np.unique(binary)) <= {0, 255}
        # The border is plate, the stroke of the 7's bar is character.
        assert binary[0, :].mean() < 30 and binary[:, 0].mean() < 30, (colours, method)
        assert binary.mean() < 128, (colours, method)


def test_polarity_of_tight_crop_falls_back_to_the_smaller_side() -> None:
    # Left half bright, right half dark: the frame is split evenly, and the bright side covers
    # less than half, so it is the character.
    bright = np.zeros((10, 10), np.uint8)
    bright[:, :4] = 255
    assert not character_is_dark(bright)
    assert character_is_dark(255 - bright)


def test_flat_image_has_no_character() -> None:
    assert not binarize(np.full((9, 9), 77, np.uint8)).any()
    assert not prepare_character(np.full((9, 9, 3), 255, np.uint8)).any()


def test_crop_drops_specks_frame_and_neighbours() -> None:
    binary = np.zeros((40, 30), np.uint8)
    binary[8:32, 12:18] = 255  # the character
    binary[2, 2] = 255  # a speck
    binary[38:40, :] = 255  # the plate frame along the bottom edge
    binary[10:30, 0:2] = 255  # a sliver of the neighbour at the left edge
    cropped = crop_character(binary)
    assert cropped.shape == (24, 6)
    assert cropped.min() == 255


def test_crop_keeps_broken_parts_of_one_character() -> None:
    binary = np.zeros((40, 30), np.uint8)
    binary[5:8, 10:20] = 255  # the top bar of a 5, broken off
    binary[10:35, 10:20] = 255
    assert crop_character(binary).shape == (30, 10)


def test_crop_of_nothing_is_empty() -> None:
    assert crop_character(np.zeros((5, 5), np.uint8)).shape == (0, 0)


def test_normalize_keeps_aspect_ratio() -> None:
    one = np.full((50, 10), 255, np.uint8)  # narrow: limited by height
    box = normalize_character(one)
    assert box.shape == (25, 15)
    columns = np.flatnonzero(box.max(axis=0) > 0)
    assert len(columns) == 5 and columns[0] == 5  # centred, 5 wide, not stretched to 15
    dash = np.full((4, 40), 255, np.uint8)  # wide: limited by width
    rows = np.flatnonzero(normalize_character(dash).max(axis=1) > 0)
    assert 1 <= len(rows) <= 2 and abs(rows.mean() - 12) <= 1


def test_normalize_output_range_and_small_inputs() -> None:
    tiny = np.array([[255, 0], [255, 255]], np.uint8)
    box = normalize_character(tiny, height=10, width=6)
    assert box.shape == (10, 6) and box.min() >= 0 and box.max() <= 1
    assert normalize_character(np.zeros((0, 0), np.uint8)).sum() == 0
