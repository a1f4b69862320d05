"""How often the plate segmenter cuts a plate into exactly its characters.

Usage::

    python benchmarks/segmentation.py [PLATES_DIR] [--synthetic 400] [--seed 4242]
                                      [--no-judge] [--errors] [--draw DIR] [--json]

Figures:

- ``real_count``: on a folder of real plates with ``labels.csv`` (``file,plate_text``), the share
  of plates whose number of boxes equals the number of characters of ``plate_text`` (spaces,
  ``·`` and ``-`` dropped). The boxes are not checked, only counted: real plates carry no boxes.
- ``synthetic_exact``: on ``--synthetic`` plates made by :func:`platedigits.synth.render_plate`
  (every layout of ``platedigits.plateset.LAYOUTS`` in turn, fixed seeds; adding a layout
  changes the set) and then made camera-like by the rejector's training degradation
  (``platedigits.plateset.degrade_like_camera``: small rotation, low resolution, blur, JPEG),
  the share of plates where every drawn character is matched by exactly one found box at
  IoU >= 0.5 and no box is left over; also per layout. The truth boxes follow the degradation
  (their centres are rotated and scaled like the image, their sizes scaled), the way the
  segmenter maps its boxes back.
- ``synthetic_slanted_exact``: the same plates sheared by a random italic/perspective slant of
  up to +-0.25 (x shift per row of height) before the degradation, truth boxes sheared too.

By default the segmenter gets the shipped model as its judge, as when reading plates
(``--no-judge`` leaves it out). ``--errors`` lists the miscounted real plates and the
synthetic plates whose boxes do not match (``s`` for slanted, then the plate's index in the set,
which :func:`synthetic_plates` regenerates alone); ``--draw DIR`` writes each such synthetic
plate to ``DIR`` enlarged, the drawn boxes in green above, the found ones in red below.
Example::

    python benchmarks/segmentation.py ../shared/data/plates-cn
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from platedigits._cv import cv2
from platedigits.imageio import read_image
from platedigits.plateset import LAYOUTS, random_plate_text, shear_plate
from platedigits.segment import segment_plate
from platedigits.synth import render_plate

Box = tuple[float, float, float, float]
_SEPARATORS = " ·-"


def _box(b: tuple[int, int, int, int] | tuple[float, float, float, float]) -> Box:
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two ``(x, y, w, h)`` boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1e-9, a[2] * a[3] + b[2] * b[3] - inter)


def boxes_match(found: list[Box], truth: list[Box], *, threshold: float = 0.5) -> bool:
    """Every truth box matched by exactly one found box at IoU >= threshold, none left over."""
    if len(found) != len(truth):
        return False
    used: set[int] = set()
    for t in truth:
        hits = [k for k, f in enumerate(found) if iou(f, t) >= threshold]
        if len(hits) != 1 or hits[0] in used:
            return False
        used.add(hits[0])
    return True


#: The blur of the benchmark's camera-like plates: the rejector's training blur until it was
#: raised to 1.8 px, kept so that the benchmark's plates do not change with the training data.
BENCHMARK_MAX_BLUR = 1.0


def _degrade_with_boxes(
    image: np.ndarray, boxes: list[Box], rng: np.random.Generator, *, shear: float
) -> tuple[np.ndarray, list[Box]]:
    """Shear (optional) then the rejector's camera degradation, boxes carried along.

    The degradation is replayed from the same generator state as
    :func:`platedigits.plateset.degrade_like_camera` to learn its rotation and scale: the
    rotation is its first draw and the scale is read off the output size.
    """
    from platedigits.plateset import degrade_like_camera

    h, w = image.shape[:2]
    if shear:
        image, pad = shear_plate(image, shear)
        sheared = []
        for x, y, bw, bh in boxes:
            cy = y + bh / 2.0
            cx = x + bw / 2.0 + shear * (cy - h / 2.0) + pad
            # The upright box of a sheared character is wider by |shear| x its height.
            nw = bw + abs(shear) * bh
            sheared.append((cx - nw / 2.0, y, nw, bh))
        boxes = sheared
        w = image.shape[1]
    state = rng.bit_generator.state
    angle = float(rng.uniform(-3.0, 3.0))
    rng.bit_generator.state = state
    degraded = degrade_like_camera(image, rng=rng, max_blur=BENCHMARK_MAX_BLUR)
    fy, fx = degraded.shape[0] / h, degraded.shape[1] / w
    turn = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    out = []
    for x, y, bw, bh in boxes:
        cx, cy = turn @ np.array([x + bw / 2.0, y + bh / 2.0, 1.0])
        out.append((cx * fx - bw * fx / 2.0, cy * fy - bh * fy / 2.0, bw * fx, bh * fy))
    return degraded, out


def _drawn(image: np.ndarray, truth: list[Box], found: list[Box], *, zoom: int = 3) -> np.ndarray:
    """The plate twice, enlarged: the drawn boxes in green above, the found ones in red below."""
    big = cv2.resize(image, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
    if big.ndim == 2:
        big = cv2.cvtColor(big, cv2.COLOR_GRAY2BGR)
    halves = []
    for boxes, colour in ((truth, (0, 200, 0)), (found, (0, 0, 255))):
        half = big.copy()
        for x, y, w, h in boxes:
            corner = (round(x * zoom), round(y * zoom))
            cv2.rectangle(half, corner, (round((x + w) * zoom), round((y + h) * zoom)), colour, 1)
        halves.append(half)
    return np.vstack(halves)


def synthetic_plates(
    count: int, seed: int, *, slanted: bool
) -> list[tuple[str, np.ndarray, list[Box]]]:
    """``(layout, image, truth boxes)`` of ``count`` camera-like synthetic plates."""
    plates = []
    for i in range(count):
        layout = LAYOUTS[i % len(LAYOUTS)]
        rng = np.random.default_rng([seed, 31_337, i])
        text = random_plate_text(rng, layout)
        image, truth = render_plate(text, rng=rng, layout=layout)
        shear = float(rng.uniform(-0.25, 0.25)) if slanted else 0.0
        image, boxes = _degrade_with_boxes(image, [_box(b) for b in truth], rng, shear=shear)
        plates.append((layout, image, boxes))
    return plates


def real_plates(folder: Path) -> list[tuple[str, np.ndarray, int]]:
    """``(file, image, number of characters)`` of a labelled folder of plates."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        (
            row["file"],
            read_image(folder / row["file"]),
            len([c for c in row["plate_text"] if c not in _SEPARATORS]),
        )
        for row in rows
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=None)
    parser.add_argument("--synthetic", type=int, default=400)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--no-judge", action="store_true")
    parser.add_argument(
        "--errors", action="store_true", help="list the miscounted real and synthetic plates"
    )
    parser.add_argument(
        "--draw", type=Path, default=None, help="write the synthetic plates cut wrong here"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    judge: Callable[[list[np.ndarray]], np.ndarray] | None = None
    if not args.no_judge:
        from platedigits.model import load_model

        judge = load_model()._judge()

    result: dict = {}
    started = time.perf_counter()
    segmented = 0
    if args.folder is not None:
        real = real_plates(args.folder)
        counts = [len(segment_plate(image, judge=judge).boxes) for _, image, _ in real]
        segmented += len(real)
        good = [c == n for c, (_, _, n) in zip(counts, real, strict=True)]
        result["real_plates"] = len(real)
        result["real_count"] = float(np.mean(good))
        result["real_too_many"] = int(sum(c > n for c, (_, _, n) in zip(counts, real, strict=True)))
        result["real_too_few"] = int(sum(c < n for c, (_, _, n) in zip(counts, real, strict=True)))
        if args.errors:
            result["real_errors"] = [
                f"{name}: {c} boxes for {n}"
                for c, (name, _, n) in zip(counts, real, strict=True)
                if c != n
            ]
    for key, slanted in (("synthetic", False), ("synthetic_slanted", True)):
        if args.synthetic <= 0:
            break
        plates = synthetic_plates(args.synthetic, args.seed, slanted=slanted)
        exact = []
        for i, (layout, image, truth) in enumerate(plates):
            found = [_box(b) for b in segment_plate(image, judge=judge).boxes]
            exact.append(boxes_match(found, truth))
            if not exact[-1] and (args.errors or args.draw is not None):
                name = f"{'s' if slanted else ''}{i:03d}-{layout}"
                wrong = sum(not any(iou(f, t) >= 0.5 for f in found) for t in truth)
                result.setdefault("synthetic_errors", []).append(
                    f"{name}: {len(found)} boxes for {len(truth)}, {wrong} drawn unmatched"
                )
                if args.draw is not None:
                    args.draw.mkdir(parents=True, exist_ok=True)
                    cv2.imwrite(str(args.draw / f"{name}.png"), _drawn(image, truth, found))
        segmented += len(plates)
        result[f"{key}_exact"] = float(np.mean(exact))
        result[f"{key}_per_layout"] = {
            lay: float(np.mean([e for e, p in zip(exact, plates, strict=True) if p[0] == lay]))
            for lay in LAYOUTS
        }
    result["plates_per_s"] = segmented / max(1e-9, time.perf_counter() - started)

    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    if "real_count" in result:
        print(
            f"(a) {args.folder}: {result['real_plates']} plates, right box count "
            f"{result['real_count']:.1%} (too many {result['real_too_many']}, "
            f"too few {result['real_too_few']})"
        )
    for key, label in (("synthetic", "(b)"), ("synthetic_slanted", "(c) slanted")):
        if f"{key}_exact" in result:
            layouts = ", ".join(f"{k} {v:.1%}" for k, v in result[f"{key}_per_layout"].items())
            print(
                f"{label} {args.synthetic} synthetic plates (seed {args.seed}): exact boxes "
                f"{result[f'{key}_exact']:.1%} ({layouts})"
            )
    print(f"segmentation speed: {result['plates_per_s']:.0f} plates/s (wall, incl. judge)")
    for line in result.get("real_errors", []):
        print("  " + line)
    if args.errors:
        for line in result.get("synthetic_errors", []):
            print("  synthetic " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
