"""Read a folder of whole plates and score the digits against their labels.

Usage::

    python benchmarks/plates.py DIR [--model MODEL.npz] [--against OTHER.npz]
                                    [--border FRACTION] [--surround grey|noise|photo]
                                    [--scale FACTOR]
                                    [--mode plate|auto] [--repeat 3]
                                    [--errors] [--json]

``DIR`` holds plate images and ``labels.csv`` (``file,plate_text``, more columns allowed). The
expected text of a plate is the digits of ``plate_text`` in order (letters and the province
character are not digits and must not be read as any). Figures:

- ``exact``: share of plates whose read ``text`` equals the expected digits exactly;
- ``digit_accuracy``: ``1 - sum(edit distance) / sum(number of expected digits)``;
- ``plates_per_s``: median over ``--repeat`` runs of reading every plate once in this process
  (images decoded beforehand, so only segmentation and recognition are timed; one OpenCV and
  one BLAS thread, as the command line reads, so the figure is one core's);
  ``plates_per_cpu_s`` the same with the process's CPU time, steadier on a busy machine.

With ``--against OTHER.npz`` the plates are also read with a second model (a rebuilt one, a
retrained rejector), and its figures, the difference and the plates only one of the two reads
exactly are given: a change that fixes ten plates and breaks eight shows as such, not as +2.

With ``--border 0.1`` every plate is also read as a looser crop: framed on every side by a
band of flat grey a tenth of its height wide (each plate's level drawn from a fixed seed), as
a crop taken past the photo's edge leaves it; with ``--surround noise`` the band holds grey
noise blurred into blobs instead, and with ``--surround photo`` pieces of scikit-image's
sample photographs (a face, a cup, a cat, a rocket, brick, grass...), both standing in for
what a detector's or a hand-drawn box takes in around a plate. Its figures and the plates only
the tight or only the loose crop reads exactly are given as for ``--against``.

With ``--scale 2`` every plate is also read resized by that factor (cubic when enlarging, area
when shrinking), as a camera nearer or farther away, or a crop from a larger or smaller photo,
gives it: the reader segments a plate at 48-96 pixels of height, so the same plate at another
size is not read pixel for pixel the same way. Figures as for ``--border``.

Example on the real Chinese plates kept outside the repository::

    python benchmarks/plates.py ../shared/data/plates-cn

and on a synthetic set of every layout (``labels.csv`` has a ``layout`` column, so the figures
are also given per layout)::

    platedigits synth --plates 400 --seed 4242 /tmp/plates
    python benchmarks/plates.py /tmp/plates

and on the same plates as a camera gives them (slanted, turned, small, blurred, JPEG)::

    platedigits synth --plates 400 --seed 4242 --camera /tmp/camera
    python benchmarks/plates.py /tmp/camera
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from platedigits._cv import cv2, one_thread_each
from platedigits.imageio import read_image
from platedigits.model import load_model


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two short strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def load_labels(folder: Path) -> list[tuple[str, str]]:
    """``(file, expected digits)`` pairs from ``folder/labels.csv``."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [(row["file"], "".join(c for c in row["plate_text"] if c.isdigit())) for row in rows]


def load_layouts(folder: Path) -> list[str]:
    """The ``layout`` column of ``folder/labels.csv`` (synthetic sets), or ``""`` per row."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
        return [row.get("layout") or "" for row in csv.DictReader(handle)]


def score(expected: list[str], read: list[str]) -> dict[str, float]:
    """Exact-read share and digit accuracy of ``read`` against ``expected``."""
    exact = float(np.mean([e == r for e, r in zip(expected, read, strict=True)]))
    total = sum(len(e) for e in expected)
    errors = sum(edit_distance(e, r) for e, r in zip(expected, read, strict=True))
    return {"exact": exact, "digit_accuracy": 1.0 - errors / max(1, total)}


def with_border(
    image: np.ndarray,
    fraction: float,
    level: int,
    *,
    rng: np.random.Generator | None = None,
    photos: list[np.ndarray] | None = None,
) -> np.ndarray:
    """``image`` inside a band ``fraction`` of its height wide: flat grey ``level``; with
    ``rng``, grey noise blurred into blobs a few pixels across; with ``rng`` and ``photos``
    (``(h, w, 3)`` ``uint8`` BGR), a piece of one of them, drawn by ``rng`` (a photo's
    surroundings)."""
    width = max(1, round(fraction * image.shape[0]))
    pad = [(width, width), (width, width)] + [(0, 0)] * (image.ndim - 2)
    scale = 257 if image.dtype == np.uint16 else 1
    framed = np.pad(image, pad, constant_values=level * scale)
    if rng is not None:
        shape = framed.shape[:2]
        band = np.ones(shape, bool)
        band[width:-width, width:-width] = False
        if photos:
            piece = _photo_piece(photos[int(rng.integers(len(photos)))], shape, rng)
            grey = framed.ndim == 2 or framed.shape[2] == 1
            if grey:
                piece = cv2.cvtColor(piece, cv2.COLOR_BGR2GRAY)
            values = (piece[band].astype(np.float64) * scale).astype(image.dtype)
            if framed.ndim == 2:
                framed[band] = values
            elif grey:
                framed[band] = values[:, None]
            else:
                framed[band, :3] = values
        else:
            noise = cv2.GaussianBlur(rng.integers(0, 256, shape).astype(np.float32), (0, 0), 3)
            noise = cv2.normalize(noise, None, 0, 255, cv2.NORM_MINMAX)
            values = (noise[band] * scale).astype(image.dtype)
            framed[band] = values[:, None] if framed.ndim == 3 else values
    if image.ndim == 3 and image.shape[2] == 4:
        framed[..., 3] = np.iinfo(image.dtype).max if image.dtype.kind == "u" else 1
    return framed


def _photo_piece(photo: np.ndarray, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A piece of ``photo`` at a random place, between a quarter and the whole of its height
    tall (its own aspect that of ``shape``), resized to ``shape``: ``(h, w, 3)`` ``uint8``."""
    height, width = shape
    ph, pw = photo.shape[:2]
    tall = min(ph, int(rng.uniform(0.25, 1.0) * ph), int(pw * height / width))
    wide = max(1, min(pw, round(tall * width / height)))
    tall = max(1, tall)
    y, x = int(rng.integers(ph - tall + 1)), int(rng.integers(pw - wide + 1))
    return cv2.resize(
        photo[y : y + tall, x : x + wide], (width, height), interpolation=cv2.INTER_AREA
    )


def sample_photos() -> list[np.ndarray]:
    """scikit-image's sample photographs of scenes, as BGR ``uint8``: what lies around a plate
    in a photo is no noise, and these are at hand without a network."""
    from skimage import data

    names = ("astronaut", "coffee", "chelsea", "rocket", "camera", "brick", "grass", "gravel")
    photos = []
    for name in names:
        picture = getattr(data, name)()
        if picture.ndim == 2:
            photos.append(cv2.cvtColor(picture, cv2.COLOR_GRAY2BGR))
        else:
            photos.append(cv2.cvtColor(picture[:, :, :3], cv2.COLOR_RGB2BGR))
    return photos


def rescaled(image: np.ndarray, factor: float) -> np.ndarray:
    """``image`` resized by ``factor`` (at least a pixel each way): cubic when enlarging, area
    averaging when shrinking."""
    h, w = image.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(image, size, interpolation=interpolation)


def compare(pairs: list[tuple[str, str]], read: list[str], other_read: list[str]) -> dict:
    """The second model's figures and the plates only one of the two reads exactly."""
    expected = [digits for _, digits in pairs]
    result: dict = score(expected, other_read)
    result["only_model"] = [
        name
        for (name, want), mine, theirs in zip(pairs, read, other_read, strict=True)
        if mine == want != theirs
    ]
    result["only_against"] = [
        name
        for (name, want), mine, theirs in zip(pairs, read, other_read, strict=True)
        if theirs == want != mine
    ]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--against", type=Path, default=None, help="a second model to compare")
    parser.add_argument(
        "--border", type=float, default=None, help="also read each plate framed by this much grey"
    )
    parser.add_argument(
        "--surround",
        default="grey",
        choices=("grey", "noise", "photo"),
        help="what the --border band holds: flat grey, blurred noise or pieces of photos",
    )
    parser.add_argument(
        "--scale", type=float, default=None, help="also read each plate resized by this factor"
    )
    parser.add_argument("--mode", default="plate", choices=("plate", "auto"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--errors", action="store_true", help="list the misread plates")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    # As the command line reads: one OpenCV and one BLAS thread (their pools cost more than
    # they give on plate-sized images), so the figures are one core's.
    one_thread_each()
    model = load_model(args.model)
    pairs = load_labels(args.folder)
    images = [read_image(args.folder / name) for name, _ in pairs]
    expected = [digits for _, digits in pairs]
    times = []
    cpu_times = []
    readings = []
    for _ in range(max(1, args.repeat)):
        started, cpu_started = time.perf_counter(), time.process_time()
        readings = [model.read(image, mode=args.mode) for image in images]
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    read = [r.text for r in readings]
    result: dict = score(expected, read)
    result["plates"] = len(pairs)
    result["plates_per_s"] = len(pairs) / float(np.median(times))
    # CPU time of this process: on a shared machine, less disturbed by other jobs than the
    # wall clock.
    result["plates_per_cpu_s"] = len(pairs) / max(1e-9, float(np.median(cpu_times)))
    result["auto_as_plate"] = float(np.mean([r.mode == "plate" for r in readings]))
    layouts = load_layouts(args.folder)
    per_layout = {}
    for layout in sorted(set(layouts) - {""}):
        rows = [i for i, lay in enumerate(layouts) if lay == layout]
        per_layout[layout] = score([expected[i] for i in rows], [read[i] for i in rows])
        per_layout[layout]["plates"] = len(rows)
    if per_layout:
        result["per_layout"] = per_layout
    if args.against is not None:
        other = load_model(args.against)
        other_read = [other.read(image, mode=args.mode).text for image in images]
        result["against"] = compare(pairs, read, other_read)
    if args.border is not None:
        levels = np.random.default_rng(0).integers(20, 200, len(images)).tolist()
        photos = sample_photos() if args.surround == "photo" else None
        framed = [
            with_border(
                image,
                args.border,
                level,
                rng=np.random.default_rng([0, i]) if args.surround != "grey" else None,
                photos=photos,
            )
            for i, (image, level) in enumerate(zip(images, levels, strict=True))
        ]
        result["border"] = compare(
            pairs, read, [model.read(image, mode=args.mode).text for image in framed]
        )
    if args.scale is not None:
        if args.scale <= 0:
            parser.error(f"--scale must be positive, got {args.scale:g}")
        resized = [rescaled(image, args.scale) for image in images]
        result["scale"] = compare(
            pairs, read, [model.read(image, mode=args.mode).text for image in resized]
        )
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(
            f"{args.folder}: {len(pairs)} plates, exact {result['exact']:.1%}, "
            f"digit accuracy {result['digit_accuracy']:.1%}, "
            f"{result['plates_per_s']:.0f} plates/s wall, "
            f"{result['plates_per_cpu_s']:.0f} per CPU second (medians of {len(times)})"
        )
        for layout, figures in per_layout.items():
            print(
                f"  {layout}: {figures['plates']} plates, exact {figures['exact']:.1%}, "
                f"digit accuracy {figures['digit_accuracy']:.1%}"
            )
        if "border" in result:
            border = result["border"]
            print(
                f"framed by {args.border:g} of the height in {args.surround}: "
                f"exact {border['exact']:.1%}, "
                f"digit accuracy {border['digit_accuracy']:.1%} "
                f"({len(border['only_against'])} plates read only so, "
                f"{len(border['only_model'])} only as cropped)"
            )
        if "scale" in result:
            scaled = result["scale"]
            print(
                f"resized by {args.scale:g}: exact {scaled['exact']:.1%}, "
                f"digit accuracy {scaled['digit_accuracy']:.1%} "
                f"({len(scaled['only_against'])} plates read only so, "
                f"{len(scaled['only_model'])} only as given)"
            )
        if "against" in result:
            against = result["against"]
            print(
                f"against {args.against}: exact {against['exact']:.1%}, digit accuracy "
                f"{against['digit_accuracy']:.1%}; model - against: "
                f"{100 * (result['exact'] - against['exact']):+.1f} points exact "
                f"({len(against['only_model'])} plates read only by the model, "
                f"{len(against['only_against'])} only by the other)"
            )
            for key, who in (("only_model", "model"), ("only_against", "against")):
                for name in against[key]:
                    print(f"  only {who}: {name}")
    if args.errors:
        for (name, want), reading in zip(pairs, readings, strict=True):
            if reading.text != want:
                chars = " ".join(
                    f"{c.label}{'' if c.is_digit else '?'}:{c.confidence:.2f}"
                    for c in reading.characters
                )
                print(f"  {name}: want {want} read {reading.text}   [{chars}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
