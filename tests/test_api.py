"""The Python API: cheap to import, and the same results as the command line for the same images."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from conftest import draw_digit, write_png

import platedigits


def run(*args: str | Path) -> Result:
    from platedigits.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Single digits in several plate colours, a plate, and one file that is not an image."""
    root = tmp_path_factory.mktemp("api")
    paths = [
        write_png(root / f"{d}-{colours}.png", draw_digit(d, colours=colours))
        for d, colours in [("3", "white"), ("5", "blue"), ("8", "yellow"), ("0", "white")]
    ]
    plate = np.full((64, 200, 3), 245, np.uint8)
    for i, d in enumerate("7261"):
        plate[8:56, 20 + 40 * i : 50 + 40 * i] = draw_digit(d, size=(48, 30))
    paths.append(write_png(root / "plate.png", plate))
    broken = root / "broken.png"
    broken.write_bytes(b"not a png")
    paths.append(broken)
    return paths


@pytest.fixture(scope="module")
def model() -> platedigits.Model:
    return platedigits.load_model()


def test_import_is_cheap() -> None:
    code = (
        "import sys, platedigits; "
        "print(sorted(m for m in ('numpy', 'cv2', 'click', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_export_resolves() -> None:
    for name in platedigits.__all__:
        assert getattr(platedigits, name) is not None, name
    assert set(platedigits.__all__) <= set(dir(platedigits))
    assert issubclass(platedigits.ModelError, platedigits.PlateDigitsError)
    assert issubclass(platedigits.MissingDependencyError, ImportError)
    with pytest.raises(AttributeError):
        _ = platedigits.no_such_thing  # type: ignore[attr-defined]


def test_load_model_default_and_path(model: platedigits.Model, tmp_path: Path) -> None:
    assert isinstance(model, platedigits.Model)
    assert model.classes == [str(d) for d in range(10)]
    copy = tmp_path / "copy.npz"
    model.save(copy)
    again = platedigits.load_model(copy)
    assert again.classes == model.classes and again.feature_config == model.feature_config
    with pytest.raises(platedigits.ModelError):
        platedigits.load_model(tmp_path / "missing.npz")


def test_features_is_a_function_and_the_module(images: list[Path]) -> None:
    import platedigits.features as features_module
    from platedigits.features import FeatureConfig, image_features
    from platedigits.imageio import read_image

    # The submodule is loaded by now (load_model imports it): still callable, still a module.
    assert platedigits.features is features_module
    assert features_module.FeatureConfig is FeatureConfig is platedigits.FeatureConfig
    decoded = read_image(images[0])
    from_path = platedigits.features(images[0])
    assert from_path.shape == (25,) and from_path.dtype == np.float32
    np.testing.assert_array_equal(from_path, platedigits.features(decoded))
    np.testing.assert_array_equal(from_path, image_features(decoded))
    assert 0.0 < from_path.sum() < 25.0
    small = FeatureConfig(height=20, width=10, window_height=5, window_width=5)
    assert platedigits.features(decoded, config=small).shape == (8,)
    with pytest.raises(platedigits.ImageReadError):
        platedigits.features(images[-1])


def test_features_is_callable_in_a_fresh_interpreter(images: list[Path]) -> None:
    # Whichever is imported first, the submodule or the package attribute, both work.
    code = (
        "import platedigits.features as f, platedigits, sys; "
        "m = platedigits.load_model(); "
        f"print(platedigits.features({str(images[0])!r}).shape, f is platedigits.features)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(25,) True"


def test_read_matches_predict_json(model: platedigits.Model, images: list[Path]) -> None:
    readable = images[:-1]
    result = run("predict", *readable, "--format", "json", "--top-k", "3")
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout)
    from_api = [model.read(path, top_k=3).to_dict() for path in readable]
    assert from_cli == from_api
    assert [r["mode"] for r in from_api] == ["char"] * 4 + ["plate"]
    reading = model.read(readable[-1])
    assert reading.ok and reading.mode == "plate" and len(reading.characters) >= 2
    assert reading.text == "".join(c.label for c in reading.characters if c.is_digit)


def test_read_many_matches_predict_jsonl_and_csv(
    model: platedigits.Model, images: list[Path]
) -> None:
    readings = model.read_many(images)
    assert isinstance(readings, types.GeneratorType)  # lazy: one result at a time
    records = [r.to_dict(details=False) for r in readings]
    assert records[-1]["error"] is not None and records[-1]["text"] == ""

    result = run("predict", *images, "--format", "jsonl")
    assert result.exit_code == 1  # the broken file
    assert [json.loads(line) for line in result.stdout.splitlines()] == records

    result = run("predict", *images, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["path"] for row in rows] == [r["path"] for r in records]
    assert [row["text"] for row in rows] == [r["text"] for r in records]
    assert [row["confidence"] for row in rows] == [
        "" if r["confidence"] is None else str(r["confidence"]) for r in records
    ]


def test_read_accepts_arrays_like_paths(model: platedigits.Model, images: list[Path]) -> None:
    from platedigits.imageio import read_image

    by_path = model.read(images[1]).to_dict()
    by_array = model.read(read_image(images[1])).to_dict()
    assert by_array.pop("path") is None and by_path.pop("path") == str(images[1])
    assert by_array == by_path
    assert json.loads(json.dumps(by_path)) == by_path  # JSON-ready as it is


def test_train_in_code(digit_folder: Path) -> None:
    data = platedigits.load_labelled_features(digit_folder)
    network = platedigits.BPNetwork((32,), epochs=60, seed=1)
    model = platedigits.train_model(
        data.features, data.labels, feature_config=platedigits.FeatureConfig(), network=network
    )
    assert model.classes == [str(d) for d in range(10)]
    assert network.score(data.features, data.labels) > 0.8
    reading = model.read(draw_digit("6", colours="blue", thickness=3))
    assert reading.ok and reading.mode == "char" and reading.text in model.classes
