from __future__ import annotations

from platedigits.evaluation import confusion_matrix, evaluate_predictions


def test_confusion_matrix_counts_pairs() -> None:
    matrix = confusion_matrix(["a", "a", "b", "b", "b"], ["a", "b", "b", "b", "a"], ["a", "b"])
    assert matrix.tolist() == [[1, 1], [1, 2]]


def test_report() -> None:
    report = evaluate_predictions(
        ["1", "1", "2", "3"], ["1", "2", "2", "2"], classes=["1", "2", "3", "4"]
    )
    assert report["n"] == 4 and report["correct"] == 2 and report["accuracy"] == 0.5
    assert report["per_class"]["2"] == {"precision": 1 / 3, "recall": 1.0, "support": 1}
    assert report["per_class"]["3"]["recall"] == 0.0
    assert report["per_class"]["4"] == {"precision": None, "recall": None, "support": 0}
    assert report["labels"] == ["1", "2", "3", "4"]
    assert sum(map(sum, report["confusion"])) == 4


def test_labels_unknown_to_the_model_are_added() -> None:
    report = evaluate_predictions(["x"], ["1"], classes=["1"])
    assert report["labels"] == ["1", "x"] and report["accuracy"] == 0.0
