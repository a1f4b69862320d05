"""Read plates drawn in typefaces the synthetic generator never uses.

The shipped model learns letters and digits from the project's own parametric glyphs
(:mod:`platedigits.glyphs`) and is measured on real plates of one country only. This benchmark
is a check on other typefaces: it draws plates with the TrueType / OpenType fonts installed on
the machine (DejaVu Sans on most Linux systems; serif, math and symbol faces are left out, as no
plate uses them), every character's ink scaled to one cap height as on a plate (no
descenders), in the layouts and colours of :mod:`platedigits.plateset` minus the Chinese one
(these fonts have no province characters), and reads them clean and as a camera gives them.

Usage::

    python benchmarks/fonts.py [--plates 400] [--seed 1] [--model MODEL.npz]
                               [--against OTHER.npz] [--fonts GLOB] [--out DIR] [--json]

Figures per set (``clean``, ``camera``): plates read exactly, digit accuracy, and what went
wrong when the reading has one character per drawn character: letters taken as digits (by
letter and digit read) and digits refused. With ``--against``, the same for a second model
on the same plates (measured in the same run), and the difference. ``--out`` keeps the two sets
as folders with ``labels.csv`` (``file,plate_text,layout,font``) for
``benchmarks/plates.py``.

Needs Pillow to draw the fonts (OpenCV's headless wheel has no TrueType rasteriser); it comes
with the ``dev`` extra. The set depends on the fonts installed, so compare models in one run on
one machine, not figures across machines. On this project's machine (12 DejaVu Sans faces,
400 plates per set, seed 1) the model shipped before the generator learnt the bar-less J and
the hanging Q tail read 88.0% / 85.8% exactly (clean / camera), the one after it 94.0% /
90.5%; see the README.
"""

from __future__ import annotations

import argparse
import csv
import glob
import importlib.util
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from benchmarks.plates import score
from platedigits._cv import cv2, one_thread_each
from platedigits.model import Model, load_model
from platedigits.plateset import degrade_like_camera, random_plate_text

#: Where fonts live on Linux, macOS and Windows.
FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
FONT_SUFFIXES = (".ttf", ".otf")
#: Name parts of faces no plate is set in.
SKIPPED_FACES = ("serif", "math", "symbol", "emoji", "extralight", "light", "dingbat")
LAYOUTS = ("eu", "us", "br", "plain")
#: (plate, ink) colours, RGB: white, yellow, blue, black and grey plates.
COLOURS = (
    ((255, 255, 255), (0, 0, 0)),
    ((250, 200, 40), (0, 0, 0)),
    ((20, 60, 160), (255, 255, 255)),
    ((20, 20, 20), (255, 255, 255)),
    ((235, 235, 235), (20, 30, 150)),
)
CAP = 64  # cap height of the drawn plates, pixels


def have_pillow() -> bool:
    """Whether Pillow, which draws the fonts, is installed."""
    return importlib.util.find_spec("PIL") is not None


def find_fonts(pattern: str | None = None) -> list[Path]:
    """Installed plate-like fonts, sorted: the ``.ttf`` / ``.otf`` files matching ``pattern``
    (a glob), else every one under :data:`FONT_DIRS` whose name has no part of
    :data:`SKIPPED_FACES`."""
    if pattern:
        return sorted(
            Path(p)
            for p in glob.glob(os.path.expanduser(pattern))
            if Path(p).suffix.lower() in FONT_SUFFIXES
        )
    found = []
    for folder in FONT_DIRS:
        root = Path(os.path.expanduser(folder))
        if root.is_dir():
            found += [p for p in root.rglob("*") if p.suffix.lower() in FONT_SUFFIXES]
    return sorted(p for p in found if _plate_like(p.stem))


def _plate_like(name: str) -> bool:
    # A "Sans Serif" face is a sans face.
    name = name.lower().replace("sansserif", "sans").replace("sans-serif", "sans")
    return not any(part in name for part in SKIPPED_FACES)


def _glyph(char: str, font: Any) -> np.ndarray:
    """``char`` drawn white on black, cropped to its ink, scaled to :data:`CAP` pixels tall."""
    from PIL import Image, ImageDraw

    canvas = Image.new("L", (4 * CAP, 4 * CAP), 0)
    ImageDraw.Draw(canvas).text((CAP, CAP // 2), char, font=font, fill=255)
    ink = np.asarray(canvas)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        raise ValueError(f"the font draws nothing for {char!r}")
    tight = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    width = max(1, round(tight.shape[1] * CAP / tight.shape[0]))
    return cv2.resize(tight, (width, CAP), interpolation=cv2.INTER_AREA)


def draw_plate(text: str, font_path: Path, rng: np.random.Generator) -> np.ndarray:
    """A plate of ``text`` (spaces are gaps) in the font: ``(H, W, 3)`` ``uint8`` BGR."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(font_path), round(CAP * 1.25))
    background, ink_colour = COLOURS[int(rng.integers(len(COLOURS)))]
    spacing = int(rng.integers(4, 14))
    glyphs = [None if c == " " else _glyph(c, font) for c in text]
    widths = [CAP // 3 if g is None else g.shape[1] for g in glyphs]
    margin = int(CAP * 0.35)
    width = sum(widths) + spacing * (len(text) - 1) + 2 * margin
    height = int(CAP * 1.5)
    ink = np.zeros((height, width), np.float32)
    x, y = margin, (height - CAP) // 2
    for glyph, w in zip(glyphs, widths, strict=True):
        if glyph is not None:
            ink[y : y + CAP, x : x + w] = np.maximum(ink[y : y + CAP, x : x + w], glyph / 255.0)
        x += w + spacing
    if rng.random() < 0.7:  # a frame
        t = int(rng.integers(2, 5))
        cv2.rectangle(ink, (t, t), (width - 1 - t, height - 1 - t), 1.0, t)
    bg = np.array(background[::-1], np.float32)
    fg = np.array(ink_colour[::-1], np.float32)
    return (bg * (1 - ink[..., None]) + fg * ink[..., None]).astype(np.uint8)


def plate_set(
    fonts: list[Path], *, plates: int, seed: int, camera: bool
) -> list[tuple[np.ndarray, str, str, str]]:
    """``(image, text, layout, font name)`` per plate; plate ``i`` depends on ``seed`` and
    ``i`` only (and on the fonts installed)."""
    out = []
    for i in range(plates):
        rng = np.random.default_rng([seed, 990_001, i])
        layout = LAYOUTS[int(rng.integers(len(LAYOUTS)))]
        text = random_plate_text(rng, layout).replace("-", " ")
        font = fonts[int(rng.integers(len(fonts)))]
        image = draw_plate(text, font, rng)
        if camera:
            image = degrade_like_camera(image, rng=rng, max_blur=1.0)
        out.append((image, text, layout, font.stem))
    return out


def measure(model: Model, plates: list[tuple[np.ndarray, str, str, str]]) -> dict:
    """Exact share, digit accuracy, letters passed as digits and digits refused."""
    expected, read = [], []
    passed: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for image, text, _layout, _font in plates:
        reading = model.read(image, mode="plate")
        expected.append("".join(c for c in text if c.isdigit()))
        read.append(reading.text)
        drawn = [c for c in text if c != " "]
        if len(reading.characters) == len(drawn):
            for char, found in zip(drawn, reading.characters, strict=True):
                if not char.isdigit() and found.is_digit:
                    passed[f"{char}->{found.label}"] += 1
                elif char.isdigit() and not found.is_digit:
                    refused[char] += 1
    result: dict = score(expected, read)
    result["letters_passed"] = dict(passed.most_common())
    result["digits_refused"] = dict(refused.most_common())
    return result


def _write(folder: Path, plates: list[tuple[np.ndarray, str, str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "labels.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "plate_text", "layout", "font"])
        for i, (image, text, layout, font) in enumerate(plates):
            name = f"plate_{i:05d}.png"
            cv2.imwrite(str(folder / name), image)
            writer.writerow([name, text, layout, font])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plates", type=int, default=400, help="plates per set")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    parser.add_argument("--against", type=Path, default=None, help="a second model to compare")
    parser.add_argument("--fonts", default=None, help="a glob of font files (default: found)")
    parser.add_argument("--out", type=Path, default=None, help="keep the sets in DIR/clean, ...")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not have_pillow():
        sys.exit("fonts.py draws with Pillow: pip install pillow (or the dev extra)")
    fonts = find_fonts(args.fonts)
    if not fonts:
        sys.exit("no fonts found: pass --fonts GLOB")
    print(f"{len(fonts)} fonts: {', '.join(f.stem for f in fonts)}", file=sys.stderr)

    one_thread_each()
    models = {"model": load_model(args.model)}
    if args.against is not None:
        models["against"] = load_model(args.against)
    results: dict = {"fonts": [f.stem for f in fonts]}
    for name, camera in (("clean", False), ("camera", True)):
        plates = plate_set(fonts, plates=args.plates, seed=args.seed, camera=camera)
        if args.out is not None:
            _write(args.out / name, plates)
        results[name] = {key: measure(model, plates) for key, model in models.items()}
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for name in ("clean", "camera"):
        for key, figures in results[name].items():
            passed = ", ".join(f"{k} {v}" for k, v in list(figures["letters_passed"].items())[:6])
            print(
                f"{name:6s} {key:7s} {args.plates} plates: exact {figures['exact']:.1%}, "
                f"digit accuracy {figures['digit_accuracy']:.1%}; letters passed "
                f"{sum(figures['letters_passed'].values())} ({passed}), digits refused "
                f"{sum(figures['digits_refused'].values())}"
            )
        if "against" in results[name]:
            diff = results[name]["model"]["exact"] - results[name]["against"]["exact"]
            print(f"{name:6s} model - against: {diff * 100:+.1f} points exact")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
