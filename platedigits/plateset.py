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


def render_random_plate(
    seed: int, index: int, *, layout: str | None = None
) -> tuple[np.ndarray, str, str]:
    """Plate ``index`` of the synthetic plate set: ``(image BGR uint8 (H, W, 3), text, layout)``."""
    from platedigits.synth import render_plate

    rng = plate_rng(seed, index)
    if layout is None:
        layout = LAYOUTS[int(rng.integers(len(LAYOUTS)))]
    text = random_plate_text(rng, layout)
    image, _ = render_plate(text, rng=rng, layout=layout)
    return image, text, layout


def write_plate_dataset(
    out_dir: str | os.PathLike[str], *, count: int, seed: int, layout: str | None = None
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
        image, text, chosen = render_random_plate(seed, i, layout=layout)
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
