"""Interrupted runs: Ctrl-C, SIGTERM and SIGKILL during batch and train, and workers that die.

The real command runs in its own process (and process group, so Ctrl-C can be sent to the
group as a terminal does). To interrupt it at a known point, a tiny launcher patches
``cv2.imdecode`` so that decoding an image holding a marker blocks, or kills its process; the
marker is a PNG text chunk, so the same files read normally once the launcher is not used.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import draw_digit, write_png

from platedigits.cli import main

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="process groups and signals as on Linux"
)

LAUNCHER = """
import os, signal, sys, time
import cv2

decode = cv2.imdecode


def patched(buffer, flags):
    data = bytes(buffer)
    if b"BLOCK-HERE" in data:
        open(os.environ["READY_FILE"], "w").close()
        time.sleep(600)
    if b"KILL-HERE" in data:
        os.kill(os.getpid(), signal.SIGKILL)
    return decode(buffer, flags)


cv2.imdecode = patched

import platedigits.batch

# Small chunks, so that a run stopped at its last file has several chunks written already.
if os.environ.get("CHUNK_SIZE"):
    for name in ("read_files", "read_file_chunks"):
        defaults = getattr(getattr(platedigits.batch, name, None), "__kwdefaults__", None) or {}
        if "chunk_size" in defaults:
            defaults["chunk_size"] = int(os.environ["CHUNK_SIZE"])

from platedigits.cli import main

main(prog_name="platedigits")
"""


def marked_png(image: np.ndarray, marker: bytes) -> bytes:
    """A valid PNG of ``image`` carrying ``marker`` in a tEXt chunk right after IHDR."""
    ok, encoded = cv2.imencode(".png", image)
    assert ok
    data = encoded.tobytes()
    body = b"tEXt" + b"Comment\0" + marker
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return data[:33] + chunk + data[33:]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """300 small crops (the last one marked), a model, and the output of a full run."""
    root = tmp_path_factory.mktemp("interrupt")
    data = root / "train"
    for digit in "0123456789":
        for n, colours in enumerate(("blue", "yellow", "white")):
            write_png(data / digit / f"{n}.png", draw_digit(digit, colours=colours))
    model = root / "model.npz"
    trained = CliRunner().invoke(
        main, ["train", str(data), "--out", str(model), "--epochs", "30", "--seed", "2"]
    )
    assert trained.exit_code == 0, trained.output
    crops = root / "crops"
    for i in range(300):
        write_png(crops / f"{i:04d}.png", draw_digit(str(i % 10), colours="white"))
    (root / "launcher.py").write_text(LAUNCHER)
    full = root / "full.jsonl"
    result = cli("batch", crops, "--model", model, "-j", "2", "-o", full)
    assert result.returncode == 0, result.stderr
    return {"root": root, "data": data, "model": model, "crops": crops, "full": full}


def cli(*args: str | Path, launcher: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(launcher)] if launcher else [sys.executable, "-m", "platedigits"]
    return subprocess.run(
        [*command, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def start(*args: str | Path, launcher: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(launcher), *(str(a) for a in args)],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A child started from a background job may inherit SIGINT ignored; Ctrl-C must work.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def kill_group(process: subprocess.Popen[str]) -> None:
    """Whatever is left of a run we started (a worker blocked by the launcher)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def assert_same_records(lines: list[str], expected: list[str]) -> None:
    """The same records in the same order; confidences to float32 precision, since a chunk is
    classified as one stack and stacks of other sizes may round the last bits differently."""
    assert len(lines) == len(expected)
    for line, other in zip(lines, expected, strict=True):
        record, wanted = json.loads(line), json.loads(other)
        assert record["confidence"] == pytest.approx(wanted["confidence"], abs=1e-6)
        assert {**record, "confidence": None} == {**wanted, "confidence": None}


def line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "sigkill"])
def test_interrupted_batch_leaves_whole_lines_and_resume_completes_it(
    setup: dict[str, Path], tmp_path: Path, how: str
) -> None:
    crops = tmp_path / "crops"
    crops.mkdir()
    for path in setup["crops"].iterdir():
        os.link(path, crops / path.name)
    last = crops / "0299.png"
    last.unlink()
    last.write_bytes(marked_png(draw_digit("9", colours="white"), b"BLOCK-HERE"))
    output = tmp_path / "out.jsonl"
    ready = tmp_path / "ready"
    args = ("batch", crops, "--model", setup["model"], "-j", "2", "-o", output)
    env = {"READY_FILE": str(ready), "CHUNK_SIZE": "50"}
    process = start(*args, launcher=setup["root"] / "launcher.py", env=env)
    try:
        wait_for(ready.exists)
        # The chunks before the blocked one are finished: wait until they are all written.
        wait_for(lambda: line_count(output) > 0)
        previous = -1
        while line_count(output) != previous:
            previous = line_count(output)
            time.sleep(0.3)
        if how == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
        process.wait(timeout=30)
        if how == "ctrl-c":
            _, stderr = process.communicate(timeout=30)
            assert process.returncode in (1, 130)
            assert "Aborted!" in stderr and "Traceback" not in stderr
            # The parent stopped its workers: nothing of the run is left.
            wait_for(lambda: not group_alive(process.pid), timeout=10)
        else:
            assert process.returncode == -(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
    finally:
        kill_group(process)
        process.communicate(timeout=30)  # the blocked worker held the pipes open

    data = output.read_bytes()
    assert data.endswith(b"\n")
    records = [json.loads(line) for line in data.splitlines()]
    assert 0 < len(records) < 300
    full = setup["full"].read_text().splitlines()
    assert_same_records(data.decode().splitlines(), full[: len(records)])

    resumed = cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {len(records)} files already" in resumed.stderr
    assert_same_records(output.read_text().splitlines(), full)


def test_a_dying_worker_costs_one_record_not_the_run(
    setup: dict[str, Path], tmp_path: Path
) -> None:
    crops = tmp_path / "crops"
    crops.mkdir()
    for path in setup["crops"].iterdir():
        os.link(path, crops / path.name)
    victim = crops / "0123.png"
    victim.unlink()
    victim.write_bytes(marked_png(draw_digit("3", colours="white"), b"KILL-HERE"))
    output = tmp_path / "out.jsonl"
    result = cli(
        "batch",
        crops,
        "--model",
        setup["model"],
        "-j",
        "2",
        "-o",
        output,
        launcher=setup["root"] / "launcher.py",
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    records = [json.loads(line) for line in output.read_text().splitlines()]
    full = [json.loads(line) for line in setup["full"].read_text().splitlines()]
    assert [r["path"] for r in records] == [r["path"] for r in full]
    for record, expected in zip(records, full, strict=True):
        if record["path"] == "0123.png":
            assert record["text"] == "" and record["confidence"] is None
            assert "0123.png: the worker process died" in record["error"]
        else:
            # Confidences may differ in the last float32 bits: the batch reads a chunk as one
            # stack, the isolated retry one file at a time.
            assert record["text"] == expected["text"] and record["error"] is None
            # Records round to 6 places, so that float32 difference can reach the last place.
            assert record["confidence"] == pytest.approx(expected["confidence"], abs=2e-6)


def test_ctrl_c_during_training_keeps_the_old_model(setup: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "model.npz"
    out.write_bytes(setup["model"].read_bytes())
    process = start(
        "train",
        setup["data"],
        "--out",
        out,
        "--epochs",
        "100000",
        "--patience",
        "100000",
        "--verbose",
        launcher=setup["root"] / "launcher.py",
        env={},
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("epoch 3:"):
                break
        os.killpg(process.pid, signal.SIGINT)
        _, rest = process.communicate(timeout=30)
    finally:
        kill_group(process)
    assert process.returncode in (1, 130)
    assert "Aborted!" in rest and "Traceback" not in rest
    assert out.read_bytes() == setup["model"].read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_ctrl_c_while_the_model_is_written(
    setup: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "model.npz"
    out.write_bytes(setup["model"].read_bytes())
    write_array = np.lib.format.write_array
    calls = []

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:  # half-way through the archive
            raise KeyboardInterrupt
        return write_array(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", interrupted)
    result = CliRunner().invoke(
        main, ["train", str(setup["data"]), "--out", str(out), "--epochs", "3"]
    )
    assert len(calls) == 3
    assert result.exit_code in (1, 130) and "Aborted!" in result.stderr
    assert out.read_bytes() == setup["model"].read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_resume_csv_after_a_torn_line(setup: dict[str, Path], tmp_path: Path) -> None:
    crops = tmp_path / "crops"
    crops.mkdir()
    for name in sorted(p.name for p in setup["crops"].iterdir())[:20]:
        os.link(setup["crops"] / name, crops / name)
    output = tmp_path / "out.csv"
    args = ("batch", crops, "--model", setup["model"], "-j", "1", "--format", "csv", "-o", output)
    assert cli(*args).returncode == 0
    full = output.read_text()
    lines = full.splitlines(keepends=True)
    output.write_text("".join(lines[:8]) + lines[8][:7])  # killed in the middle of a row
    resumed = cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming: 7 files already" in resumed.stderr
    assert output.read_text() == full
