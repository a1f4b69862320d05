"""Start-up: ``platedigits predict one.png`` against ``python -c "import cv2, numpy"``.

Both run as fresh processes, interleaved; medians are compared. The predict run includes
reading the image, loading the model and printing the answer. Goal: at most 1.5x the bare
import. ``python -X importtime -m platedigits predict ...`` shows what is imported.

    python benchmarks/startup.py [IMAGE] [--model MODEL] [--repeats 15]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    PYTHON,
    REPO,
    benchmark_model,
    image_files,
    interleaved,
    machine,
    median,
    real_digits,
    run_timed,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", help="one character crop (default: a digits-cn file)")
    parser.add_argument("--model", help="model file (default: shipped, else trained here)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="platedigits-startup-") as tmp:
        data = None if args.image and args.model else real_digits(None)
        image = args.image or str(image_files(data)[0])  # type: ignore[arg-type]
        model = args.model or str(benchmark_model(Path(tmp), data))  # type: ignore[arg-type]
        predict = [PYTHON, "-m", "platedigits", "predict", image, "--model", model]
        bare = [PYTHON, "-c", "import cv2, numpy"]
        run_timed(predict, cwd=REPO)  # compile caches, page cache
        times = interleaved(
            {
                "import cv2, numpy": lambda: run_timed(bare, cwd=REPO),
                "platedigits predict": lambda: run_timed(predict, cwd=REPO),
            },
            args.repeats,
        )
    base, ours = median(times["import cv2, numpy"]), median(times["platedigits predict"])
    print(f"machine: {machine()}")
    print(f"repeats: {args.repeats}, image: {image}")
    print(f'python -c "import cv2, numpy":  {base * 1000:.0f} ms (median)')
    print(f"platedigits predict one.png:    {ours * 1000:.0f} ms (median)")
    print(f"ratio: {ours / base:.2f}x (goal: at most 1.5x)")


if __name__ == "__main__":
    main()
