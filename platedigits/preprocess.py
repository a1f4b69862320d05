"""From a decoded image to a normalised character: grey, binary (character white), crop, resize.

Every function here is pure: it takes an array and returns a new one. The steps in order:

``to_gray`` -> ``binarize`` (polarity decided from the image) -> ``crop_character`` ->
``normalize_character``. :func:`prepare_character` chains them.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from platedigits._cv import cv2

BinarizeMethod = Literal["otsu", "sauvola", "adaptive"]
BINARIZE_METHODS: tuple[str, ...] = ("otsu", "sauvola", "adaptive")


def to_gray(image: np.ndarray) -> np.ndarray:
    """Convert any decoded image to 8-bit greyscale.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` BGR or ``(H, W, 4)`` BGRA; dtype ``uint8``,
        ``uint16``, ``bool`` or floating point.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` ``uint8``. Deeper images are stretched to their own range, since only the
        contrast between character and plate matters. Transparent pixels are laid on a
        background that contrasts with the opaque ones, so a character drawn on a transparent
        sheet stays visible whatever its colour.

    Raises
    ------
    ValueError
        The array is empty or not an image shape.

    Examples
    --------
    >>> to_gray(np.full((2, 3, 3), 255, np.uint8)).shape
    (2, 3)
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if (
        image.ndim not in (2, 3)
        or image.size == 0
        or (image.ndim == 3 and image.shape[2] not in (3, 4))
    ):
        raise ValueError(
            f"expected an (H, W), (H, W, 3) or (H, W, 4) image, got shape {image.shape}"
        )
    image = _to_uint8(image)
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return _composite_alpha(image)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _to_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    values = image.astype(np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(image.shape, np.uint8)
    # Stretch per image: a 12-bit sensor's values in a 16-bit file would turn almost black if
    # simply shifted down, and binarization needs contrast, not absolute levels.
    low, high = float(values[finite].min()), float(values[finite].max())
    if high <= low:
        return np.zeros(image.shape, np.uint8)
    values = np.where(finite, values, low)
    return np.round((values - low) * (255.0 / (high - low))).astype(np.uint8)


def _composite_alpha(bgra: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(bgra[:, :, :3], cv2.COLOR_BGR2GRAY).astype(np.float32)
    alpha = bgra[:, :, 3].astype(np.float32) / 255.0
    opaque = alpha > 0.5
    if not opaque.any() or opaque.all():
        return gray.astype(np.uint8)
    background = 0.0 if gray[opaque].mean() > 127 else 255.0
    return np.round(gray * alpha + background * (1.0 - alpha)).astype(np.uint8)


def binarize(gray: np.ndarray, *, method: str = "otsu", window: int | None = None) -> np.ndarray:
    """Threshold a grey image so that the character is white (255) on black (0).

    Parameters
    ----------
    gray : numpy.ndarray
        ``(H, W)`` ``uint8``.
    method : {"otsu", "sauvola", "adaptive"}, keyword-only
        ``otsu``: one global threshold, best for evenly lit crops. ``sauvola`` (scikit-image) and
        ``adaptive`` (OpenCV's Gaussian-weighted local mean): a threshold per neighbourhood,
        for shadows and uneven light across the crop.
    window : int, optional, keyword-only
        Neighbourhood size in pixels for the local methods (odd); by default about half the
        shorter side of the image.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` ``uint8`` with values 0 and 255. Which side of the threshold is the character
        is decided by :func:`character_is_dark`, so blue plates with white text and yellow or
        white plates with dark text both come out white on black.

    Raises
    ------
    ValueError
        Unknown method, or not a 2-D ``uint8`` array.

    Examples
    --------
    >>> plate = np.full((20, 12), 200, np.uint8); plate[4:16, 5:7] = 30   # dark "1" on light
    >>> binary = binarize(plate)
    >>> int(binary[10, 6]), int(binary[0, 0])
    (255, 0)
    """
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"binarize expects a 2-D uint8 array, got {gray.dtype} {gray.shape}")
    if method not in BINARIZE_METHODS:
        raise ValueError(f"unknown binarization method {method!r}; choose from {BINARIZE_METHODS}")
    if int(gray.max()) == int(gray.min()):
        # A flat image has no character in it; Otsu would otherwise split nothing at random.
        return np.zeros_like(gray)
    if method == "otsu":
        _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    else:
        size = window if window is not None else max(3, (min(gray.shape) // 2) | 1)
        size = max(3, size | 1)
        if method == "adaptive":
            bright = cv2.adaptiveThreshold(
                gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, size, 0
            )
        else:
            from skimage.filters import threshold_sauvola  # heavy import, only when asked for

            bright = np.where(gray > threshold_sauvola(gray, window_size=size), 255, 0).astype(
                np.uint8
            )
    return cv2.bitwise_not(bright) if character_is_dark(bright) else bright


def character_is_dark(bright: np.ndarray) -> bool:
    """Decide from a thresholded image whether the character is its dark side.

    Parameters
    ----------
    bright : numpy.ndarray
        ``(H, W)`` ``uint8``, 255 where the image is brighter than the threshold.

    Returns
    -------
    bool
        True when the character is dark on a light plate (so the binary must be inverted).

    Notes
    -----
    The plate shows at the crop's border more than the character does, so the side that fills
    most of the outer frame (a band of about a tenth of each side) is the background. When the
    frame is split evenly (a tight crop), the character is taken to be the side that covers
    less of the image, since strokes rarely fill half of a character's box.
    """
    h, w = bright.shape
    band_y, band_x = max(1, h // 10), max(1, w // 10)
    frame = np.concatenate(
        [
            bright[:band_y].ravel(),
            bright[h - band_y :].ravel(),
            bright[:, :band_x].ravel(),
            bright[:, w - band_x :].ravel(),
        ]
    )
    frame_bright = float(np.count_nonzero(frame)) / frame.size
    if frame_bright > 0.6:
        return True
    if frame_bright < 0.4:
        return False
    return float(np.count_nonzero(bright)) / bright.size > 0.5


def crop_character(binary: np.ndarray, *, min_area_fraction: float = 0.05) -> np.ndarray:
    """Cut the character out of a binary crop, leaving specks, frame bits and neighbours behind.

    Parameters
    ----------
    binary : numpy.ndarray
        ``(H, W)`` ``uint8``, character 255 on 0.
    min_area_fraction : float, keyword-only
        Parts smaller than this share of the main part's area count as specks and are dropped.

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` ``uint8``: the bounding box of the character's parts, with everything not
        belonging to them set to 0. ``(0, 0)`` when there is no character.

    Notes
    -----
    The main part is the largest connected component, favouring those near the centre and
    penalising lines that run along a whole edge (plate frame). Other parts join it when they
    overlap it horizontally (the broken top of a 5, the dot in a dotted 0) and are not specks.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        return np.zeros((0, 0), np.uint8)
    h, w = binary.shape
    x, _, cw, ch, area = (stats[1:, i].astype(np.float64) for i in range(5))
    centre_offset = np.abs((x + cw / 2) - w / 2) / (w / 2)
    frame_like = ((cw >= 0.9 * w) & (ch <= 0.2 * h)) | (
        (ch >= 0.9 * h) & (cw <= 0.1 * w) & ((x == 0) | (x + cw >= w)) & (count > 2)
    )
    score = area * (1.0 - 0.5 * centre_offset) * np.where(frame_like, 0.1, 1.0)
    main = int(np.argmax(score))
    left, right = x[main], x[main] + cw[main]
    keep = [main]
    for i in np.argsort(-area):
        if i == main or frame_like[i] or area[i] < min_area_fraction * area[main]:
            continue
        overlap = min(right, x[i] + cw[i]) - max(left, x[i])
        if overlap >= 0.5 * cw[i]:
            keep.append(int(i))
            left, right = min(left, x[i]), max(right, x[i] + cw[i])
    kept = np.isin(labels, np.asarray(keep) + 1)
    rows = np.flatnonzero(kept.any(axis=1))
    cols = np.flatnonzero(kept.any(axis=0))
    box = kept[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return np.where(box, 255, 0).astype(np.uint8)


def normalize_character(cropped: np.ndarray, *, height: int = 25, width: int = 15) -> np.ndarray:
    """Scale a cropped character into a ``height x width`` box, keeping its aspect ratio.

    Parameters
    ----------
    cropped : numpy.ndarray
        ``(h, w)`` ``uint8`` binary character (255 = stroke), tightly cropped. May be empty.
    height, width : int, keyword-only
        The box.

    Returns
    -------
    numpy.ndarray
        ``(height, width)`` ``float32`` in [0, 1]: the share of each box pixel covered by the
        character. The character touches the box on its limiting side and is centred on the
        other, so a narrow "1" stays narrow instead of being stretched into a block.

    Examples
    --------
    >>> one = np.full((20, 4), 255, np.uint8)
    >>> box = normalize_character(one)
    >>> box.shape, float(box[:, 0].max()), float(box[:, 7].min())
    ((25, 15), 0.0, 1.0)
    """
    out = np.zeros((height, width), np.float32)
    if cropped.size == 0:
        return out
    h, w = cropped.shape
    scale = min(height / h, width / w)
    new_h = min(height, max(1, round(h * scale)))
    new_w = min(width, max(1, round(w * scale)))
    shrinking = new_h < h or new_w < w
    resized = cv2.resize(
        cropped.astype(np.float32) * (1.0 / 255.0),
        (new_w, new_h),
        interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR,
    )
    top, left = (height - new_h) // 2, (width - new_w) // 2
    out[top : top + new_h, left : left + new_w] = np.clip(resized, 0.0, 1.0)
    return out


def prepare_character(
    image: np.ndarray, *, height: int = 25, width: int = 15, method: str = "otsu"
) -> np.ndarray:
    """Run every step from a decoded character image to the normalised ``height x width`` box.

    Parameters
    ----------
    image : numpy.ndarray
        Any image :func:`to_gray` accepts.
    height, width : int, keyword-only
        Size of the normalised character.
    method : str, keyword-only
        Binarization method, see :func:`binarize`.

    Returns
    -------
    numpy.ndarray
        ``(height, width)`` ``float32`` in [0, 1], all zeros when the image holds no character.
    """
    binary = binarize(to_gray(image), method=method)
    return normalize_character(crop_character(binary), height=height, width=width)
