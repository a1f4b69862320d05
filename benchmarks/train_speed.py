"""Training speed: ``platedigits train`` against reading + the same features + scikit-learn.

The data is split per class into a training part (80%) and a held-out part (20%), as hard links
in a temporary folder. Both sides run as fresh processes, interleaved, timed from start to end:

- baseline: read every training file with ``cv2.imread``, compute the same 25 features one image
  at a time (``platedigits.features.image_features``), fit
  ``sklearn.neural_network.MLPClassifier(hidden_layer_sizes=(64,))`` with its defaults;
- ``platedigits train TRAIN --out model.npz`` with default options.

Accuracy of both on the held-out part is reported (not timed). Goal: platedigits takes at most
half the baseline's time, at equal or better accuracy. Needs scikit-learn (the dev extra).

    python benchmarks/train_speed.py [DIGITS_DIR] [--repeats 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, REPO, bench_env, interleaved, machine, median, real_digits, run_timed

BASELINE = r"""
import json, os, sys
import cv2
import numpy as np
from sklearn.neural_network import MLPClassifier
from platedigits.features import image_features

def load(root):
    X, y = [], []
    for label in sorted(os.listdir(root)):
        folder = os.path.join(root, label)
        for name in sorted(os.listdir(folder)):
            X.append(image_features(cv2.imread(os.path.join(folder, name), cv2.IMREAD_UNCHANGED)))
            y.append(label)
    return np.array(X), np.array(y)

X, y = load(sys.argv[1])
model = MLPClassifier(hidden_layer_sizes=(64,), random_state=0).fit(X, y)
if len(sys.argv) > 3:
    Xt, yt = load(sys.argv[2])
    with open(sys.argv[3], "w") as out:
        accuracy = float((model.predict(Xt) == yt).mean())
        json.dump({"accuracy": accuracy, "epochs": model.n_iter_}, out)
"""


def split(data: Path, target: Path, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    train, test = target / "train", target / "test"
    for label in sorted(p.name for p in data.iterdir() if p.is_dir()):
        files = sorted((data / label).glob("*.png"))
        rng.shuffle(files)
        cut = round(0.8 * len(files))
        for part, chosen in ((train, files[:cut]), (test, files[cut:])):
            (part / label).mkdir(parents=True, exist_ok=True)
            for f in chosen:
                os.link(f, part / label / f.name)
    return train, test


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="labelled folder of crops (digits-cn)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0, help="seed of the train/held-out split")
    args = parser.parse_args()
    data = real_digits(args.data)
    with tempfile.TemporaryDirectory(prefix="platedigits-train-") as tmp:
        work = Path(tmp)
        train, test = split(data, work, args.seed)
        script = work / "baseline.py"
        script.write_text(BASELINE)
        model = work / "model.npz"
        env = bench_env({"PYTHONPATH": str(REPO)})
        times = interleaved(
            {
                "baseline": lambda: run_timed([PYTHON, str(script), str(train)], env=env),
                "platedigits": lambda: run_timed(
                    [PYTHON, "-m", "platedigits", "train", str(train), "--out", str(model)],
                    cwd=REPO,
                ),
            },
            args.repeats,
        )
        scores = work / "baseline.json"
        run_timed([PYTHON, str(script), str(train), str(test), str(scores)], env=env)
        baseline_accuracy = json.loads(scores.read_text())["accuracy"]
        result = subprocess.run(
            [
                PYTHON,
                "-m",
                "platedigits",
                "evaluate",
                str(test),
                "--model",
                str(model),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=True,
        )
        ours_accuracy = json.loads(result.stdout)["accuracy"]
        detail = subprocess.run(
            [PYTHON, "-m", "platedigits", "train", str(train), "--out", str(model)],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=True,
        ).stdout
    print(f"machine: {machine()}")
    print(f"data: {data} split 80/20 per class (seed {args.seed}), repeats: {args.repeats}")
    for name, values in times.items():
        print(f"{name:12s} " + "  ".join(f"{v:.2f}s" for v in values))
    base, ours = median(times["baseline"]), median(times["platedigits"])
    print(
        f"baseline (cv2.imread + image_features + sklearn MLP(64)): {base:.2f} s, "
        f"held-out accuracy {baseline_accuracy:.4f}"
    )
    print(
        f"platedigits train (defaults):                            {ours:.2f} s, "
        f"held-out accuracy {ours_accuracy:.4f}"
    )
    print(f"platedigits / baseline time: {ours / base:.0%} (goal: at most 50%)")
    print(
        "platedigits' own split: "
        + " | ".join(line for line in detail.splitlines() if line.startswith(("time:", "epochs:")))
    )


if __name__ == "__main__":
    main()
