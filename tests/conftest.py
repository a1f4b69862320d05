"""Shared test helpers: small images drawn on the spot, so no test needs files from outside."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_PLAIN)

# Plate colours in BGR: (background, text).
PLATE_COLOURS = {
    "blue": ((160, 60, 20), (255, 255, 255)),
    "yellow": ((40, 200, 230), (20, 20, 20)),
    "white": ((245, 245, 245), (10, 10, 10)),
}


def draw_digit(
    digit: str,
    *,
    colours: str = "white",
    font: int = cv2.FONT_HERSHEY_SIMPLEX,
    thickness: int = 3,
    size: tuple[int, int] = (48, 32),
) -> np.ndarray:
    """A BGR crop of one character on a plain plate-coloured background."""
    background, text = PLATE_COLOURS[colours]
    h, w = size
    image = np.empty((h, w, 3), np.uint8)
    image[:] = background
    scale = cv2.getFontScaleFromHeight(font, int(h * 0.6), thickness)
    (tw, th), _ = cv2.getTextSize(digit, font, scale, thickness)
    cv2.putText(
        image, digit, ((w - tw) // 2, (h + th) // 2), font, scale, text, thickness, cv2.LINE_AA
    )
    return image


def write_png(path: Path, image: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".png", image)
    assert ok
    path.write_bytes(data.tobytes())
    return path


@pytest.fixture
def digit_folder(tmp_path: Path) -> Path:
    """A labelled folder DATA/<digit>/*.png with a few fonts, sizes and plate colours per digit."""
    root = tmp_path / "digits"
    for digit in "0123456789":
        n = 0
        for font in FONTS:
            for colours in PLATE_COLOURS:
                for thickness in (2, 3):
                    image = draw_digit(digit, colours=colours, font=font, thickness=thickness)
                    write_png(root / digit / f"{digit}_{n:03d}.png", image)
                    n += 1
    (root / "manifest.csv").write_text("file,label\n")
    return root


@pytest.fixture
def real_data() -> Path:
    """The real plate data beside the checkout, or a skip where it is absent (a user's machine)."""
    candidates = [os.environ.get("PLATEDIGITS_REAL_DATA")]
    candidates.append(str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    for candidate in candidates:
        if candidate and (Path(candidate) / "digits-cn").is_dir():
            return Path(candidate)
    pytest.skip("real plate data not found (set PLATEDIGITS_REAL_DATA to ../shared/data)")
