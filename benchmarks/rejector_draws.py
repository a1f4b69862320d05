"""Retrain the plate rejector on several draws of synthetic plates and score each.

A rejector trained on one draw of synthetic plates reads real plates several points better or
worse than one trained on another draw from the same generator (plates-cn: 69.8-77.3% exact
over five draws, the same code). So a change to what the rejector learns from (glyphs, the
camera degradation, mask augmentation, the segmenter) is judged by the mean and the spread over
several draws, not by one rebuild, whose seed alone can move the figure by more than the change.

Usage::

    python benchmarks/rejector_draws.py [--seeds 20240601,11,12,13,14] [--plates 12000]
                                        [--real DATA_DIR] [--synthetic 400] [--fonts 400]
                                        [--json]

For every seed the rejector is trained as ``python -m platedigits.models.build`` trains it
(``train_rejector(plates=..., seed=...)``) and put in the shipped model in place of its own
(the digit network stays). Figures per draw, and the shipped model's as the baseline of the
same run:

- ``real``: plates read exactly of ``DATA_DIR/plates-cn`` (``--real``, else
  ``$PLATEDIGITS_REAL_DATA`` or ``../shared/data`` beside the checkout; left out when absent);
- ``synthetic``: plates read exactly of N synthetic plates of every layout (seed 4242, the set
  of ``platedigits synth --plates 400 --seed 4242``);
- ``camera``: the same synthetic plates as a camera gives them (``synth --camera``);
- ``fonts``: ``--fonts`` camera-like plates in the typefaces installed on the machine (the
  ``camera`` set of ``benchmarks/fonts.py``; left out without Pillow or fonts);
- ``refused``: share of the real single digits of ``DATA_DIR/digits-cn`` that the rejector takes
  for a letter or a symbol.

About four minutes per seed with the shipped build's 12000 plates on 2 cores (223 s for seed
11: drawing and segmenting the plates on both cores, the networks on one; nine to fourteen
minutes before the networks' subnormal weights were zeroed while training). Compare a change
by running this before and after it, on the same seeds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from benchmarks.plates import load_labels, score  # noqa: E402
from platedigits._cv import cv2  # noqa: E402
from platedigits.imageio import read_image  # noqa: E402
from platedigits.model import Model, load_model  # noqa: E402
from platedigits.plateset import write_plate_dataset  # noqa: E402
from platedigits.reject import train_rejector  # noqa: E402


def _build_settings() -> tuple[int, int]:
    """The shipped model's rejector plates and seed, from models/build.py."""
    try:
        from platedigits.models import build  # installed package
    except ImportError:
        sys.path.insert(0, str(REPO / "models"))
        import build  # type: ignore[no-redef]
    return int(build.REJECT_PLATES), int(build.SEED)


def _data_dir(given: Path | None) -> Path | None:
    candidates = [given]
    if os.environ.get("PLATEDIGITS_REAL_DATA"):
        candidates.append(Path(os.environ["PLATEDIGITS_REAL_DATA"]))
    candidates.append(REPO.parent / "shared" / "data")
    return next((c for c in candidates if c is not None and c.is_dir()), None)


def _plate_set(folder: Path) -> tuple[list[np.ndarray], list[str]]:
    pairs = load_labels(folder)
    return [read_image(folder / name) for name, _ in pairs], [digits for _, digits in pairs]


def _font_set(count: int) -> tuple[list[np.ndarray], list[str]] | None:
    """Camera-like plates in the machine's typefaces (``benchmarks/fonts.py``), or None
    without Pillow or fonts."""
    from benchmarks.fonts import find_fonts, have_pillow, plate_set

    if not have_pillow():
        return None
    fonts = find_fonts()
    if not fonts:
        return None
    plates = plate_set(fonts, plates=count, seed=1, camera=True)
    return [p[0] for p in plates], ["".join(c for c in p[1] if c.isdigit()) for p in plates]


def _digit_masks(folder: Path) -> list[np.ndarray]:
    """The real single digits as tight masks (the crops are binarized already)."""
    masks = []
    for path in sorted(folder.glob("[0-9]/*.png")):
        ink = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) > 127
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if len(rows):
            box = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
            masks.append(np.where(box, 255, 0).astype(np.uint8))
    return masks


def _scores(
    model: Model,
    sets: dict[str, tuple[list[np.ndarray], list[str]]],
    digit_masks: list[np.ndarray],
) -> dict[str, float]:
    out = {
        name: score(expected, [model.read(image, mode="plate").text for image in images])["exact"]
        for name, (images, expected) in sets.items()
    }
    if digit_masks and model.rejector is not None:
        rejector = model.rejector
        digit = rejector.predict_proba_of_masks(digit_masks)[:, rejector.digit_columns].sum(axis=1)
        out["refused"] = float(np.mean(digit < rejector.threshold))
    return out


def main(argv: list[str] | None = None) -> int:
    plates, shipped_seed = _build_settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds", default=f"{shipped_seed},11,12,13,14", help="comma-separated data seeds"
    )
    parser.add_argument("--plates", type=int, default=plates, help="synthetic plates per draw")
    parser.add_argument("--real", type=Path, default=None, help="folder with plates-cn, digits-cn")
    parser.add_argument("--synthetic", type=int, default=400, help="synthetic plates to read")
    parser.add_argument(
        "--fonts", type=int, default=400, help="camera-like plates in installed typefaces; 0: none"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]

    sets: dict[str, tuple[list[np.ndarray], list[str]]] = {}
    data = _data_dir(args.real)
    if data is not None and (data / "plates-cn" / "labels.csv").is_file():
        sets["real"] = _plate_set(data / "plates-cn")
    digit_masks = _digit_masks(data / "digits-cn") if data is not None else []
    if args.synthetic > 0:
        with tempfile.TemporaryDirectory() as tmp:
            write_plate_dataset(tmp, count=args.synthetic, seed=4242)
            sets["synthetic"] = _plate_set(Path(tmp))
        with tempfile.TemporaryDirectory() as tmp:
            write_plate_dataset(tmp, count=args.synthetic, seed=4242, camera=True)
            sets["camera"] = _plate_set(Path(tmp))
    if args.fonts > 0:
        fonts = _font_set(args.fonts)
        if fonts is not None:
            sets["fonts"] = fonts

    shipped = load_model()
    rows: dict[str, dict[str, float]] = {"shipped": _scores(shipped, sets, digit_masks)}
    for seed in seeds:
        started = time.perf_counter()
        model = load_model()
        model.rejector = train_rejector(plates=args.plates, seed=seed, workers=args.workers)
        rows[str(seed)] = _scores(model, sets, digit_masks)
        print(
            f"seed {seed}: trained and read in {time.perf_counter() - started:.0f}s",
            file=sys.stderr,
        )
    keys = [k for k in ("real", "synthetic", "camera", "fonts", "refused") if k in rows["shipped"]]
    drawn = [rows[str(s)] for s in seeds]
    summary = {
        k: {
            "mean": statistics.fmean(r[k] for r in drawn),
            "min": min(r[k] for r in drawn),
            "max": max(r[k] for r in drawn),
        }
        for k in keys
    }
    if args.json:
        print(json.dumps({"draws": rows, "summary": summary}, indent=1))
        return 0
    print("draw        " + "".join(f"{k:>12}" for k in keys))
    for name, figures in rows.items():
        print(f"{name:<12}" + "".join(f"{figures[k]:>12.1%}" for k in keys))
    print(
        f"{'mean':<12}"
        + "".join(f"{summary[k]['mean']:>12.1%}" for k in keys)
        + f"   (over {len(seeds)} draws; min-max "
        + ", ".join(f"{k} {summary[k]['min']:.1%}-{summary[k]['max']:.1%}" for k in keys)
        + ")"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
