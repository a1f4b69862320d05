"""The command line, run through Click's CliRunner: stdout and stderr are checked separately."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import draw_digit, write_png

from platedigits import __version__
from platedigits.cli import main


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small labelled folder and a model trained on it through the CLI."""
    root = tmp_path_factory.mktemp("cli")
    data = root / "digits"
    n = 0
    for digit in "0123456789":
        for colours in ("blue", "yellow", "white"):
            for thickness in (2, 3, 4):
                write_png(
                    data / digit / f"{n:04d}.png",
                    draw_digit(digit, colours=colours, thickness=thickness),
                )
                n += 1
    model = root / "model.npz"
    result = run("train", data, "--out", model, "--seed", "3", "--epochs", "150")
    assert result.exit_code == 0, result.output
    return data, model


def test_version_and_help() -> None:
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout
    for command in ("predict", "batch", "train", "evaluate"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout, command


def test_train_summary_on_stdout(trained: tuple[Path, Path]) -> None:
    data, _ = trained
    out = data.parent / "again.npz"
    result = run("train", data, "--out", out, "--seed", "3", "--epochs", "150")
    assert result.exit_code == 0
    assert "classes: 0 1 2 3 4 5 6 7 8 9" in result.stdout
    assert "validation accuracy:" in result.stdout
    assert out.exists()
    # Same data and seed: the same model, byte for byte.
    assert out.read_bytes() == (data.parent / "model.npz").read_bytes()


def test_predict_text_and_json(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, model = trained
    seven = write_png(tmp_path / "seven.png", draw_digit("7", colours="yellow", thickness=3))
    result = run("predict", seven, "--model", model, "--mode", "char")
    assert result.exit_code == 0, result.stderr
    path, text, confidence = result.stdout.rstrip("\n").split("\t")
    assert path == str(seven) and text == "7" and 0.5 < float(confidence) <= 1.0
    assert result.stderr == ""

    result = run("predict", seven, "--model", model, "--format", "json", "--top-k", "3")
    records = json.loads(result.stdout)
    assert records[0]["text"] == "7" and records[0]["error"] is None
    top = records[0]["characters"][0]["top_k"]
    assert len(top) == 3 and top[0]["label"] == "7"
    assert top[0]["confidence"] >= top[1]["confidence"] >= top[2]["confidence"]


def test_predict_bad_file_does_not_stop_the_others(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    _, model = trained
    good = write_png(tmp_path / "good.png", draw_digit("3"))
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    result = run("predict", bad, good, tmp_path / "missing.png", "--model", model)
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1 and result.stdout.startswith(str(good))
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and "bad.png" in errors[0] and "missing.png" in errors[1]
    assert "Traceback" not in result.output


def test_predict_blank_image_reads_nothing(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, model = trained
    blank = write_png(tmp_path / "blank.png", draw_digit(" "))
    result = run("predict", blank, "--model", model, "--format", "json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)[0]
    assert record["text"] == "" and record["confidence"] == 0.0 and record["characters"] == []


def test_predict_runs_opencv_on_one_thread(trained: tuple[Path, Path], tmp_path: Path) -> None:
    from platedigits._cv import cv2

    _, model = trained
    image = write_png(tmp_path / "7.png", draw_digit("7"))
    before = cv2.getNumThreads()
    try:
        cv2.setNumThreads(4)
        result = run("predict", image, "--model", model)
        assert result.exit_code == 0 and result.stdout.split("\t")[1] == "7"
        # Plate-sized images: a pool of threads costs more than it gives.
        assert cv2.getNumThreads() == 1
    finally:
        cv2.setNumThreads(before)


def test_bad_model_is_one_line_error(tmp_path: Path) -> None:
    image = write_png(tmp_path / "x.png", draw_digit("1"))
    broken = tmp_path / "broken.npz"
    broken.write_text("nope")
    result = run("predict", image, "--model", broken)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and str(broken) in result.stderr
    assert result.stderr.count("\n") == 1


def test_batch_jsonl_and_csv(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, model = trained
    folder = tmp_path / "crops"
    write_png(folder / "b" / "two.png", draw_digit("2", colours="blue"))
    write_png(folder / "a" / "nine.png", draw_digit("9"))
    (folder / "labels.csv").write_text("file,label\n")
    (folder / "c").mkdir()
    (folder / "c" / "bad.jpg").write_bytes(b"")
    result = run("batch", folder, "--model", model, "--workers", "1", "--mode", "char")
    assert result.exit_code == 1  # one file failed, after all were processed
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == ["a/nine.png", "b/two.png", "c/bad.jpg"]
    assert [r["text"] for r in records] == ["9", "2", ""]
    assert records[2]["confidence"] is None and "empty" in records[2]["error"]
    assert all(set(r) == {"path", "text", "confidence", "error"} for r in records)

    output = tmp_path / "out.csv"
    result = run(
        "batch", folder, "--model", model, "--format", "csv", "--output", output, "-j", "2"
    )
    assert result.exit_code == 1 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    assert [r["path"] for r in rows] == ["a/nine.png", "b/two.png", "c/bad.jpg"]
    assert rows[0]["text"] == "9" and rows[2]["confidence"] == ""


def test_batch_resume_appends_only_missing(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, model = trained
    folder = tmp_path / "crops"
    for i, digit in enumerate("1234"):
        write_png(folder / f"{i}.png", draw_digit(digit))
    output = tmp_path / "out.jsonl"
    result = run("batch", folder, "--model", model, "--output", output, "-j", "1")
    assert result.exit_code == 0
    full = output.read_text().splitlines()
    # Interrupted after two records and half of the third.
    output.write_text("\n".join(full[:2]) + "\n" + full[2][:10])
    result = run("batch", folder, "--model", model, "--output", output, "--resume", "-j", "1")
    assert result.exit_code == 0
    assert output.read_text().splitlines() == full


def test_evaluate_json_and_text(trained: tuple[Path, Path]) -> None:
    data, model = trained
    result = run("evaluate", data, "--model", model, "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["n"] == 90 and 0.8 <= report["accuracy"] <= 1.0
    assert set(report["per_class"]) == set("0123456789")
    assert sum(map(sum, report["confusion"])) == 90
    text = run("evaluate", data, "--model", model)
    assert text.stdout.startswith("accuracy: ") and "confusion" in text.stdout


def test_train_fine_tunes_from_init(trained: tuple[Path, Path]) -> None:
    data, model = trained
    out = data.parent / "tuned.npz"
    result = run("train", data, "--out", out, "--init", model, "--epochs", "3", "--lr", "1e-4")
    assert result.exit_code == 0, result.output
    assert out.exists() and out.read_bytes() != model.read_bytes()


@pytest.mark.parametrize(
    "args",
    [
        ["--epochs", "-1"],
        ["--hidden", "0"],
        ["--val-split", "1.5"],
        ["--val-split", "0"],
        ["--lr", "0"],
        ["--optimizer", "magic"],
        ["--window", "4x3"],
    ],
)
def test_train_option_ranges(args: list[str], trained: tuple[Path, Path], tmp_path: Path) -> None:
    data, _ = trained
    result = run("train", data, "--out", tmp_path / "m.npz", *args)
    assert result.exit_code == 2
    assert "Usage" in result.stderr or "Invalid value" in result.stderr
    assert not (tmp_path / "m.npz").exists()


def test_train_needs_two_classes(tmp_path: Path) -> None:
    write_png(tmp_path / "data" / "1" / "a.png", draw_digit("1"))
    result = run("train", tmp_path / "data", "--out", tmp_path / "m.npz")
    assert result.exit_code == 1 and "two classes" in result.stderr


def test_train_diverging_writes_no_model(trained: tuple[Path, Path], tmp_path: Path) -> None:
    data, _ = trained
    out = tmp_path / "m.npz"
    result = run("train", data, "--out", out, "--optimizer", "sgd", "--lr", "1e9", "--epochs", "5")
    assert result.exit_code == 1
    assert "NaN" in result.stderr or "diverged" in result.stderr
    assert not out.exists()


def test_workers_must_be_positive(tmp_path: Path) -> None:
    result = run("batch", tmp_path, "--workers", "0")
    assert result.exit_code == 2


def test_synth_writes_a_labelled_folder_that_trains(tmp_path: Path) -> None:
    out = tmp_path / "synthetic"
    result = run("synth", out, "--per-class", "4", "--seed", "5", "--classes", "017")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["0", "1", "7"]
    files = sorted(out.rglob("*.png"))
    assert len(files) == 12
    again = tmp_path / "again"
    run("synth", again, "--per-class", "4", "--seed", "5", "--classes", "017")
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in sorted(again.rglob("*.png"))]


def test_synth_rejects_undrawable_classes(tmp_path: Path) -> None:
    result = run("synth", tmp_path / "s", "--classes", "1?")
    assert result.exit_code == 2 and "no glyphs" in result.stderr
    result = run("synth", tmp_path / "s", "--classes", "")
    assert result.exit_code == 2 and "at least one" in result.stderr
    assert not (tmp_path / "s").exists()


def _batch_jsonl(folder: Path, model: Path, output: Path, *extra: str) -> Result:
    return run("batch", folder, "--model", model, "--output", output, "-j", "1", *extra)


def test_resume_keeps_a_whole_last_record_without_newline(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    _, model = trained
    folder = tmp_path / "crops"
    for i, digit in enumerate("123"):
        write_png(folder / f"{i}.png", draw_digit(digit))
    output = tmp_path / "out.jsonl"
    assert _batch_jsonl(folder, model, output).exit_code == 0
    full = output.read_text()
    output.write_text(full.split("\n", 2)[0] + "\n" + full.split("\n", 2)[1])  # no newline
    assert _batch_jsonl(folder, model, output, "--resume").exit_code == 0
    assert output.read_text() == full


def test_resume_refuses_the_other_format(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, model = trained
    folder = tmp_path / "crops"
    write_png(folder / "a.png", draw_digit("4"))
    output = tmp_path / "out.txt"
    assert _batch_jsonl(folder, model, output).exit_code == 0
    before = output.read_bytes()
    result = run(
        "batch", folder, "--model", model, "--output", output, "--resume", "--format", "csv"
    )
    assert result.exit_code == 1 and "holds JSON lines" in result.stderr
    assert output.read_bytes() == before


def test_resume_with_unusual_line_separators_in_names(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    _, model = trained
    folder = tmp_path / "crops"
    write_png(folder / "a\u2028b.png", draw_digit("5"))
    write_png(folder / "c.png", draw_digit("6"))
    output = tmp_path / "out.jsonl"
    assert _batch_jsonl(folder, model, output).exit_code == 0
    full = output.read_text(encoding="utf-8")
    assert _batch_jsonl(folder, model, output, "--resume").exit_code == 0
    assert output.read_text(encoding="utf-8") == full


def test_batch_and_predict_print_the_same_record(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    _, model = trained
    folder = tmp_path / "crops"
    write_png(folder / "x.png", draw_digit("8", colours="blue"))
    batch = run("batch", folder, "--model", model, "-j", "1")
    predict = run("predict", folder / "x.png", "--model", model, "--format", "jsonl")
    from_batch = json.loads(batch.stdout)
    from_predict = json.loads(predict.stdout)
    assert from_batch["path"] == "x.png"
    assert {**from_batch, "path": None} == {**from_predict, "path": None}


def test_batch_text_format_for_people(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, model = trained
    folder = tmp_path / "crops"
    write_png(folder / "a.png", draw_digit("2"))
    write_png(folder / "b.png", draw_digit("6"))
    (folder / "c.png").write_text("oops")
    result = run("batch", folder, "--model", model, "-j", "1", "--format", "text")
    assert result.exit_code == 1
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [line[:2] for line in lines] == [["a.png", "2"], ["b.png", "6"], ["c.png", ""]]
    assert 0 < float(lines[0][2]) <= 1 and len(lines[0]) == 3
    assert lines[2][2] == "" and "c.png" in lines[2][3]

    output = tmp_path / "out.txt"
    assert run("batch", folder, "--model", model, "-j", "1", "--format", "text", "-o", output)
    full = output.read_text()
    output.write_text(full.split("\n")[0] + "\n" + full.split("\n")[1][:3])
    result = run(
        "batch", folder, "--model", model, "-j", "1", "--format", "text", "-o", output, "--resume"
    )
    assert result.exit_code == 1 and output.read_text() == full
    result = run("batch", folder, "--model", model, "--format", "jsonl", "-o", output, "--resume")
    assert result.exit_code == 1 and "holds text" in result.stderr
