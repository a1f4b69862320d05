"""Python API latency: ``model.read(image)`` for one crop, in process, model loaded once.

Reports the median time per call for a decoded image and for a path (decode included), per
image for ``model.read_many`` over all the paths, and as a baseline in the same run,
``cv2.imread`` of the same file. Goal: well under a millisecond.

    python benchmarks/api_latency.py [DIGITS_DIR] [--model MODEL] [--calls 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import benchmark_model, image_files, machine, real_digits


def per_call(function, items: list, rounds: int = 5) -> float:  # type: ignore[type-arg,no-untyped-def]
    """Median over rounds of the mean seconds per call over ``items``."""
    means = []
    for _ in range(rounds):
        started = time.perf_counter()
        for item in items:
            function(item)
        means.append((time.perf_counter() - started) / len(items))
    return statistics.median(means)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="labelled folder of crops (digits-cn)")
    parser.add_argument("--model", help="model file (default: shipped, else trained here)")
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    import cv2

    from platedigits import load_model

    data = real_digits(args.data)
    with tempfile.TemporaryDirectory(prefix="platedigits-api-") as tmp:
        model = load_model(args.model or benchmark_model(Path(tmp), data))
    paths = [str(p) for p in image_files(data)[: args.calls]]
    images = [cv2.imread(p, cv2.IMREAD_UNCHANGED) for p in paths]
    model.read(images[0])  # first call imports the plate check
    imread = per_call(lambda p: cv2.imread(p, cv2.IMREAD_UNCHANGED), paths)
    decoded = per_call(model.read, images)
    from_path = per_call(model.read, paths)
    many = per_call(lambda chunk: list(model.read_many(chunk)), [paths]) / len(paths)
    print(f"machine: {machine()}")
    print(f"{len(paths)} crops from {data}, median of 5 rounds")
    print(f"cv2.imread (baseline):        {imread * 1e6:7.1f} us per image")
    print(f"model.read(decoded image):    {decoded * 1e6:7.1f} us per image")
    print(f"model.read(path):             {from_path * 1e6:7.1f} us per image")
    print(f"model.read_many(paths):       {many * 1e6:7.1f} us per image (batched)")
    print("goal: well under 1000 us")


if __name__ == "__main__":
    main()
