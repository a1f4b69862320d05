"""Synthetic whole plates with their text, for tests, `samples/` and `synth --plates`.

The pictures come from :func:`platedigits.synth.render_plate`; this module makes up plate texts
in the shapes real plates have (Chinese, European, US, plain digit groups) and writes a folder
``OUT/<name>.png`` + ``OUT/labels.csv`` (``file,plate_text,layout``) that
``benchmarks/plates.py`` reads like the real plate folders.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from platedigits import glyphs
from platedigits._cv import cv2

#: Letters drawn on synthetic plates. I and O are left out, as on many real plates: in most
#: plate typefaces they cannot be told from 1 and 0 (see :mod:`platedigits.reject`).
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
LAYOUTS: tuple[str, ...] = ("cn", "eu", "us", "br", "plain")


def _pick(rng: np.random.Generator, chars: str, n: int) -> str:
    return "".join(chars[int(i)] for i in rng.integers(len(chars), size=n))


def random_plate_text(rng: np.random.Generator, layout: str) -> str:
    """A plausible text for a plate of ``layout`` (see :data:`LAYOUTS`).

    Parameters
    ----------
    rng : numpy.random.Generator
    layout : str

    Returns
    -------
    str
        ``cn``: province symbol, letter, five letters or digits (mostly digits), e.g.
        ``京A12B45``; ``eu``: ``AB-CD 1234``-like; ``us``: ``7ABC123`` or ``ABC 1234``;
        ``br``: ``ABC1D23``; ``plain``: digit groups such as ``123 4567``.

    Raises
    ------
    ValueError
        Unknown layout.
    """
    digits = glyphs.DIGITS
    if layout == "cn":
        tail = "".join(
            _pick(rng, PLATE_LETTERS, 1) if rng.random() < 0.2 else _pick(rng, digits, 1)
            for _ in range(5)
        )
        return _pick(rng, glyphs.CJK_LIKE, 1) + _pick(rng, PLATE_LETTERS, 1) + tail
    if layout == "eu":
        return (
            _pick(rng, PLATE_LETTERS, int(rng.integers(1, 3)))
            + "-"
            + _pick(rng, PLATE_LETTERS, int(rng.integers(1, 3)))
            + " "
            + _pick(rng, digits, int(rng.integers(2, 5)))
        )
    if layout == "us":
        if rng.random() < 0.5:
            return _pick(rng, digits, 1) + _pick(rng, PLATE_LETTERS, 3) + _pick(rng, digits, 3)
        return _pick(rng, PLATE_LETTERS, 3) + " " + _pick(rng, digits, 4)
    if layout == "br":
        # Mercosur: three letters, a digit, a letter or digit, two digits (ABC1D23).
        middle = _pick(rng, PLATE_LETTERS if rng.random() < 0.7 else digits, 1)
        return _pick(rng, PLATE_LETTERS, 3) + _pick(rng, digits, 1) + middle + _pick(rng, digits, 2)
    if layout == "plain":
        return _pick(rng, digits, int(rng.integers(2, 4))) + " " + _pick(rng, digits, 4)
    raise ValueError(f"unknown layout {layout!r}; choose from {LAYOUTS}")


def plate_rng(seed: int, index: int) -> np.random.Generator:
    """The random stream of plate ``index`` (any plate can be regenerated alone)."""
    return np.random.default_rng([int(seed), 1_000_003, int(index)])


def shear_plate(image: np.ndarray, shear: float) -> tuple[np.ndarray, int]:
    """``image`` slanted as italic type or a side view leans it: ``(sheared image, pad)``.

    A point ``(x, y)`` moves to ``(x + shear * (y - h / 2) + pad, y)``: for a positive ``shear``
    the bottom moves right and the top left. The image is widened by ``pad`` columns on each
    side so that nothing is cut off; the new columns repeat the edge.

    Parameters
    ----------
    image : numpy.ndarray
        ``(h, w[, c])`` ``uint8``.
    shear : float
        x shift per row of height; 0 returns ``image`` itself and ``pad`` 0.

    Returns
    -------
    sheared : numpy.ndarray
        ``(h, w + 2 * pad[, c])`` ``uint8``.
    pad : int
    """
    if not shear:
        return image, 0
    h, w = image.shape[:2]
    pad = int(np.ceil(abs(shear) * h / 2)) + 1
    m = np.array([[1.0, shear, pad - shear * h / 2.0], [0.0, 1.0, 0.0]])
    return cv2.warpAffine(image, m, (w + 2 * pad, h), borderMode=cv2.BORDER_REPLICATE), pad


#: Largest blur of the rejector's training plates, in pixels (see :func:`degrade_like_camera`).
#: 1.8 rather than 1.0: real plates are often blurrier than that, and a rejector that never saw
#: a blurred province symbol or 2 took them for a 4 or a Z. Over five training draws (seeds
#: 20240601, 11-14): real Chinese plates 73.5% -> 75.1% exact on average (better on four of the
#: five), 400 synthetic plates 95.7% -> 95.4%.
TRAINING_MAX_BLUR = 1.8


def degrade_like_camera(
    image: np.ndarray, *, rng: np.random.Generator, max_blur: float = TRAINING_MAX_BLUR
) -> np.ndarray:
    """What a camera does to a plate: a small rotation, low resolution, blur, JPEG.

    The rejector learns from plates degraded this way (:func:`platedigits.reject.training_set`);
    :func:`camera_view` and the segmentation benchmark use it with a smaller blur.

    Parameters
    ----------
    image : numpy.ndarray
        ``(h, w, 3)`` ``uint8`` BGR.
    rng : numpy.random.Generator, keyword-only
        Its draws do not depend on ``max_blur``, so a benchmark can keep its own blur and the
        same plates; the rotation is the first draw.
    max_blur : float, keyword-only
        Largest Gaussian sigma in pixels (half of the plates are blurred).

    Returns
    -------
    numpy.ndarray
        ``(h', w', 3)`` ``uint8`` BGR: turned by up to 3 degrees, shrunk to 22-64 px tall.
    """
    h, w = image.shape[:2]
    angle = float(rng.uniform(-3.0, 3.0))
    turn = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    image = cv2.warpAffine(image, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)
    target = float(rng.uniform(22.0, 64.0))
    if target < h:
        small = (max(8, round(w * target / h)), max(4, round(target)))
        image = cv2.resize(image, small, interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        image = cv2.GaussianBlur(image, (0, 0), float(rng.uniform(0.3, max_blur)))
    if rng.random() < 0.4:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 90))])
        decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
        if decoded is not None:
            image = decoded
    return image


#: Largest slant of a camera-like plate (x shift per row of height) and the share of plates
#: slanted at all.
CAMERA_MAX_SHEAR = 0.25
CAMERA_SHEARED_SHARE = 0.5
#: Largest blur of a camera-like plate, in pixels: the segmentation benchmark's, below the
#: rejector's training blur so that the rejector is not scored on its own training range only.
CAMERA_MAX_BLUR = 1.0


def camera_view(image: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """A clean synthetic plate as a camera gives it.

    Half of the plates are slanted (up to :data:`CAMERA_MAX_SHEAR`, as italic type or a side
    view leans them), then every plate is turned by up to 3 degrees, shrunk to 22-64 px tall,
    often blurred (up to :data:`CAMERA_MAX_BLUR` px) and JPEG-compressed: the degradation the
    rejector learns from (:func:`platedigits.reject.training_set`), so that a folder of such
    plates measures what the clean ones hide (touching characters, frames glued on, small
    low-contrast characters).

    Parameters
    ----------
    image : numpy.ndarray
        ``(h, w, 3)`` ``uint8`` BGR, as :func:`platedigits.synth.render_plate` draws it.
    rng : numpy.random.Generator, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(h', w', 3)`` ``uint8`` BGR.
    """
    if rng.random() < CAMERA_SHEARED_SHARE:
        image, _ = shear_plate(image, float(rng.uniform(-CAMERA_MAX_SHEAR, CAMERA_MAX_SHEAR)))
    return degrade_like_camera(image, rng=rng, max_blur=CAMERA_MAX_BLUR)


def render_random_plate(
    seed: int, index: int, *, layout: str | None = None, camera: bool = False
) -> tuple[np.ndarray, str, str]:
    """Plate ``index`` of the synthetic plate set: ``(image BGR uint8 (H, W, 3), text, layout)``.

    With ``camera``, the same plate as :func:`camera_view` makes it (its own random stream, so
    the plate and its text are those of the clean set).
    """
    from platedigits.synth import render_plate

    rng = plate_rng(seed, index)
    if layout is None:
        layout = LAYOUTS[int(rng.integers(len(LAYOUTS)))]
    text = random_plate_text(rng, layout)
    image, _ = render_plate(text, rng=rng, layout=layout)
    if camera:
        image = camera_view(image, rng=np.random.default_rng([int(seed), 1_000_033, int(index)]))
    return image, text, layout


def write_plate_dataset(
    out_dir: str | os.PathLike[str],
    *,
    count: int,
    seed: int,
    layout: str | None = None,
    camera: bool = False,
) -> int:
    """Write ``count`` synthetic plates as ``OUT/plate_<i:05d>.png`` and ``OUT/labels.csv``.

    Parameters
    ----------
    out_dir : str or path-like
        Created when missing.
    count : int, keyword-only
    seed : int, keyword-only
        The same seed gives the same pixels.
    layout : str, optional, keyword-only
        One of :data:`LAYOUTS`; by default every plate draws one.
    camera : bool, keyword-only
        Write the plates as a camera gives them (:func:`camera_view`): the same plates and
        texts, slanted, turned, shrunk, blurred and compressed.

    Returns
    -------
    int
        The number of plates written.
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(count):
        image, text, chosen = render_random_plate(seed, i, layout=layout, camera=camera)
        name = f"plate_{i:05d}.png"
        ok, buf = cv2.imencode(".png", image)
        if not ok:  # pragma: no cover - PNG encoding of a uint8 array does not fail
            raise RuntimeError(f"could not encode plate {i}")
        (out / name).write_bytes(buf.tobytes())
        rows.append((name, text, chosen))
    with (out / "labels.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "plate_text", "layout"])
        writer.writerows(rows)
    return count
