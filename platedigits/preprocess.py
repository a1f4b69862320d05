"""From a decoded image to a normalised character: grey, binary (character white), crop, resize.

Every function here is pure: it takes an array and returns a new one. The steps in order:

``to_gray`` -> ``binarize`` (polarity decided from the image) -> ``crop_character`` ->
``normalize_character``. :func:`prepare_character` chains them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Literal

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
    if not np.isfinite(high - low):  # e.g. -1e308 .. 1e308: halve everything, order is kept
        values, low, high = values / 2, low / 2, high / 2
    # Divide before scaling: 255 / (a subnormal range) would overflow to inf.
    return np.round((values - low) / (high - low) * 255.0).astype(np.uint8)


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
    if binary.size == 0:
        # OpenCV 5's connectedComponentsWithStats crashes the process on an empty array.
        return np.zeros((0, 0), np.uint8)
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
    # A lookup table per label: np.isin costs ten times more on a crop this small.
    is_kept = np.zeros(count, bool)
    is_kept[np.asarray(keep) + 1] = True
    kept = is_kept[labels]
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


# -- the batched path ---------------------------------------------------------------------------
#
# Reading a folder of small crops one image at a time spends most of its time in Python glue
# around OpenCV calls that each take a microsecond. The functions below do the same steps for a
# whole stack of equally sized images with a handful of NumPy passes: Otsu from per-image
# histograms, polarity from the frame counts, one connected-components pass over a mosaic of the
# stack, and the resize as two small matrix products per image. Wherever the vectorised rules
# could decide differently from the reference functions above (a near-tie between two Otsu
# thresholds or two main parts, several candidate parts whose joining order matters), that image
# goes through the reference functions instead, so both paths agree.

#: Stacks smaller than this are not worth the batched set-up; they take the reference path.
_MIN_STACK = 8

#: Images with more pixels than this take the reference path: a character crop is far smaller,
#: and stacking big images would only multiply memory. Callers that collect decoded images for
#: this function (batch, Model.read_many, training) read bigger ones one by one.
STACK_MAX_PIXELS = 1 << 16

#: Pixels processed in one stack by default: every pass walks the whole stack several times, and
#: a stack that fits the CPU's cache (128 crops of 20x20 at a time) read a quarter faster than
#: 512, whose larger buffers glibc hands back to the system and faults in again for every stack.
#: A process that keeps its freed memory (batch's workers) does better with larger stacks, over
#: which the fixed cost of each stack is spread: see ``stack_pixels``.
_STACK_PIXELS = 1 << 17
_SUB_STACK = 128

_FLT_EPSILON = float(np.finfo(np.float32).eps)


def prepare_characters(
    images: Sequence[np.ndarray],
    *,
    height: int = 25,
    width: int = 15,
    method: str = "otsu",
    stack_pixels: int | None = None,
) -> np.ndarray:
    """Run :func:`prepare_character` on many decoded images at once.

    Parameters
    ----------
    images : sequence of numpy.ndarray
        Decoded images, each anything :func:`to_gray` accepts. Images of one shape and dtype
        are processed together, so a folder of equally sized crops is fastest.
    height, width : int, keyword-only
        Size of the normalised characters.
    method : str, keyword-only
        Binarization method, see :func:`binarize`.
    stack_pixels : int, optional, keyword-only
        Pixels of input processed as one stack. By default 2**17 and at most 128 images, best
        with the C library's default memory settings; larger is faster in a process that keeps
        freed memory (see :mod:`platedigits.batch`). Speed only: the result is the same bit
        for bit whatever the stacks.

    Returns
    -------
    numpy.ndarray
        ``(n, height, width)`` ``float32`` in [0, 1]; row ``i`` equals
        ``prepare_character(images[i], ...)`` up to float rounding (within 1e-5).

    Raises
    ------
    ValueError
        An image is not an image shape, or the method is unknown.

    Examples
    --------
    >>> crops = [np.full((20, 12), 200, np.uint8) for _ in range(3)]
    >>> for crop in crops:
    ...     crop[4:16, 5:7] = 30
    >>> prepare_characters(crops).shape
    (3, 25, 15)
    """
    if method not in BINARIZE_METHODS:
        raise ValueError(f"unknown binarization method {method!r}; choose from {BINARIZE_METHODS}")
    arrays = [np.asarray(image) for image in images]
    groups: dict[tuple[tuple[int, ...], np.dtype[Any]], list[int]] = {}
    for i, array in enumerate(arrays):
        groups.setdefault((array.shape, array.dtype), []).append(i)
    out = np.zeros((len(arrays), height, width), np.float32)
    for (shape, _), members in groups.items():
        if len(members) < _MIN_STACK or not _stackable(shape):
            for i in members:
                out[i] = prepare_character(arrays[i], height=height, width=width, method=method)
            continue
        pixels = shape[0] * shape[1]
        if stack_pixels is None:
            size = max(1, min(_SUB_STACK, _STACK_PIXELS // pixels))
        else:
            size = max(1, stack_pixels // pixels)
        for start in range(0, len(members), size):
            part = members[start : start + size]
            stack = np.stack([arrays[i] for i in part])
            out[part] = _prepare_stack(stack, height=height, width=width, method=method)
    return out


def _prepare_stack(stack: np.ndarray, *, height: int, width: int, method: str) -> np.ndarray:
    """``(k, H, W[, C])`` decoded images of one shape -> ``(k, height, width)`` float32."""
    if method == "otsu":
        binary = _binarize_otsu_stack(_gray_stack(stack))
    else:
        binary = np.stack([binarize(to_gray(image), method=method) > 0 for image in stack])
    return _crop_and_normalize_stack(binary, height=height, width=width)


def _stackable(shape: tuple[int, ...]) -> bool:
    if len(shape) not in (2, 3) or not 0 < shape[0] * shape[1] <= STACK_MAX_PIXELS:
        return False
    return len(shape) == 2 or shape[2] in (1, 3, 4)


def _gray_stack(stack: np.ndarray) -> np.ndarray:
    """``(k, H, W[, C])`` decoded images -> ``(k, H, W)`` ``uint8``, as :func:`to_gray` each."""
    if stack.ndim == 4 and stack.shape[3] == 1:
        stack = stack[..., 0]
    if stack.dtype == np.uint8 and stack.ndim == 3:
        return stack
    if stack.dtype == np.uint8 and stack.shape[3] == 3:
        # A colour conversion is per pixel, so the stack can be converted as one tall image.
        k, h, w, _ = stack.shape
        tall = cv2.cvtColor(np.ascontiguousarray(stack).reshape(k * h, w, 3), cv2.COLOR_BGR2GRAY)
        return tall.reshape(k, h, w)
    return np.stack([to_gray(image) for image in stack])


def _binarize_otsu_stack(gray: np.ndarray) -> np.ndarray:
    """``(k, H, W)`` ``uint8`` -> ``(k, H, W)`` bool, character True: :func:`binarize` each."""
    k, h, w = gray.shape
    flat = gray.reshape(k, h * w)
    is_flat = flat.min(axis=1) == flat.max(axis=1)
    # OpenCV's Otsu on one small image costs about as much as the Python call around it, less
    # than any NumPy formulation over the stack measured (histograms by bincount, cumulative
    # sums per image: about twice the time), and it is the reference by definition.
    bright = np.empty((k, h, w), np.uint8)
    for i in range(k):
        cv2.threshold(gray[i], 0, 1, cv2.THRESH_BINARY | cv2.THRESH_OTSU, dst=bright[i])
    bright_bool = bright.view(np.bool_)
    dark = _character_is_dark_stack(bright_bool)
    binary = bright_bool ^ dark[:, None, None]
    binary[is_flat] = False
    return binary


def _character_is_dark_stack(bright: np.ndarray) -> np.ndarray:
    """:func:`character_is_dark` for a ``(k, H, W)`` bool stack; ``(k,)`` bool."""
    k, h, w = bright.shape
    band_y, band_x = max(1, h // 10), max(1, w // 10)
    # The reference concatenates the four bands, so corner pixels count twice there too.
    counted = (
        np.count_nonzero(bright[:, :band_y], axis=(1, 2))
        + np.count_nonzero(bright[:, h - band_y :], axis=(1, 2))
        + np.count_nonzero(bright[:, :, :band_x], axis=(1, 2))
        + np.count_nonzero(bright[:, :, w - band_x :], axis=(1, 2))
    )
    frame_bright = counted / float(2 * band_y * w + 2 * band_x * h)
    whole = np.count_nonzero(bright.reshape(k, -1), axis=1) / float(h * w)
    return np.where(frame_bright > 0.6, True, np.where(frame_bright < 0.4, False, whole > 0.5))


def _crop_and_normalize_stack(binary: np.ndarray, *, height: int, width: int) -> np.ndarray:
    """:func:`crop_character` then :func:`normalize_character` for a ``(k, H, W)`` bool stack."""
    k, h, w = binary.shape
    # Label all images in one pass: stack them into one tall image with empty rows between
    # (an even stride keeps OpenCV's 2x2 block scan aligned as it is for a single image).
    stride = h + 1 + (h + 1) % 2
    mosaic = np.zeros((k, stride, w), np.uint8)
    mosaic[:, :h] = binary
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mosaic.reshape(k * stride, w), connectivity=8
    )
    if count <= 1:
        return np.zeros((k, height, width), np.float32)
    stats = stats[1:]
    image = stats[:, 1] // stride
    x, y, cw, ch, area = (stats[:, i].astype(np.float64) for i in range(5))
    y = y - image * stride
    parts = np.bincount(image, minlength=k)
    # Exactly the reference's score (see crop_character).
    centre_offset = np.abs((x + cw / 2) - w / 2) / (w / 2)
    frame_like = ((cw >= 0.9 * w) & (ch <= 0.2 * h)) | (
        (ch >= 0.9 * h) & (cw <= 0.1 * w) & ((x == 0) | (x + cw >= w)) & (parts[image] + 1 > 2)
    )
    score = area * (1.0 - 0.5 * centre_offset) * np.where(frame_like, 0.1, 1.0)
    order = np.lexsort((-score, image))
    first = np.ones(len(order), bool)
    first[1:] = image[order][1:] != image[order][:-1]
    main_of = np.full(k, -1, np.intp)
    main_of[image[order][first]] = order[first]
    # A second part with the same score would make the choice depend on label order.
    tie = np.zeros(k, bool)
    same = ~first[1:] & first[:-1] & (score[order][1:] == score[order][:-1])
    tie[image[order][1:][same]] = True
    is_main = np.zeros(len(stats), bool)
    is_main[main_of[main_of >= 0]] = True
    main = main_of[image]
    candidate = ~is_main & ~frame_like & ~(area < 0.05 * area[main])
    n_candidates = np.bincount(image, weights=candidate, minlength=k)
    # With two or more candidates the kept range grows in area order: use the reference loop.
    by_reference = tie | (n_candidates >= 2)
    left, right = x[main], x[main] + cw[main]
    overlap = np.minimum(right, x + cw) - np.maximum(left, x)
    keep = is_main | (candidate & (overlap >= 0.5 * cw))
    keep &= ~by_reference[image]
    keep_lut = np.concatenate([[False], keep])
    kept = keep_lut[labels].reshape(k, stride, w)[:, :h]
    # Bounding box of the kept parts: the union of their boxes.
    top = np.full(k, h, np.intp)
    bottom = np.zeros(k, np.intp)
    left_edge = np.full(k, w, np.intp)
    right_edge = np.zeros(k, np.intp)
    kept_image = image[keep]
    ks = stats[keep]
    np.minimum.at(top, kept_image, ks[:, 1] - kept_image * stride)
    np.maximum.at(bottom, kept_image, ks[:, 1] - kept_image * stride + ks[:, 3])
    np.minimum.at(left_edge, kept_image, ks[:, 0])
    np.maximum.at(right_edge, kept_image, ks[:, 0] + ks[:, 2])
    # An image with nothing kept gets the whole frame as its box: its crop is all zeros, and
    # so is its normalised character.
    empty = bottom <= top
    top[empty], bottom[empty], left_edge[empty], right_edge[empty] = 0, h, 0, w
    boxes = np.stack([top, left_edge, bottom - top, right_edge - left_edge], axis=1)
    out = _normalize_boxes(kept, boxes, height=height, width=width)
    for i in np.flatnonzero(by_reference):
        cropped = crop_character(np.where(binary[i], 255, 0).astype(np.uint8))
        out[i] = normalize_character(cropped, height=height, width=width)
    return out


def _normalize_boxes(kept: np.ndarray, boxes: np.ndarray, *, height: int, width: int) -> np.ndarray:
    """:func:`normalize_character` of the box ``(top, left, h, w)`` of each ``(H, W)`` mask."""
    k, h, w = kept.shape
    # Cut each box out as an (H, W) window whose top-left is the box's; what lies beyond the
    # box (zeros or the padding) meets zero weights in the resize matrices below.
    # Cut in bool (a quarter of the bytes of float32), convert only the cut windows.
    padded = np.zeros((k, 2 * h, 2 * w), bool)
    padded[:, :h, :w] = kept
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))
    crops = windows[np.arange(k), boxes[:, 0], boxes[:, 1]].astype(np.float32)
    sizes = boxes[:, 2] * (w + 1) + boxes[:, 3]
    unique, inverse = np.unique(sizes, return_inverse=True)
    rows_maps, cols_maps = [], []
    for size in unique.tolist():
        rows_map, cols_map = _resize_maps(size // (w + 1), size % (w + 1), h, w, height, width)
        rows_maps.append(rows_map)
        cols_maps.append(cols_map)
    rows = np.stack(rows_maps)[inverse.ravel()]
    cols = np.stack(cols_maps)[inverse.ravel()]
    return np.clip(rows @ crops @ cols, 0.0, 1.0)


@functools.lru_cache(maxsize=4096)
def _resize_maps(
    box_h: int, box_w: int, h: int, w: int, height: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Matrices ``R (height, h)`` and ``C (w, width)`` so that ``R @ crop @ C`` is the box.

    The weights are OpenCV's own: they are read off :func:`cv2.resize` of one-row and one-column
    images, with the interpolation :func:`normalize_character` picks for this box size, and put
    where the character lands in the ``height x width`` box.
    """
    scale = min(height / box_h, width / box_w)
    new_h = min(height, max(1, round(box_h * scale)))
    new_w = min(width, max(1, round(box_w * scale)))
    shrinking = new_h < box_h or new_w < box_w
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    top, left = (height - new_h) // 2, (width - new_w) // 2
    rows = np.zeros((height, h), np.float32)
    cols = np.zeros((w, width), np.float32)
    # resize is separable and its weights per output pixel sum to one, so a line of ones
    # along one axis reads off the weights of the other.
    for r in range(box_h):
        basis = np.zeros((box_h, box_w), np.float32)
        basis[r] = 1.0
        resized = cv2.resize(basis, (new_w, new_h), interpolation=interpolation)
        rows[top : top + new_h, r] = resized.reshape(new_h, new_w)[:, 0]
    for c in range(box_w):
        basis = np.zeros((box_h, box_w), np.float32)
        basis[:, c] = 1.0
        resized = cv2.resize(basis, (new_w, new_h), interpolation=interpolation)
        cols[c, left : left + new_w] = resized.reshape(new_h, new_w)[0, :]
    rows.setflags(write=False)
    cols.setflags(write=False)
    return rows, cols
