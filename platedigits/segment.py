"""From a whole plate to character boxes, left to right.

A first, simple segmenter: binarize the plate with the same polarity rule as single characters,
take connected components whose height is that of a character, and order them by x.
"""

from __future__ import annotations

import numpy as np

from platedigits._cv import cv2
from platedigits.preprocess import binarize, to_gray

Box = tuple[int, int, int, int]
"""A character's box in the plate image: ``(x, y, width, height)`` in pixels."""


def find_character_boxes(binary: np.ndarray) -> list[Box]:
    """Find the boxes of the characters in a binarized plate.

    Parameters
    ----------
    binary : numpy.ndarray
        ``(H, W)`` ``uint8``, characters 255 on 0.

    Returns
    -------
    list of tuple of int
        ``(x, y, w, h)`` boxes ordered left to right; empty when nothing looks like a character.
    """
    h = binary.shape[0]
    _, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    boxes: list[Box] = []
    for x, y, bw, bh, area in stats[1:]:
        if bh < 0.35 * h or bh > 0.98 * h or bw > 1.2 * bh or area < 0.1 * bw * bh:
            continue
        boxes.append((int(x), int(y), int(bw), int(bh)))
    if not boxes:
        return []
    # Characters on one plate share a height; a stray tall blob (a bolt, a frame corner) does not.
    median_h = float(np.median([b[3] for b in boxes]))
    boxes = [b for b in boxes if 0.6 * median_h <= b[3] <= 1.4 * median_h]
    return sorted(boxes, key=lambda b: b[0])


def segment_plate(image: np.ndarray, *, method: str = "otsu") -> tuple[np.ndarray, list[Box]]:
    """Binarize a plate image and find its character boxes.

    Parameters
    ----------
    image : numpy.ndarray
        Any decoded image.
    method : str, keyword-only
        Binarization method.

    Returns
    -------
    binary : numpy.ndarray
        ``(H, W)`` ``uint8``, characters white.
    boxes : list of tuple of int
        As :func:`find_character_boxes`.
    """
    binary = binarize(to_gray(image), method=method)
    return binary, find_character_boxes(binary)


def looks_like_plate(image: np.ndarray) -> bool:
    """Guess whether an image shows a whole plate rather than one character.

    A plate is much wider than tall and holds several character-sized blobs.
    """
    h, w = image.shape[:2]
    if w < 1.5 * h:
        return False
    _, boxes = segment_plate(image)
    return len(boxes) >= 2
