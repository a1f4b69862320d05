"""Decoding image files into arrays; the one module that knows about files and formats.

Files are read as bytes and decoded with :func:`cv2.imdecode`, which unlike ``cv2.imread`` handles
paths with spaces and non-ASCII characters on every platform and lets us tell a missing file from
a corrupt one.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
from pathlib import Path

import numpy as np

from platedigits._cv import MAX_IMAGE_PIXELS, cv2
from platedigits._imagesize import declared_size
from platedigits.errors import ImageReadError

#: Largest file, in bytes, that :func:`read_image` reads: far above any image within the pixel
#: limit, so a larger file is a mistake (a video, a disk image) not worth reading into memory.
MAX_FILE_BYTES = 1 << 30

#: File extensions (lower case) that platedigits treats as images.
IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_SIZE = struct.Struct(">II")  # width and height in the IHDR chunk, at byte 16
_TRUNCATED = "truncated image file (the data ends before the image does)"
_JPEG_SIGNATURE = b"\xff\xd8"


def is_image_path(path: str | os.PathLike[str]) -> bool:
    """Return True when the name of ``path`` ends in an image extension (any case)."""
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def _looks_truncated(data: bytes) -> bool:
    # libpng and libjpeg print their own complaints to stderr, or hand back half an image, when
    # the data stops early; the end markers let us refuse such files before they get that far.
    tail = data[-1024:]
    if data.startswith(_PNG_SIGNATURE):
        return b"IEND" not in tail
    if data.startswith(_JPEG_SIGNATURE):
        return b"\xff\xd9" not in tail
    return False


def _declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the header of a PNG, JPEG or BMP, without decoding anything."""
    try:
        if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if data.startswith(b"BM") and len(data) >= 26:
            width, height = struct.unpack("<ii", data[18:26])
            return abs(int(width)), abs(int(height))
        if data.startswith(_JPEG_SIGNATURE):
            position = 2
            while position + 9 < len(data):
                if data[position] != 0xFF:
                    return None
                marker = data[position + 1]
                length = struct.unpack(">H", data[position + 2 : position + 4])[0]
                # SOF0-SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    height, width = struct.unpack(">HH", data[position + 5 : position + 9])
                    return int(width), int(height)
                position += 2 + length
    except struct.error:
        return None
    return None


def decode_image(
    data: bytes, *, name: str | os.PathLike[str] | None = None, max_pixels: int = MAX_IMAGE_PIXELS
) -> np.ndarray:
    """Decode an encoded image held in memory.

    Parameters
    ----------
    data : bytes
        The whole encoded file (PNG, JPEG, BMP, TIFF, WebP, or anything else OpenCV decodes).
    name : str or path-like, optional
        What to call the image in error messages, usually its path.
    max_pixels : int, keyword-only
        Refuse images with more pixels than this.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` grey, ``(H, W, 3)`` BGR or ``(H, W, 4)`` BGRA, dtype ``uint8`` or ``uint16``
        (or ``float32`` for floating-point TIFFs), exactly as stored. Multi-page files give the
        first page.

    Raises
    ------
    ImageReadError
        The data is empty, truncated, not an image, or larger than ``max_pixels``.

    Examples
    --------
    >>> import numpy as np, cv2
    >>> ok, png = cv2.imencode(".png", np.zeros((4, 6), np.uint8))
    >>> decode_image(png.tobytes()).shape
    (4, 6)
    """
    declared: tuple[int, int] | None
    if data[:8] == _PNG_SIGNATURE and data[12:16] == b"IHDR" and len(data) >= 24:
        # The common case, PNG, with the same checks in the same order as below in one go: at
        # tens of thousands of small crops a second, the general path cost a tenth of decoding.
        if b"IEND" not in data[-1024:]:
            raise ImageReadError(name, _TRUNCATED)
        declared = _PNG_SIZE.unpack_from(data, 16)
    else:
        if len(data) == 0:
            raise ImageReadError(name, "empty file (0 bytes)")
        if _looks_truncated(data):
            raise ImageReadError(name, _TRUNCATED)
        # OpenCV has its own limit, but only when platedigits was imported before cv2; the
        # header check keeps the limit whatever the import order, for the formats bombs
        # usually come in.
        declared = _declared_size(data) or declared_size(data)
    if declared is not None and declared[0] * declared[1] > max_pixels:
        raise ImageReadError(
            name,
            f"image is {declared[0]} x {declared[1]} pixels, larger than the limit of "
            f"{max_pixels:,} pixels",
        )
    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error as exc:
        if "CV_IO_MAX_IMAGE_PIXELS" in str(exc):
            raise ImageReadError(
                name, f"image is larger than the limit of {max_pixels:,} pixels"
            ) from None
        raise ImageReadError(name, "not an image OpenCV can decode") from None
    if image is None or image.size == 0:
        raise ImageReadError(name, "not an image OpenCV can decode (corrupt or unknown format)")
    if image.shape[0] * image.shape[1] > max_pixels:
        raise ImageReadError(name, f"image is larger than the limit of {max_pixels:,} pixels")
    return image


def read_image(path: str | os.PathLike[str], *, max_pixels: int = MAX_IMAGE_PIXELS) -> np.ndarray:
    """Read and decode an image file.

    Parameters
    ----------
    path : str or path-like
        The file. Spaces and non-ASCII characters are fine.
    max_pixels : int, keyword-only
        Refuse images with more pixels than this.

    Returns
    -------
    numpy.ndarray
        As :func:`decode_image`.

    Raises
    ------
    ImageReadError
        The file is missing, a directory, a broken link, unreadable, or not a decodable image.
        The message names the file and the reason on one line.
    """
    path = Path(path)
    try:
        data = _read_file(path)
    except IsADirectoryError:
        raise ImageReadError(path, "is a directory, not an image file") from None
    except FileNotFoundError:
        reason = "broken symbolic link" if path.is_symlink() else "no such file"
        raise ImageReadError(path, reason) from None
    except PermissionError:
        raise ImageReadError(path, "permission denied") from None
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise ImageReadError(path, "is a directory, not an image file") from None
        raise ImageReadError(path, exc.strerror or str(exc)) from None
    return decode_image(data, name=path, max_pixels=max_pixels)


def _read_file(path: Path) -> bytes:
    # O_NONBLOCK: a FIFO named like an image must not wait for a writer forever. Only regular
    # files are read: a link to /dev/zero would otherwise fill the memory.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise ImageReadError(path, "not a regular file (a device, pipe or socket)")
        if info.st_size > MAX_FILE_BYTES:
            raise ImageReadError(
                path,
                f"file is {info.st_size:,} bytes, larger than the limit of {MAX_FILE_BYTES:,}",
            )
        return handle.read()
