"""The pictures: every one is written, decodes, has a sensible size and is not blank."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner, Result
from conftest import draw_digit, write_png

from platedigits import explain
from platedigits.errors import MissingDependencyError
from platedigits.features import FeatureConfig, image_features
from platedigits.model import CharacterReading, Reading, load_model

pytest.importorskip("matplotlib", reason="the pictures need the plot extra")

WINNER_RGB = (0xD6, 0x27, 0x28)  # explain._WINNER, the colour that marks the network's answer


def assert_picture(picture: np.ndarray, *, min_h: int = 300, min_w: int = 500) -> None:
    """A real picture: RGB uint8, big enough to read, with plenty of different colours."""
    assert picture.dtype == np.uint8 and picture.ndim == 3 and picture.shape[2] == 3
    h, w = picture.shape[:2]
    assert min_h <= h <= 3000 and min_w <= w <= 4000, picture.shape
    assert float(picture.std()) > 15.0
    colours = np.unique(picture.reshape(-1, 3)[::7], axis=0)
    assert len(colours) > 50


def has_colour(picture: np.ndarray, rgb: tuple[int, int, int], *, min_pixels: int = 50) -> bool:
    match = np.all(np.abs(picture.astype(int) - np.asarray(rgb)) <= 3, axis=2)
    return int(match.sum()) >= min_pixels


def decoded(path: Path) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, f"{path} does not decode"
    return image[:, :, ::-1]


def run(*args: str | Path) -> Result:
    from platedigits.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return load_model()


# -- the steps ---------------------------------------------------------------------------------


@pytest.mark.parametrize("colours", ["white", "blue", "yellow"])
def test_steps_end_in_the_features_a_model_uses(colours: str, model) -> None:  # type: ignore[no-untyped-def]
    image = draw_digit("4", colours=colours)
    steps = explain.character_steps(image, config=model.feature_config)
    assert steps.gray.shape == image.shape[:2] and steps.gray.dtype == np.uint8
    assert set(np.unique(steps.binary)) <= {0, 255}
    # The character comes out white whatever the plate colour: less than half the box is ink.
    assert 0 < np.count_nonzero(steps.binary) < 0.5 * steps.binary.size
    assert steps.cropped.shape[0] <= image.shape[0] and steps.cropped.any()
    assert steps.normalized.shape == (25, 15)
    np.testing.assert_array_equal(steps.features, model.features(image))
    np.testing.assert_array_equal(steps.features, image_features(image))


def test_steps_follow_the_config() -> None:
    config = FeatureConfig(height=30, width=20, window_height=5, window_width=4)
    steps = explain.character_steps(draw_digit("8"), config=config)
    assert steps.normalized.shape == (30, 20) and steps.features.shape == (30,)


# -- the pictures ------------------------------------------------------------------------------


def test_character_picture_marks_the_winner(model) -> None:  # type: ignore[no-untyped-def]
    image = draw_digit("7")
    probabilities = model.predict_proba(model.features(image)[None])[0]
    picture = explain.explain_character_picture(
        image, config=model.feature_config, classes=model.classes, probabilities=probabilities
    )
    assert_picture(picture, min_h=600, min_w=1000)
    assert has_colour(picture, WINNER_RGB, min_pixels=500)
    without = explain.explain_character_picture(image, config=model.feature_config)
    assert_picture(without)
    assert without.shape[0] < picture.shape[0]  # no probability panel
    assert not has_colour(without, WINNER_RGB)


def test_character_picture_of_a_blank_image() -> None:
    picture = explain.explain_character_picture(np.full((40, 30), 128, np.uint8))
    assert_picture(picture)


def test_character_picture_rejects_mismatched_probabilities() -> None:
    with pytest.raises(ValueError, match="same length"):
        explain.explain_character_picture(
            draw_digit("1"), classes=["0", "1"], probabilities=np.array([0.2, 0.3, 0.5])
        )


def test_plate_picture_draws_every_box() -> None:
    plate = np.full((60, 200, 3), 235, np.uint8)
    boxes = [(10 + 40 * i, 10, 25, 40) for i in range(4)]
    characters = tuple(
        CharacterReading(str(i), 0.9, i != 2, box, ((str(i), 0.9), ("8", 0.05)))
        for i, box in enumerate(boxes)
    )
    reading = Reading(text="013", confidence=0.9, mode="plate", characters=characters)
    picture = explain.explain_plate_picture(plate, reading, title="plate")
    assert_picture(picture)
    green = has_colour(picture, (0x2C, 0xA0, 0x2C), min_pixels=200)
    grey = has_colour(picture, (0x6B, 0x77, 0x85), min_pixels=100)
    assert green and grey  # digits and the rejected character are told apart
    empty = explain.explain_plate_picture(plate, Reading(text="", confidence=0.0, mode="plate"))
    assert_picture(empty, min_w=400)


def test_plate_picture_of_a_real_reading(model) -> None:  # type: ignore[no-untyped-def]
    digits = [draw_digit(d, size=(48, 30)) for d in "4821"]
    plate = np.full((64, 30 * 4 + 40, 3), 245, np.uint8)
    for i, digit in enumerate(digits):
        plate[8:56, 20 + 30 * i : 50 + 30 * i] = digit
    reading = model.read(plate, mode="plate", top_k=3)
    assert_picture(explain.explain_plate_picture(plate, reading))


def test_training_curves() -> None:
    loss = [2.0 / (1 + e) for e in range(30)]
    picture = explain.training_curves_picture(
        loss,
        val_loss=[v + 0.1 for v in loss],
        accuracy=[min(1.0, 0.5 + e / 40) for e in range(30)],
        val_accuracy=[None] * 3 + [0.6 + e / 100 for e in range(27)],
        best_epoch=20,
    )
    assert_picture(picture)
    assert_picture(explain.training_curves_picture([1.0]), min_w=500)
    with pytest.raises(ValueError):
        explain.training_curves_picture([])


def test_evaluation_picture_with_mistakes() -> None:
    labels = [str(d) for d in range(10)]
    confusion = np.diag(np.full(10, 30))
    confusion[3, 8] = 4
    mistakes = [
        explain.Mistake(draw_digit("3"), "3", "8", 0.9 - 0.01 * i, f"3/{i:03d}.png")
        for i in range(30)
    ]
    picture = explain.evaluation_picture(confusion, labels, mistakes=mistakes)
    assert_picture(picture, min_h=500, min_w=1000)
    alone = explain.evaluation_picture(confusion, labels)
    assert_picture(alone, min_h=500)
    assert alone.shape[1] < picture.shape[1]
    with pytest.raises(ValueError, match="10x10"):
        explain.evaluation_picture(confusion[:9], labels)


def test_write_picture_round_trips(tmp_path: Path) -> None:
    picture = explain.training_curves_picture([1.0, 0.5, 0.25])
    out = explain.write_picture(picture, tmp_path / "curves.png")
    np.testing.assert_array_equal(decoded(out), picture)
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]  # no partial file left
    with pytest.raises(ValueError):
        explain.write_picture(picture, tmp_path / "curves.nope")
    with pytest.raises(ValueError):
        explain.write_picture(picture[:, :, 0], tmp_path / "grey.png")


def test_missing_matplotlib_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"platedigits\[plot\]"):
        explain.check_plotting()
    with pytest.raises(MissingDependencyError, match=r"platedigits\[plot\]"):
        explain.training_curves_picture([1.0])
    # Still computes the steps: only the drawing needs matplotlib.
    assert explain.character_steps(draw_digit("2")).features.shape == (25,)


# -- the command line --------------------------------------------------------------------------


def test_explain_command_for_a_character_and_a_plate(tmp_path: Path, model) -> None:  # type: ignore[no-untyped-def]
    digit = write_png(tmp_path / "seven.png", draw_digit("7"))
    result = run("explain", digit, "--out", tmp_path / "steps.png", "--mode", "char")
    assert result.exit_code == 0, result.output
    expected = model.read(digit, mode="char")
    assert result.stdout == f"{digit}\t{expected.text}\t{expected.confidence:.4f}\n"
    picture = decoded(tmp_path / "steps.png")
    assert_picture(picture, min_h=600, min_w=1000)
    assert has_colour(picture, WINNER_RGB, min_pixels=500)

    plate = np.full((64, 200, 3), 245, np.uint8)
    for i, d in enumerate("3906"):
        plate[8:56, 20 + 40 * i : 50 + 40 * i] = draw_digit(d, size=(48, 30))
    path = write_png(tmp_path / "plate.png", plate)
    result = run("explain", path, "-o", tmp_path / "plate-steps.png", "--mode", "plate", "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert_picture(decoded(tmp_path / "plate-steps.png"))


def test_explain_command_errors_are_one_line(tmp_path: Path) -> None:
    result = run("explain", tmp_path / "missing.png", "--out", tmp_path / "x.png")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and result.stderr.count("\n") == 1
    digit = write_png(tmp_path / "one.png", draw_digit("1"))
    result = run("explain", digit, "--out", tmp_path / "no" / "such" / "dir.png")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not (tmp_path / "x.png").exists()


def test_plot_commands_without_matplotlib_fail_first(
    tmp_path: Path, digit_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "model.npz"
    result = run("train", digit_folder, "--out", out, "--plot", tmp_path / "c.png")
    assert result.exit_code == 1
    assert "platedigits[plot]" in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists()  # refused before training, not after
    result = run("evaluate", digit_folder, "--plot", tmp_path / "m.png")
    assert result.exit_code == 1 and "platedigits[plot]" in result.stderr
    digit = write_png(tmp_path / "one.png", draw_digit("1"))
    result = run("explain", digit, "--out", tmp_path / "e.png")
    assert result.exit_code == 1 and "platedigits[plot]" in result.stderr


def test_train_and_evaluate_plots(tmp_path: Path, digit_folder: Path) -> None:
    model_path = tmp_path / "model.npz"
    curves = tmp_path / "curves.png"
    result = run(
        "train", digit_folder, "--out", model_path, "--epochs", "40", "--plot", curves, "-q"
    )
    assert result.exit_code == 0, result.output
    assert_picture(decoded(curves))
    # The picture sits beside the normal summary, which is unchanged, and so is the model.
    assert "validation accuracy:" in result.stdout
    plain = tmp_path / "plain.npz"
    assert run("train", digit_folder, "--out", plain, "--epochs", "40", "-q").exit_code == 0
    assert plain.read_bytes() == model_path.read_bytes()

    confusion = tmp_path / "confusion.png"
    result = run("evaluate", digit_folder, "--model", model_path, "--plot", confusion)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("accuracy:")
    assert f"wrote {confusion}" in result.stderr
    assert_picture(decoded(confusion), min_h=500)
    result = run(
        "evaluate", digit_folder, "--model", model_path, "--plot", confusion, "--format", "json"
    )
    assert result.exit_code == 0
    assert result.stdout.lstrip().startswith("{")  # the picture does not disturb the JSON
