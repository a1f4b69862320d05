"""Accuracy, per-class precision and recall, and the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def confusion_matrix(
    true: Sequence[str] | np.ndarray, predicted: Sequence[str] | np.ndarray, labels: Sequence[str]
) -> np.ndarray:
    """Count (true, predicted) pairs.

    Parameters
    ----------
    true, predicted : sequence of str
        ``n`` labels each.
    labels : sequence of str
        Row and column order; every label in ``true`` and ``predicted`` must be in it.

    Returns
    -------
    numpy.ndarray
        ``(len(labels), len(labels))`` int64; ``[i, j]`` counts true ``labels[i]`` read as
        ``labels[j]``.
    """
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    rows = np.fromiter((index[str(t)] for t in true), dtype=np.int64)
    cols = np.fromiter((index[str(p)] for p in predicted), dtype=np.int64)
    np.add.at(matrix, (rows, cols), 1)
    return matrix


def evaluate_predictions(
    true: Sequence[str] | np.ndarray,
    predicted: Sequence[str] | np.ndarray,
    *,
    classes: Sequence[str],
) -> dict[str, Any]:
    """Summarise how well ``predicted`` matches ``true``.

    Parameters
    ----------
    true, predicted : sequence of str
        ``n`` labels each.
    classes : sequence of str, keyword-only
        The model's classes; labels of the data that the model does not know are added.

    Returns
    -------
    dict
        ``accuracy`` (fraction in [0, 1]), ``n``, ``correct``, ``labels`` (row/column order),
        ``per_class`` ({label: {"precision", "recall", "support"}}; precision or recall is None
        where nothing was predicted or present) and ``confusion`` (list of rows, true by
        predicted).

    Examples
    --------
    >>> report = evaluate_predictions(["1", "1", "2"], ["1", "2", "2"], classes=["1", "2"])
    >>> report["accuracy"], report["per_class"]["2"]["precision"]
    (0.6666666666666666, 0.5)
    """
    true = [str(t) for t in true]
    predicted = [str(p) for p in predicted]
    labels = sorted(set(map(str, classes)) | set(true) | set(predicted))
    matrix = confusion_matrix(true, predicted, labels)
    correct = int(np.trace(matrix))
    n = len(true)
    per_class = {}
    for i, label in enumerate(labels):
        hits = int(matrix[i, i])
        predicted_count = int(matrix[:, i].sum())
        support = int(matrix[i].sum())
        per_class[label] = {
            "precision": hits / predicted_count if predicted_count else None,
            "recall": hits / support if support else None,
            "support": support,
        }
    return {
        "accuracy": correct / n if n else 0.0,
        "n": n,
        "correct": correct,
        "labels": labels,
        "per_class": per_class,
        "confusion": matrix.tolist(),
    }
