"""Folders and models made by others: every bad file, model and option gets a clear answer.

Library-level cases live beside their modules (tests/test_imageio.py, tests/test_modelfile.py,
tests/test_data.py); here each case goes through the command line, as a user meets it, with
stdout and stderr checked separately. Interruptions (Ctrl-C, kills, dying workers) are in
tests/test_interrupt.py, random inputs in tests/test_properties.py.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner, Result
from conftest import draw_digit, write_png

from platedigits._imagesize import declared_size
from platedigits.cli import main
from platedigits.errors import ImageReadError
from platedigits.imageio import decode_image

REPO = Path(__file__).resolve().parents[1]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def encode(ext: str, image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(ext, image)
    assert ok
    return data.tobytes()


def json_lines(text: str) -> list[dict]:
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained through the CLI on drawn digits."""
    root = tmp_path_factory.mktemp("robust")
    for digit in "0123456789":
        for n, (colours, thickness) in enumerate(
            (c, t) for c in ("blue", "yellow", "white") for t in (2, 3, 4)
        ):
            write_png(
                root / "data" / digit / f"{n}.png",
                draw_digit(digit, colours=colours, thickness=thickness),
            )
    path = root / "model.npz"
    result = run("train", root / "data", "--out", path, "--seed", "1", "--epochs", "150")
    assert result.exit_code == 0, result.output
    return path


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def _tiff_header(width: int, height: int, *, big_endian: bool = False) -> bytes:
    order = ">" if big_endian else "<"
    head = (b"MM" if big_endian else b"II") + struct.pack(order + "HI", 42, 8)
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (262, 3, 1, 1)]
    ifd = struct.pack(order + "H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack(order + ("H2x" if kind == 3 else "I"), value)
        ifd += struct.pack(order + "HHI", tag, kind, count) + packed
    return head + ifd + b"\0\0\0\0" + b"\0" * 64


def _bigtiff_header(width: int, height: int) -> bytes:
    head = b"II" + struct.pack("<HHHQ", 43, 8, 0, 16)
    entries = [(256, 16, 1, width), (257, 16, 1, height)]
    ifd = struct.pack("<Q", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHQQ", tag, kind, count, value)
    return head + ifd + b"\0" * 8


def _riff(chunk: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


#: Headers of images too large to decode, one per format OpenCV reads; (data, width, height).
HUGE_HEADERS: dict[str, tuple[bytes, int, int]] = {
    "png": (_png_header(20000, 20000), 20000, 20000),
    "bmp": (b"BM" + b"\0" * 16 + struct.pack("<ii", 20000, -20000) + b"\0" * 40, 20000, 20000),
    "jpeg": (
        b"\xff\xd8\xff\xc0\x00\x11\x08"
        + struct.pack(">HH", 20000, 20000)
        + b"\x01" * 12
        + b"\xff\xd9",
        20000,
        20000,
    ),
    "tiff": (_tiff_header(20000, 20000), 20000, 20000),
    "tiff big-endian": (_tiff_header(30000, 9000, big_endian=True), 30000, 9000),
    "bigtiff": (_bigtiff_header(20000, 20000), 20000, 20000),
    "webp lossy": (
        _riff(b"VP8 ", b"\0\0\0\x9d\x01\x2a" + struct.pack("<HH", 16000, 16000) + b"\0" * 16),
        16000,
        16000,
    ),
    "webp lossless": (
        _riff(b"VP8L", b"\x2f" + struct.pack("<I", (15999 << 14) | 15999) + b"\0" * 16),
        16000,
        16000,
    ),
    "webp extended": (
        _riff(b"VP8X", b"\0" * 4 + (19999).to_bytes(3, "little") * 2 + b"\0" * 16),
        20000,
        20000,
    ),
    "gif": (b"GIF89a" + struct.pack("<HH", 60000, 60000) + b"\0" * 16, 60000, 60000),
    "pgm": (b"P5\n# a comment\n20000 20000\n255\n", 20000, 20000),
    "pam": (b"P7\nWIDTH 20000\nHEIGHT 20000\nDEPTH 1\nMAXVAL 255\nENDHDR\n", 20000, 20000),
    "pfm": (b"Pf\n20000 20000\n-1.0\n", 20000, 20000),
    "sun raster": (
        b"\x59\xa6\x6a\x95" + struct.pack(">II", 20000, 20000) + b"\0" * 24,
        20000,
        20000,
    ),
    "radiance": (b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 20000 +X 20000\n", 20000, 20000),
    "jpeg 2000": (
        b"\xff\x4f\xff\x51\0\x29\0\0" + struct.pack(">IIII", 20000, 20000, 0, 0),
        20000,
        20000,
    ),
    "jp2": (
        b"\0\0\0\x0cjP  \r\n\x87\n" + b"\0\0\0\x2dihdr" + struct.pack(">II", 20000, 20000),
        20000,
        20000,
    ),
    "avif": (
        b"\0\0\0\x18ftypavif" + b"\0" * 12 + b"ispe\0\0\0\0" + struct.pack(">II", 20000, 20000),
        20000,
        20000,
    ),
}


# -- bad image files ---------------------------------------------------------------------------


def make_bad_files(folder: Path) -> dict[str, str]:
    """Every kind of unreadable file under ``folder``; name -> expected words in the reason."""
    folder.mkdir(parents=True, exist_ok=True)
    good_png = encode(".png", draw_digit("5"))
    good_jpeg = encode(".jpg", draw_digit("5", size=(96, 64)))
    cases = {
        "empty.png": (b"", "empty file"),
        "cut.png": (good_png[: len(good_png) // 2], "truncated"),
        "cut.jpg": (good_jpeg[: len(good_jpeg) // 2], "truncated"),
        "page.png": (b"<!DOCTYPE html><html><body>404</body></html>", "not an image"),
        "notes.jpg": (b"just some text\n", "not an image"),
        "huge.png": (HUGE_HEADERS["png"][0], "larger than the limit"),
        "huge.tif": (HUGE_HEADERS["tiff"][0], "larger than the limit"),
        "huge.webp": (HUGE_HEADERS["webp lossless"][0], "larger than the limit"),
    }
    for name, (data, _) in cases.items():
        (folder / name).write_bytes(data)
    expected = {name: reason for name, (_, reason) in cases.items()}
    (folder / "dangling.png").symlink_to(folder / "gone-away.png")
    expected["dangling.png"] = "broken symbolic link"
    os.mkfifo(folder / "pipe.png")
    expected["pipe.png"] = "not a regular file"
    if Path("/dev/zero").exists():
        (folder / "endless.png").symlink_to("/dev/zero")
        expected["endless.png"] = "not a regular file"
    return expected


def test_predict_answers_every_bad_file_in_one_line(model: Path, tmp_path: Path) -> None:
    expected = make_bad_files(tmp_path / "bad")
    good = write_png(tmp_path / "good.png", draw_digit("5"))
    folder_png = tmp_path / "folder.png"
    folder_png.mkdir()
    expected["folder.png"] = "is a directory"
    paths = [tmp_path / "bad" / name for name in expected if name != "folder.png"]
    result = run("predict", good, *paths, folder_png, "--model", model, "--mode", "char")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{good}\t5\t" + result.stdout.split("\t")[2].strip()]
    errors = result.stderr.splitlines()
    assert len(errors) == len(expected)
    for line, (name, reason) in zip(errors, expected.items(), strict=True):
        assert line.startswith("Error: ") and name in line and reason in line, line
    assert "Traceback" not in result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_batch_records_every_bad_file_and_goes_on(
    model: Path, tmp_path: Path, workers: str
) -> None:
    folder = tmp_path / "mixed"
    expected = make_bad_files(folder)
    write_png(folder / "a-good.png", draw_digit("8"))
    write_png(folder / "z-good.png", draw_digit("2"))
    output = tmp_path / "out.jsonl"
    result = run("batch", folder, "--model", model, "-j", workers, "-o", output, "--mode", "char")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    records = {r["path"]: r for r in json_lines(output.read_text(encoding="utf-8"))}
    assert sorted(records) == sorted([*expected, "a-good.png", "z-good.png"])
    assert records["a-good.png"]["text"] == "8" and records["a-good.png"]["error"] is None
    assert records["z-good.png"]["text"] == "2" and records["z-good.png"]["error"] is None
    for name, reason in expected.items():
        error = records[name]["error"]
        assert name in error and reason in error and "\n" not in error, error
        assert records[name]["text"] == "" and records[name]["confidence"] is None
    assert f"{len(expected)} failed" in result.stderr


def test_real_command_line_has_no_traceback(model: Path, tmp_path: Path) -> None:
    """The installed entry point as a user runs it, in its own process."""
    folder = tmp_path / "mixed"
    expected = make_bad_files(folder)
    write_png(folder / "good.png", draw_digit("6"))
    command = [sys.executable, "-m", "platedigits"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    batch = subprocess.run(
        [*command, "batch", str(folder), "--model", str(model), "-j", "2", "--mode", "char"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert batch.returncode == 1 and "Traceback" not in batch.stderr
    assert len(json_lines(batch.stdout)) == len(expected) + 1
    predict = subprocess.run(
        [*command, "predict", *(str(p) for p in sorted(folder.iterdir())), "--model", str(model)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert predict.returncode == 1 and "Traceback" not in predict.stderr
    assert len(predict.stderr.splitlines()) == len(expected)
    assert predict.stdout.startswith(str(folder / "good.png"))


def test_a_directory_named_like_an_image(model: Path, tmp_path: Path) -> None:
    # predict names it; batch walks into it like any folder (iter_image_files) and reads the
    # images inside, which is what a folder is for.
    folder = tmp_path / "crops"
    write_png(folder / "inside.png" / "seven.png", draw_digit("7"))
    result = run("predict", folder / "inside.png", "--model", model)
    assert result.exit_code == 1 and "inside.png: is a directory" in result.stderr
    result = run("batch", folder, "--model", model, "-j", "1", "--mode", "char")
    assert result.exit_code == 0
    assert [(r["path"], r["text"]) for r in json_lines(result.stdout)] == [
        ("inside.png/seven.png", "7")
    ]


def test_file_vanishes_or_becomes_a_directory_during_batch(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "crops"
    for name, digit in (("a.png", "1"), ("b.png", "2"), ("c.png", "3"), ("d.png", "4")):
        write_png(folder / name, draw_digit(digit))
    decode = cv2.imdecode
    changed = []

    def change_after_listing(*args, **kwargs):  # type: ignore[no-untyped-def]
        # The first decode (a.png) happens after all four files were listed.
        if not changed:
            (folder / "b.png").unlink()  # deleted between listing and reading
            (folder / "c.png").unlink()
            (folder / "c.png").mkdir()  # replaced by a directory
            changed.append(True)
        return decode(*args, **kwargs)

    monkeypatch.setattr(cv2, "imdecode", change_after_listing)
    result = run("batch", folder, "--model", model, "-j", "1", "--mode", "char")
    assert result.exit_code == 1
    records = json_lines(result.stdout)
    assert [(r["path"], r["text"]) for r in records] == [
        ("a.png", "1"),
        ("b.png", ""),
        ("c.png", ""),
        ("d.png", "4"),
    ]
    assert "b.png: no such file" in records[1]["error"]
    assert "c.png: is a directory" in records[2]["error"]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PermissionError(13, "Permission denied"), "permission denied"),
        (OSError(5, "Input/output error"), "Input/output error"),
    ],
)
def test_file_becomes_unreadable_during_batch(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, reason: str
) -> None:
    # Tests run as root, where chmod 000 does not stop reading: fail the open instead.
    folder = tmp_path / "crops"
    write_png(folder / "a.png", draw_digit("1"))
    write_png(folder / "locked.png", draw_digit("2"))
    write_png(folder / "z.png", draw_digit("3"))
    real_open = os.open

    def guarded_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path).endswith("locked.png"):
            raise type(error)(error.errno, error.strerror, os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    result = run("batch", folder, "--model", model, "-j", "1", "--mode", "char")
    records = json_lines(result.stdout)
    assert result.exit_code == 1
    assert [r["text"] for r in records] == ["1", "", "3"]
    assert "locked.png" in records[1]["error"] and reason in records[1]["error"]
    result = run("predict", folder / "locked.png", "--model", model)
    assert result.exit_code == 1 and reason in result.stderr and "Traceback" not in result.output


# -- odd but valid images ----------------------------------------------------------------------


def test_odd_images_are_read_or_answered_sensibly(model: Path, tmp_path: Path) -> None:
    grey = cv2.cvtColor(draw_digit("3", size=(60, 40)), cv2.COLOR_BGR2GRAY)
    base = write_png(tmp_path / "base.png", grey)
    deep = write_png(tmp_path / "deep.png", grey.astype(np.uint16) * 257)
    alpha = np.dstack([cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), np.full_like(grey, 255)])
    with_alpha = write_png(tmp_path / "alpha.png", alpha)
    # Dark strokes on a transparent sheet: only the alpha channel draws the character.
    sheet = np.zeros((*grey.shape, 4), np.uint8)
    sheet[..., 3] = 255 - grey
    transparent = write_png(tmp_path / "transparent.png", sheet)
    image_module = pytest.importorskip("PIL.Image")
    palette = tmp_path / "palette.png"
    image_module.fromarray(grey).convert("P").save(palette)
    pages = tmp_path / "pages.tiff"
    assert cv2.imwritemulti(str(pages), [grey, np.full_like(grey, 255)])
    named = write_png(tmp_path / "plaque n° 3 — 京A 12345.png", grey)
    readable = [base, deep, with_alpha, transparent, palette, pages, named]

    blank = [
        write_png(tmp_path / "one-pixel.png", np.zeros((1, 1), np.uint8)),
        write_png(tmp_path / "white.png", np.full((40, 30), 255, np.uint8)),
        write_png(tmp_path / "black.png", np.zeros((40, 30, 3), np.uint8)),
        write_png(tmp_path / "white-16.png", np.full((40, 30), 65535, np.uint16)),
    ]
    result = run("predict", *readable, *blank, "--model", model, "--format", "json")
    assert result.exit_code == 0, result.stderr
    records = {Path(r["path"]).name: r for r in json.loads(result.stdout)}
    for path in readable:
        record = records[path.name]
        assert record["error"] is None and record["text"] == "3", record
    for path in blank:
        # The documented answer for an image with no character in it.
        record = records[path.name]
        assert (record["text"], record["confidence"], record["error"]) == ("", 0.0, None)
        assert record["characters"] == []


@pytest.mark.parametrize("name", sorted(HUGE_HEADERS))
def test_huge_images_are_refused_from_their_header(name: str) -> None:
    data, width, height = HUGE_HEADERS[name]
    assert declared_size(data) == (width, height) or name in ("png", "bmp", "jpeg")
    with pytest.raises(ImageReadError) as info:
        decode_image(data, name=f"huge.{name}")
    # The size in the message shows the header check refused it, before any decoding.
    assert f"{width} x {height} pixels, larger than the limit" in str(info.value)


@pytest.mark.parametrize(
    "ext", [".tif", ".webp", ".pbm", ".pgm", ".ppm", ".pam", ".pfm", ".sr", ".hdr", ".gif", ".avif"]
)
def test_header_sizes_match_real_files(ext: str) -> None:
    image = np.random.default_rng(0).integers(0, 256, (23, 37, 3), dtype=np.uint8)
    if ext in (".pbm", ".pgm"):
        image = image[..., 0]
    if ext in (".pfm", ".hdr"):
        image = image.astype(np.float32) / 255
    try:
        data = encode(ext, image)
    except (AssertionError, cv2.error):
        pytest.skip(f"this OpenCV cannot write {ext}")
    assert declared_size(data) == (37, 23)
    assert decode_image(data).shape[:2] == (23, 37)


def test_pixel_limit_holds_when_cv2_was_imported_first(tmp_path: Path) -> None:
    """OpenCV reads its own limit once, at import: ours must not depend on the import order."""
    pytest.importorskip("PIL.Image")
    from PIL import Image

    bomb = tmp_path / "bomb.tif"  # 20000 x 20000, a few kB on disk, 400 MB decoded
    Image.new("1", (20000, 20000)).save(bomb, compression="group4")
    crafted = tmp_path / "crafted.webp"
    crafted.write_bytes(HUGE_HEADERS["webp extended"][0])
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to measure the peak memory")
    script = (
        "import cv2, sys\n"
        "from platedigits.imageio import read_image\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        read_image(name)\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__, exc)\n"
        # VmHWM, unlike ru_maxrss, is not inherited from the forking pytest process.
        "peak = [line for line in open('/proc/self/status') if line.startswith('VmHWM')]\n"
        "print(peak[0].split()[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(bomb), str(crafted)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    lines = done.stdout.splitlines()
    assert lines[0].startswith("ImageReadError") and "20000 x 20000" in lines[0], done.stdout
    assert lines[1].startswith("ImageReadError") and "20000 x 20000" in lines[1]
    assert int(lines[2]) < 300_000, "KB: the bomb was decoded before being refused"


# -- models ------------------------------------------------------------------------------------


@pytest.fixture
def broken(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    from test_modelfile import broken_models

    from platedigits.network import BPNetwork

    rng = np.random.default_rng(0)
    features = rng.random((40, 25)).astype(np.float32)
    labels = np.where(features[:, 0] > 0.5, "a", "b")
    network = BPNetwork((4,), epochs=2, validation_fraction=0.0, seed=1).fit(features, labels)
    return broken_models(tmp_path, network)


def test_every_broken_model_is_refused_by_every_command(
    broken: dict[str, tuple[Path, str]], tmp_path: Path
) -> None:
    image = write_png(tmp_path / "crops" / "x.png", draw_digit("1"))
    write_png(tmp_path / "labelled" / "1" / "x.png", draw_digit("1"))
    write_png(tmp_path / "labelled" / "2" / "x.png", draw_digit("2"))
    for name, (path, expected) in broken.items():
        for args in (
            ["predict", image, "--model", path],
            ["batch", image.parent, "--model", path, "-j", "2"],
            ["evaluate", tmp_path / "labelled", "--model", path],
            ["train", tmp_path / "labelled", "--init", path, "--out", tmp_path / "new.npz"],
        ):
            result = run(*args)
            assert result.exit_code in (1, 2), (name, args[0], result.output)
            assert result.stdout == "", (name, args[0])
            if result.exit_code == 1:
                assert result.stderr.count("\n") == 1 and expected in result.stderr, (
                    name,
                    args[0],
                    result.stderr,
                )
            else:  # Click refuses a directory for a dir_okay=False path before we see it
                assert name == "directory" and "directory" in result.stderr
            assert not (tmp_path / "new.npz").exists()


def test_loading_a_model_never_runs_code_from_it(tmp_path: Path) -> None:
    import pickle
    import zipfile

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (Path.touch, (marker,))

    payload = pickle.dumps(Payload())
    array = np.empty(1, dtype=object)
    array[0] = Payload()
    paths = []
    # A pickle in a zip member of an .npz, as the metadata and as a weight array.
    for member in ("meta", "W0"):
        path = tmp_path / f"pickled-{member}.npz"
        with zipfile.ZipFile(path, "w") as archive, archive.open(f"{member}.npy", "w") as handle:
            np.lib.format.write_array(handle, array, allow_pickle=True)
        paths.append(path)
    # A bare pickle and a pickled .npy renamed to .npz (np.load would unpickle both if asked).
    bare = tmp_path / "bare.npz"
    bare.write_bytes(payload)
    npy = tmp_path / "array.npz"
    with npy.open("wb") as handle:
        np.lib.format.write_array(handle, array, allow_pickle=True)
    paths += [bare, npy]
    image = write_png(tmp_path / "x.png", draw_digit("1"))
    for path in paths:
        result = run("predict", image, "--model", path)
        assert result.exit_code == 1 and str(path) in result.stderr, result.output
        assert "Traceback" not in result.output
    assert not marker.exists()


def test_bad_model_does_not_empty_an_existing_output(model: Path, tmp_path: Path) -> None:
    write_png(tmp_path / "crops" / "x.png", draw_digit("1"))
    output = tmp_path / "readings.jsonl"
    output.write_text('{"path": "old.png", "text": "1", "confidence": 1.0, "error": null}\n')
    before = output.read_bytes()
    result = run("batch", tmp_path / "crops", "--model", tmp_path / "missing.npz", "-o", output)
    assert result.exit_code == 1 and "no such model file" in result.stderr
    assert output.read_bytes() == before


# -- training input ----------------------------------------------------------------------------


def test_training_folders_that_cannot_be_used(tmp_path: Path) -> None:
    out = tmp_path / "m.npz"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("train", empty, "--out", out)
    assert result.exit_code == 1 and "no class folders" in result.stderr
    (empty / "0").mkdir()
    (empty / "1").mkdir()
    (empty / "1" / "notes.txt").write_text("no images here")
    result = run("train", empty, "--out", out)
    assert result.exit_code == 1 and "hold no image files" in result.stderr
    (empty / "1" / "bad.png").write_text("not an image")
    result = run("train", empty, "--out", out)
    assert result.exit_code == 1 and "none of the 1 image files could be read" in result.stderr
    # One class only: tests/test_cli.py::test_train_needs_two_classes.
    assert not out.exists()
    assert "Traceback" not in result.output


def test_training_skips_unreadable_files_by_name(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for digit in "123":
        for thickness in (2, 3, 4):
            write_png(data / digit / f"{thickness}.png", draw_digit(digit, thickness=thickness))
    (data / "2" / "broken.png").write_text("<html>")
    (data / "2" / "empty.jpg").write_bytes(b"")
    (data / "3" / "dangling.png").symlink_to(data / "nowhere.png")
    (data / "4").mkdir()
    (data / "4" / "only-bad.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    out = tmp_path / "m.npz"
    result = run("train", data, "--out", out, "--epochs", "5")
    assert result.exit_code == 0, result.output
    for name in ("broken.png", "empty.jpg", "dangling.png", "only-bad.png"):
        assert any(
            line.startswith("Warning: skipped") and name in line
            for line in result.stderr.splitlines()
        ), name
    assert "class '4' has no readable images" in result.stderr
    assert "images: 9 (4 skipped)" in result.stdout
    assert "classes: 1 2 3" in result.stdout
    # evaluate skips the same files and says so.
    result = run("evaluate", data, "--model", out, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["skipped"] == 4
    assert result.stderr.count("Warning: skipped") == 4


def test_diverging_training_keeps_the_old_model(model: Path, tmp_path: Path) -> None:
    data = model.parent / "data"
    out = tmp_path / "m.npz"
    out.write_bytes(model.read_bytes())
    result = run("train", data, "--out", out, "--optimizer", "sgd", "--lr", "1e12", "--epochs", "5")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "Traceback" not in result.output
    assert "NaN" in result.stderr or "infinite" in result.stderr
    assert out.read_bytes() == model.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


# -- options -----------------------------------------------------------------------------------

BAD_OPTIONS = [
    ("predict", ["--top-k", "0"]),
    ("predict", ["--top-k", "-2"]),
    ("batch", ["--workers", "0"]),
    ("batch", ["-j", "-1"]),
    ("train", ["--epochs", "-1"]),
    ("train", ["--epochs", "0"]),
    ("train", ["--hidden", "0"]),
    ("train", ["--hidden", "64", "--hidden", "-3"]),
    ("train", ["--val-split", "0"]),
    ("train", ["--val-split", "1"]),
    ("train", ["--val-split", "-0.2"]),
    ("train", ["--val-split", "nan"]),
    ("train", ["--lr", "0"]),
    ("train", ["--lr", "-0.1"]),
    ("train", ["--lr", "nan"]),
    ("train", ["--lr", "inf"]),
    ("train", ["--l2", "-1"]),
    ("train", ["--l2", "inf"]),
    ("train", ["--batch-size", "0"]),
    ("train", ["--patience", "0"]),
    ("train", ["--seed", "-1"]),
    ("train", ["--size", "0x15"]),
    ("train", ["--size", "100000x100000"]),
    ("train", ["--window", "-5x3"]),
    ("train", ["--window", "4x3"]),
    ("train", ["--epochs", "many"]),
    ("synth", ["--per-class", "0"]),
    ("synth", ["--seed", "-1"]),
    ("synth", ["--plates", "0"]),
]


@pytest.mark.parametrize(("command", "options"), BAD_OPTIONS)
def test_numeric_options_are_range_checked(
    command: str, options: list[str], model: Path, tmp_path: Path
) -> None:
    image = write_png(tmp_path / "in" / "x.png", draw_digit("1"))
    data = model.parent / "data"
    target = {
        "predict": [image, "--model", model],
        "batch": [image.parent, "--model", model],
        "train": [data, "--out", tmp_path / "m.npz"],
        "synth": [tmp_path / "synth"],
    }[command]
    result = run(command, *target, *options)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Usage: ") and "Invalid value" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "m.npz").exists() and not (tmp_path / "synth").exists()
