"""Batch reading: the chunked fast path gives the records Model.read gives, file by file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import FONTS, PLATE_COLOURS, draw_digit, write_png

from platedigits.batch import (
    iter_image_paths,
    jsonl_lines,
    read_chunk,
    read_file_chunks,
    read_files,
    read_image_fast,
    relative_record,
)
from platedigits.data import iter_image_files, load_labelled_features
from platedigits.errors import ImageReadError
from platedigits.imageio import read_image
from platedigits.model import Model, load_model, train_model
from platedigits.network import BPNetwork


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch-model")
    for digit in "0123456789":
        n = 0
        for colours in PLATE_COLOURS:
            for font in FONTS:
                write_png(
                    root / "data" / digit / f"{n}.png",
                    draw_digit(digit, colours=colours, font=font),
                )
                n += 1
    data = load_labelled_features(root / "data")
    model = train_model(
        data.features,
        data.labels,
        feature_config=load_model_config(),
        network=BPNetwork((32,), epochs=60, seed=1),
    )
    path = root / "model.npz"
    model.save(path)
    return path


def load_model_config():  # type: ignore[no-untyped-def]
    from platedigits.features import FeatureConfig

    return FeatureConfig()


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Crops of two sizes and three plate colours, blanks, broken files, a plate-shaped image,
    a folder named like an image and a file that is not an image."""
    root = tmp_path_factory.mktemp("mixed")
    rng = np.random.default_rng(0)
    for i in range(40):
        digit = str(i % 10)
        colours = list(PLATE_COLOURS)[i % 3]
        size = (48, 32) if i % 4 else (40, 24)
        write_png(root / "crops" / f"{i:03d}.png", draw_digit(digit, colours=colours, size=size))
    write_png(root / "crops" / "blank.png", np.full((48, 32), 128, np.uint8))
    noisy = np.clip(draw_digit("5").astype(np.int16) + rng.normal(0, 40, (48, 32, 3)), 0, 255)
    write_png(root / "crops" / "noisy.png", noisy.astype(np.uint8))
    (root / "crops" / "empty.png").write_bytes(b"")
    (root / "crops" / "garbage.jpg").write_bytes(b"not a jpeg at all")
    _, png = cv2.imencode(".png", draw_digit("3"))
    (root / "crops" / "truncated.png").write_bytes(png.tobytes()[:-30])
    (root / "crops" / "folder.png").mkdir()
    (root / "crops" / "notes.txt").write_text("not an image")
    plate = np.full((40, 200, 3), (160, 60, 20), np.uint8)
    for k, digit in enumerate("48213"):
        plate[4:36, 20 + 34 * k : 44 + 34 * k] = cv2.resize(
            draw_digit(digit, colours="blue"), (24, 32)
        )
    write_png(root / "plates" / "plate.png", plate)
    return root


def reference_record(model: Model, path: str, mode: str) -> dict:  # type: ignore[type-arg]
    try:
        reading = model.read(path, mode=mode)
    except ImageReadError as exc:
        return {"path": path, "text": "", "confidence": None, "error": str(exc)}
    return {"path": path, "text": reading.text, "confidence": reading.confidence, "error": None}


def assert_same(records: list[dict], expected: list[dict]) -> None:  # type: ignore[type-arg]
    assert [r["path"] for r in records] == [e["path"] for e in expected]
    for record, wanted in zip(records, expected, strict=True):
        assert record["text"] == wanted["text"], record["path"]
        assert record["error"] == wanted["error"], record["path"]
        if wanted["confidence"] is None:
            assert record["confidence"] is None
        else:
            assert record["confidence"] == pytest.approx(wanted["confidence"], abs=1e-5)


@pytest.mark.parametrize("mode", ["auto", "char", "plate"])
def test_chunk_records_equal_model_read(model_file: Path, mixed_folder: Path, mode: str) -> None:
    model = load_model(model_file)
    paths = list(iter_image_paths(mixed_folder))
    assert len(paths) == 46  # the folder named .png and notes.txt are not listed
    records = read_chunk(model, paths, mode=mode)
    assert_same(records, [reference_record(model, p, mode) for p in paths])
    by_name = {Path(r["path"]).name: r for r in records}
    assert by_name["blank.png"]["text"] == "" and by_name["blank.png"]["confidence"] == 0.0
    assert "empty" in by_name["empty.png"]["error"]
    assert by_name["truncated.png"]["error"] and by_name["garbage.jpg"]["error"]
    if mode == "auto":
        assert by_name["plate.png"]["text"] == reference_record(model, paths[-1], "plate")["text"]


def test_workers_give_the_same_records_in_order(model_file: Path, mixed_folder: Path) -> None:
    paths = list(iter_image_paths(mixed_folder))
    one = list(read_files(paths, model_path=model_file, workers=1, chunk_size=7))
    two = list(read_files(paths, model_path=model_file, workers=2, chunk_size=5))
    assert_same(two, one)
    chunks = list(read_file_chunks(paths, model_path=model_file, workers=2, chunk_size=10))
    assert [len(c) for c in chunks] == [10, 10, 10, 10, 6]
    assert_same([r for c in chunks for r in c], one)


def test_unknown_mode_is_refused(model_file: Path, mixed_folder: Path) -> None:
    with pytest.raises(ValueError, match="mode"):
        list(read_files([], model_path=model_file, mode="plates"))
    with pytest.raises(ValueError, match="mode"):
        read_chunk(load_model(model_file), [], mode="word")


def test_listing_equals_iter_image_files(mixed_folder: Path, tmp_path: Path) -> None:
    odd = tmp_path / "odd"
    for name in (
        "b.PNG",
        "a b.jpg",
        "ü.png",
        ".png",
        "..png",
        "x.",
        "y.png.txt",
        "sub/z.tiff",
        "sub/.h.png",
    ):
        write_png(odd / name, np.zeros((4, 4), np.uint8)) if name.endswith(
            (".PNG", ".png", ".jpg", ".tiff")
        ) else (odd / name).parent.mkdir(parents=True, exist_ok=True) or (odd / name).write_text("")
    for folder in (mixed_folder, odd):
        assert list(iter_image_paths(folder)) == [str(p) for p in iter_image_files(folder)]
    # The spelling Path uses, also for "." and a trailing slash.
    cwd = os.getcwd()
    try:
        os.chdir(odd)
        assert list(iter_image_paths(".")) == [str(p) for p in iter_image_files(".")]
        assert list(iter_image_paths("sub/")) == [str(p) for p in iter_image_files("sub/")]
    finally:
        os.chdir(cwd)


def test_skip_and_relative_records(mixed_folder: Path) -> None:
    skip = {"crops/000.png", "plates/plate.png"}
    paths = list(iter_image_paths(mixed_folder, skip=skip))
    shown = [relative_record({"path": p}, mixed_folder)["path"] for p in paths]
    everything = [p.relative_to(mixed_folder).as_posix() for p in iter_image_files(mixed_folder)]
    assert shown == [p for p in everything if p not in skip]
    outside = relative_record({"path": "/elsewhere/a.png", "text": "1"}, mixed_folder)
    assert outside == {"path": "/elsewhere/a.png", "text": "1"}


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("/data/a/b.png", "/data"),
        ("/data/b.png", "/data"),
        ("/data//a//b.png", "/data"),
        ("/data/a/./b.png", "/data/a"),
        ("/b.png", "/"),
        ("//b.png", "/"),
        ("b.png", "."),
        ("./b.png", "."),
        ("sub/b.png", "."),
        ("sub/b.png", "sub/"),
        ("/other/b.png", "/data"),
        ("/data/a/", "/data"),
    ],
)
def test_relative_record_spells_paths_as_pathlib(path: str, root: str) -> None:
    """The string fast path gives pathlib's answer for every spelling of folders and names."""
    try:
        expected = Path(path).relative_to(root).as_posix()
    except ValueError:
        expected = Path(path).as_posix()
    record = {"path": path, "text": "1", "confidence": 0.5, "error": None}
    assert relative_record(record, Path(root)) == {**record, "path": expected}
    assert record["path"] == path  # a new record; the one given is left alone


def test_read_image_fast_matches_read_image(mixed_folder: Path) -> None:
    for path in iter_image_paths(mixed_folder):
        try:
            expected = read_image(path)
        except ImageReadError as exc:
            with pytest.raises(ImageReadError) as raised:
                read_image_fast(path)
            assert str(raised.value) == str(exc)
        else:
            np.testing.assert_array_equal(read_image_fast(path), expected)
    missing = str(mixed_folder / "missing.png")
    with pytest.raises(ImageReadError, match="no such file"):
        read_image_fast(missing)


def test_read_image_fast_hands_odd_files_to_read_image(tmp_path: Path) -> None:
    """Pipes, endless devices and files too big for the fast read get read_image's answer."""
    big = np.random.default_rng(0).integers(0, 256, (700, 700, 3), dtype=np.uint8)
    big_png = write_png(tmp_path / "big.png", big)
    assert big_png.stat().st_size > 1 << 20
    np.testing.assert_array_equal(read_image_fast(str(big_png)), read_image(big_png))
    odd = []
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.png")
        odd.append(tmp_path / "pipe.png")
    if Path("/dev/zero").exists():
        (tmp_path / "zero.png").symlink_to("/dev/zero")
        odd.append(tmp_path / "zero.png")
    (tmp_path / "dir.png").mkdir()
    odd.append(tmp_path / "dir.png")
    for path in odd:
        with pytest.raises(ImageReadError) as expected:
            read_image(path)
        with pytest.raises(ImageReadError) as got:
            read_image_fast(str(path))
        assert str(got.value) == str(expected.value)


def test_jsonl_lines_equal_json_dumps() -> None:
    records = [
        {"path": 'a/b "q" \\ ü\n\t\x01\u2028.png', "text": "7", "confidence": 0.123456789},
        {"path": "x.png", "text": "", "confidence": None, "error": 'x.png: bad "\x7f'},
        {"path": "x.png", "text": "1", "confidence": float("nan"), "error": None},
        {"path": "x.png", "text": "1", "confidence": 1e-7, "error": None},
        {"path": "y.png"},
    ]
    fields = ("path", "text", "confidence", "error")
    expected = "".join(
        json.dumps({k: r.get(k) for k in fields}, ensure_ascii=False) + "\n" for r in records
    )
    assert jsonl_lines(records) == expected
    assert json.loads(jsonl_lines(records).split("\n")[0]) == {
        "path": records[0]["path"],
        "text": "7",
        "confidence": 0.123456789,
        "error": None,
    }


@pytest.mark.parametrize("mode", ["auto", "char", "plate"])
def test_read_many_equals_read(model_file: Path, mixed_folder: Path, mode: str) -> None:
    """Model.read_many classifies a chunk's characters as one stack: same readings as read()."""
    model = load_model(model_file)
    paths = list(iter_image_paths(mixed_folder))
    arrays = [cv2.imread(p, cv2.IMREAD_UNCHANGED) for p in paths[:20]]
    inputs: list = [*paths, *arrays, np.zeros((0, 5), np.uint8)]  # type: ignore[type-arg]
    many = list(model.read_many(inputs, mode=mode, top_k=3))
    assert len(many) == len(inputs)
    for reading, item in zip(many, inputs, strict=True):
        try:
            expected = model.read(item, mode=mode, top_k=3)
        except ImageReadError as exc:
            assert reading.error == str(exc) and reading.confidence is None
            continue
        assert reading.error is None and reading.path == expected.path
        assert reading.text == expected.text and reading.mode == expected.mode
        assert reading.confidence == pytest.approx(expected.confidence, abs=1e-5)
        assert [c.label for c in reading.characters] == [c.label for c in expected.characters]
        assert [c.box for c in reading.characters] == [c.box for c in expected.characters]
        for got, want in zip(reading.characters, expected.characters, strict=True):
            assert [label for label, _ in got.top_k] == [label for label, _ in want.top_k]
    with pytest.raises(ValueError, match="mode"):
        next(model.read_many(paths, mode="page"))


def test_big_images_are_read_one_by_one_with_the_same_result(
    model_file: Path, tmp_path: Path
) -> None:
    from platedigits.preprocess import STACK_MAX_PIXELS

    size = (int(STACK_MAX_PIXELS**0.5) + 20, int(STACK_MAX_PIXELS**0.5) + 10)
    paths = [
        str(write_png(tmp_path / f"{i}.png", draw_digit(str(i), colours="yellow", size=size)))
        for i in range(10)
    ]
    paths.insert(5, str(write_png(tmp_path / "small.png", draw_digit("4"))))
    model = load_model(model_file)
    assert_same(
        read_chunk(model, paths, mode="char"), [reference_record(model, p, "char") for p in paths]
    )
    many = list(model.read_many(paths, mode="char"))
    assert [r.text for r in many] == [model.read(p, mode="char").text for p in paths]


_FAULTS_OF_STACK_BUFFERS = """
import resource, sys
import numpy as np
from platedigits import batch

def faults():
    # Buffers of the sizes a stack of 128 crops allocates, several alive at once, then freed.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(30):
        buffers = [np.ones(200_000, np.uint8) for _ in range(6)]
        del buffers
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

faults()
if sys.argv[1] == "kept":
    assert batch._keep_freed_memory()
    faults()  # the first round puts the pages in place
print(faults())
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"),
    reason="glibc's malloc settings only",
)
def test_workers_keep_freed_memory_instead_of_faulting_it_in_again() -> None:
    def faults(how: str) -> int:
        result = subprocess.run(
            [sys.executable, "-c", _FAULTS_OF_STACK_BUFFERS, how],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(result.stdout)

    untouched, kept = faults("plain"), faults("kept")
    # Every buffer's pages faulted in again, each round: 7,830 faults on an idle machine, 4,890
    # once while another job ran (a fault may then map more than one page), so the bound is loose.
    assert untouched > 30 * 6 * 10
    assert kept < untouched / 20


@pytest.mark.parametrize("kept", [True, False])
def test_pool_workers_set_up_memory_then_the_model(
    monkeypatch: pytest.MonkeyPatch, kept: bool
) -> None:
    from platedigits import batch

    calls: list[str] = []

    def keep_freed_memory() -> bool:
        calls.append("memory")
        return kept

    def init_worker(job: batch._Job) -> None:
        calls.append(f"model {job.mode}")

    monkeypatch.setattr(batch, "_keep_freed_memory", keep_freed_memory)
    monkeypatch.setattr(batch, "_init_worker", init_worker)
    monkeypatch.setattr(batch.signal, "signal", lambda *args: None)
    monkeypatch.setattr(batch, "_stack_pixels", None)  # restored after the test
    batch._init_pool_worker(batch._Job(model_path=None, mode="char"))
    assert calls == ["memory", "model char"]
    # Larger stacks only where freed memory is kept.
    assert batch._stack_pixels == (batch._WORKER_STACK_PIXELS if kept else None)


_BATCH_THEN_SHOW_BLAS_THREADS = """
import os, sys
from platedigits.cli import main
try:
    main(["batch", sys.argv[1], "-q", "-o", sys.argv[2], "-j", "1"], standalone_mode=False)
finally:
    print(os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("3", "3")])
def test_batch_starts_numpy_without_blas_threads_unless_told(
    tmp_path: Path, given: str | None, expected: str
) -> None:
    """The batch process never multiplies big matrices: OpenBLAS's thread start-up (60 ms) is
    skipped, unless the user set the thread count."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    write_png(tmp_path / "crops" / "7.png", draw_digit("7"))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _BATCH_THEN_SHOW_BLAS_THREADS,
            str(tmp_path / "crops"),
            str(tmp_path / "out.jsonl"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.stdout.split()[-1] == expected, result.stderr[-2000:]
