from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from platedigits.errors import ImageReadError
from platedigits.imageio import decode_image, is_image_path, read_image


def encode(ext: str, image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(ext, image)
    assert ok
    return data.tobytes()


@pytest.mark.parametrize("ext", [".png", ".bmp", ".tif", ".webp", ".jpg"])
def test_decodes_common_formats(ext: str) -> None:
    image = np.zeros((12, 9, 3), np.uint8)
    image[3:9, 3:6] = (0, 128, 255)
    decoded = decode_image(encode(ext, image))
    assert decoded.shape == (12, 9, 3)
    if ext != ".jpg":  # lossy
        np.testing.assert_array_equal(decoded, image)


def test_keeps_grey_alpha_and_16_bit() -> None:
    grey = np.arange(20, dtype=np.uint8).reshape(4, 5)
    assert decode_image(encode(".png", grey)).shape == (4, 5)
    bgra = np.zeros((4, 5, 4), np.uint8)
    bgra[..., 3] = 255
    assert decode_image(encode(".png", bgra)).shape == (4, 5, 4)
    deep = (np.arange(20, dtype=np.uint16) * 3000).reshape(4, 5)
    decoded = decode_image(encode(".png", deep))
    assert decoded.dtype == np.uint16
    np.testing.assert_array_equal(decoded, deep)


def test_reads_paths_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    path = tmp_path / "plaque d'immatriculation é 京.png"
    path.write_bytes(encode(".png", np.full((3, 3), 7, np.uint8)))
    assert int(read_image(path)[0, 0]) == 7


def _error(path: Path) -> str:
    with pytest.raises(ImageReadError) as info:
        read_image(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return info.value.reason


def test_bad_files_name_file_and_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    assert "empty" in _error(empty)

    html = tmp_path / "page.png"
    html.write_text("<html><body>not found</body></html>")
    assert "decode" in _error(html)

    good = encode(".png", np.full((30, 30), 9, np.uint8))
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(good[: len(good) // 2])
    assert "truncated" in _error(truncated)

    jpeg = encode(".jpg", np.full((30, 30), 9, np.uint8))
    cut_jpeg = tmp_path / "cut.jpg"
    cut_jpeg.write_bytes(jpeg[: len(jpeg) - 40])
    assert "truncated" in _error(cut_jpeg)

    assert "no such file" in _error(tmp_path / "missing.png")

    folder = tmp_path / "folder.png"
    folder.mkdir()
    assert "directory" in _error(folder)

    link = tmp_path / "dangling.png"
    link.symlink_to(tmp_path / "gone.png")
    assert "broken symbolic link" in _error(link)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_refuses_huge_images_before_decoding() -> None:
    with pytest.raises(ImageReadError, match="larger than the limit"):
        decode_image(_png_header_only(20000, 20000), name="huge.png")


def test_pixel_limit_argument() -> None:
    with pytest.raises(ImageReadError, match="larger than the limit"):
        decode_image(encode(".png", np.zeros((20, 20), np.uint8)), max_pixels=100)


def test_multi_page_tiff_gives_first_page(tmp_path: Path) -> None:
    path = tmp_path / "pages.tiff"
    pages = [np.full((5, 5), 10, np.uint8), np.full((5, 5), 200, np.uint8)]
    assert cv2.imwritemulti(str(path), pages)
    assert int(read_image(path)[0, 0]) == 10


def test_palette_png(tmp_path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image")
    path = tmp_path / "palette.png"
    picture = image_module.new("P", (6, 4))
    picture.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    picture.putpixel((2, 1), 1)
    picture.save(path)
    decoded = read_image(path)
    assert decoded.shape[:2] == (4, 6)
    assert decoded.reshape(4, 6, -1)[1, 2].max() == 255


def test_is_image_path() -> None:
    assert is_image_path("a/B.PNG") and is_image_path("x.jpeg") and is_image_path("x.TIFF")
    assert not is_image_path("labels.csv") and not is_image_path("png")
