"""The batched preprocessing gives the reference path's characters, image for image."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import FONTS, PLATE_COLOURS, draw_digit

from platedigits.features import FeatureConfig, features_batch, image_features
from platedigits.preprocess import (
    _binarize_otsu_stack,
    binarize,
    prepare_character,
    prepare_characters,
)

TOLERANCE = 1e-5


def reference(images: list[np.ndarray], **options: object) -> np.ndarray:
    return np.stack([prepare_character(image, **options) for image in images])  # type: ignore[arg-type]


def drawn_digits(size: tuple[int, int] = (48, 32)) -> list[np.ndarray]:
    return [
        draw_digit(digit, colours=colours, font=font, thickness=thickness, size=size)
        for digit in "0123456789"
        for colours in PLATE_COLOURS
        for font in FONTS
        for thickness in (2, 4)
    ]


def cluttered(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """Binary-ish crops with specks, frame lines, a neighbour's edge and broken strokes: every
    rule of crop_character, including the cases the batched path hands to the reference."""
    images = []
    for _ in range(n):
        image = np.zeros((20, 20), np.uint8)
        x, w = int(rng.integers(2, 8)), int(rng.integers(3, 9))
        image[3:17, x : x + w] = 255
        if rng.random() < 0.5:  # broken top (a 5), above the stroke
            image[1:3, x : x + int(rng.integers(1, w + 3))] = 255
        if rng.random() < 0.3:
            image[0, :] = 255  # frame line along the top
        if rng.random() < 0.3:
            image[:, 19] = 255  # frame line at the edge
        for _ in range(int(rng.integers(0, 4))):  # specks and bits of neighbours
            sy, sx = int(rng.integers(0, 19)), int(rng.integers(0, 19))
            image[sy : sy + int(rng.integers(1, 4)), sx : sx + int(rng.integers(1, 3))] = 255
        if rng.random() < 0.5:
            image = 255 - image  # dark character on a light plate
        images.append(image)
    return images


def test_drawn_digits_match_the_reference() -> None:
    images = drawn_digits()
    np.testing.assert_allclose(prepare_characters(images), reference(images), atol=TOLERANCE)


def test_stack_size_changes_nothing_bit_for_bit() -> None:
    """Batch workers use larger stacks than the default; the characters must be the same."""
    rng = np.random.default_rng(4)
    images = cluttered(rng, 300) + drawn_digits((20, 20))
    default = prepare_characters(images)
    for stack_pixels in (1, 20 * 20 * 7, 1 << 18, 1 << 30):
        stacked = prepare_characters(images, stack_pixels=stack_pixels)
        np.testing.assert_array_equal(stacked, default)


def test_clutter_specks_frames_and_broken_parts_match() -> None:
    images = cluttered(np.random.default_rng(1), 400)
    np.testing.assert_allclose(prepare_characters(images), reference(images), atol=TOLERANCE)


def test_noisy_grey_crops_and_other_sizes_match() -> None:
    rng = np.random.default_rng(2)
    base = cluttered(rng, 200)
    noisy = [
        np.clip(image * rng.uniform(0.3, 0.9) + rng.normal(0, 30, image.shape), 0, 255).astype(
            np.uint8
        )
        for image in base
    ]
    tall = [cv2.resize(image, (13, 41), interpolation=cv2.INTER_AREA) for image in noisy]
    for images in (noisy, tall):
        np.testing.assert_allclose(prepare_characters(images), reference(images), atol=TOLERANCE)


def test_mixed_shapes_dtypes_and_channels_keep_their_order() -> None:
    rng = np.random.default_rng(3)
    digits = drawn_digits()[:40]
    images: list[np.ndarray] = []
    for i, image in enumerate(digits):
        kind = i % 5
        if kind == 1:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        elif kind == 2:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
        elif kind == 3:
            image = image.astype(np.uint16) * 257
        elif kind == 4:
            image = image[:, :, :1]
        images.append(image)
    images.insert(7, np.zeros((30, 30), np.uint8))  # flat: no character
    images.insert(20, rng.integers(0, 256, (9, 5), dtype=np.uint8))  # a shape of its own
    images += [np.full((48, 32), 200, np.uint8)] * 10  # a stack of flat images
    np.testing.assert_allclose(prepare_characters(images), reference(images), atol=TOLERANCE)


@pytest.mark.parametrize("method", ["adaptive", "sauvola"])
def test_local_binarization_matches(method: str) -> None:
    images = drawn_digits()[::6]
    np.testing.assert_allclose(
        prepare_characters(images, method=method),
        reference(images, method=method),
        atol=TOLERANCE,
    )


def test_other_character_sizes_match() -> None:
    images = cluttered(np.random.default_rng(4), 60)
    np.testing.assert_allclose(
        prepare_characters(images, height=30, width=20),
        reference(images, height=30, width=20),
        atol=TOLERANCE,
    )


def test_otsu_stack_equals_opencv_including_near_ties() -> None:
    rng = np.random.default_rng(5)
    gray = rng.integers(0, 256, (300, 12, 10), dtype=np.uint8)
    # Two-level and three-level images: many thresholds give exactly the same variance.
    gray[:100] = np.where(rng.random((100, 12, 10)) < 0.5, 40, 200).astype(np.uint8)
    gray[100:150] = rng.choice(np.array([0, 128, 255], np.uint8), (50, 12, 10))
    gray[150:160] = 77  # flat
    # Symmetric three-level images: two thresholds tie exactly, and OpenCV's running sums
    # decide which one wins by rounding.
    for i in range(160, 220):
        low, step = int(rng.integers(0, 60)), int(rng.integers(1, 90))
        levels = np.repeat(np.array([low, low + step, low + 2 * step], np.uint8), 40)
        gray[i] = rng.permutation(levels).reshape(12, 10)
    binary = _binarize_otsu_stack(gray)
    expected = np.stack([binarize(image) > 0 for image in gray])
    np.testing.assert_array_equal(binary, expected)


def test_empty_and_bad_inputs() -> None:
    assert prepare_characters([]).shape == (0, 25, 15)
    with pytest.raises(ValueError, match="method"):
        prepare_characters([np.zeros((5, 5), np.uint8)], method="magic")
    with pytest.raises(ValueError, match="image"):
        prepare_characters([np.zeros((5, 5, 2), np.uint8)] * 10)


def test_features_batch_uses_the_batched_path_with_the_same_result() -> None:
    images = drawn_digits()
    config = FeatureConfig()
    expected = np.stack([image_features(image, config=config) for image in images])
    np.testing.assert_allclose(features_batch(images, config=config), expected, atol=TOLERANCE)


def test_real_crops_match_the_reference(real_data: Path) -> None:
    paths = sorted((real_data / "digits-cn").glob("*/*.png"))
    images = [cv2.imread(str(path), cv2.IMREAD_UNCHANGED) for path in paths]
    fast = np.concatenate(
        [prepare_characters(images[i : i + 512]) for i in range(0, len(images), 512)]
    )
    np.testing.assert_allclose(fast, reference(images), atol=TOLERANCE)
