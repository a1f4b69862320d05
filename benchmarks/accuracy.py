"""Accuracy of a model on labelled folders, beside scikit-learn's MLP trained on the same data.

Usage (from a checkout)::

    python benchmarks/accuracy.py ../shared/data/digits-cn
    python benchmarks/accuracy.py --model models/default.npz FOLDER [FOLDER ...]
    PLATEDIGITS_REAL_DATA=/work/shared/data python benchmarks/accuracy.py   # digits-cn in there

For every folder (``FOLDER/<label>/*.png``) it prints the accuracy overall and per class of the
model, and of a baseline: ``sklearn.neural_network.MLPClassifier`` trained in the same run on
the same synthetic data and features the shipped model is built from (see models/build.py), so
the generator and the network can be judged apart. ``--no-baseline`` skips it (no sklearn
needed), ``--per-class`` and ``--seed`` change the baseline's synthetic training set.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from platedigits.data import load_labelled_features  # noqa: E402
from platedigits.modelfile import load_model_file  # noqa: E402


def _build_module():
    try:
        from platedigits.models import build  # installed package
    except ImportError:
        sys.path.insert(0, str(REPO / "models"))
        import build  # checkout: models/build.py
    return build


def _per_class(pred: np.ndarray, y: np.ndarray) -> dict[str, tuple[float, int]]:
    return {str(c): (float(np.mean(pred[y == c] == c)), int(np.sum(y == c))) for c in np.unique(y)}


def _default_folders() -> list[Path]:
    root = os.environ.get("PLATEDIGITS_REAL_DATA")
    if not root:
        return []
    folder = Path(root) / "digits-cn"
    return [folder] if folder.is_dir() else []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, help="labelled folders FOLDER/<label>/*")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: shipped)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the sklearn baseline")
    parser.add_argument("--per-class", type=int, default=None, help="baseline synthetic samples")
    parser.add_argument("--seed", type=int, default=None, help="baseline synthetic seed")
    parser.add_argument("--workers", type=int, default=2, help="processes for rendering")
    args = parser.parse_args(argv)

    folders = list(args.folders) or _default_folders()
    if not folders:
        parser.error("give one or more labelled folders (or set PLATEDIGITS_REAL_DATA)")
    build = _build_module()
    model_path = args.model if args.model is not None else build.DEFAULT_OUT
    parts = load_model_file(model_path)
    config = parts.feature_config
    columns: list[tuple[str, Any]] = [("model", parts.network)]
    print(f"model: {model_path}  features: {config.to_dict()}")

    if not args.no_baseline:
        from sklearn.neural_network import MLPClassifier

        training = parts.metadata.get("training", {})
        per_class = args.per_class or int(training.get("per_class", build.PER_CLASS))
        seed = args.seed if args.seed is not None else int(training.get("seed", build.SEED))
        t0 = time.perf_counter()
        X, y, _ = build.training_features(
            per_class=per_class, seed=seed, config=config, workers=args.workers
        )
        hidden = tuple(parts.network.get_config().get("hidden_layer_sizes", (64,)))
        sk = MLPClassifier(
            hidden, max_iter=300, early_stopping=True, n_iter_no_change=15, random_state=0
        ).fit(X, y)
        print(
            f"baseline: sklearn MLPClassifier{hidden} on the same {len(y)} synthetic samples "
            "(crops and digits cut from plates) "
            f"(seed {seed}), {time.perf_counter() - t0:.0f}s"
        )
        columns.append(("sklearn", sk))

    for folder in folders:
        data = load_labelled_features(folder, config=config)
        y = np.asarray(data.labels).astype(str)
        results = {
            name: np.asarray(clf.predict(data.features)).astype(str) for name, clf in columns
        }
        print(f"\n{folder}  ({len(y)} images, {len(data.skipped)} unreadable)")
        header = f"{'class':>6} {'n':>6} " + " ".join(f"{name:>9}" for name, _ in columns)
        print(header)
        per = {name: _per_class(pred, y) for name, pred in results.items()}
        for c in sorted(per[columns[0][0]]):
            n = per[columns[0][0]][c][1]
            cells = " ".join(f"{100 * per[name][c][0]:8.2f}%" for name, _ in columns)
            print(f"{c:>6} {n:>6} {cells}")
        total = " ".join(f"{100 * float(np.mean(results[name] == y)):8.2f}%" for name, _ in columns)
        print(f"{'all':>6} {len(y):>6} {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
