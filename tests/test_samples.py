"""The pictures of the quick start (samples/) read as what they show, with the shipped model.

``samples/labels.csv`` is written by ``samples/make_samples.py`` next to the pictures; a model
rebuild that stops reading one of them fails here (then rebuild the samples by the rule in
``make_samples.py`` and say so, or fix the model).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from platedigits.model import load_model

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _labels() -> list[tuple[str, str]]:
    with (SAMPLES / "labels.csv").open(newline="", encoding="utf-8") as handle:
        return [(row["file"], row["expected_reading"]) for row in csv.DictReader(handle)]


def test_every_sample_picture_is_labelled() -> None:
    labelled = {name for name, _ in _labels()}
    assert labelled == {p.name for p in SAMPLES.glob("*.png")}
    assert len(labelled) >= 6


@pytest.mark.parametrize(("name", "expected"), _labels())
def test_sample_reads_as_its_label(name: str, expected: str) -> None:
    # The quick start runs `platedigits predict samples/*.png`: default model, auto mode.
    reading = load_model().read(SAMPLES / name)
    assert reading.ok, reading.error
    assert reading.text == expected
