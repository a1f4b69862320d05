"""Image sizes read from file headers, for the formats OpenCV decodes beyond PNG, JPEG and BMP.

OpenCV refuses images above ``OPENCV_IO_MAX_IMAGE_PIXELS`` before allocating them, but it reads
that limit once, when the library loads: if ``cv2`` was imported before platedigits, its own
default (2**30 pixels, 3 GB for a colour image) applies. Reading the declared size from the
header keeps the platedigits limit whatever the import order, so a 20000 x 20000 TIFF or WebP
of a few kilobytes cannot make a batch eat all memory.

Only headers are parsed; nothing is decoded. A header that cannot be parsed gives None and the
file goes on to OpenCV (whose own limit and a check of the decoded size still apply).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable

_GAP = rb"(?:\s|#[^\r\n]*[\r\n])+"  # whitespace and comment lines between PNM header fields
_PNM = re.compile(rb"P[1-6Ff]" + _GAP + rb"(\d+)" + _GAP + rb"(\d+)")
_PAM_WIDTH = re.compile(rb"\nWIDTH\s+(\d+)")
_PAM_HEIGHT = re.compile(rb"\nHEIGHT\s+(\d+)")
_HDR_RESOLUTION = re.compile(rb"\n\s*([-+][XY])\s+(\d+)\s+([-+][XY])\s+(\d+)")


def _tiff(data: bytes) -> tuple[int, int] | None:
    if data[:2] == b"II":
        order = "<"
    elif data[:2] == b"MM":
        order = ">"
    else:
        return None
    magic = struct.unpack(order + "H", data[2:4])[0]
    if magic == 42:
        offset = struct.unpack(order + "I", data[4:8])[0]
        count = struct.unpack(order + "H", data[offset : offset + 2])[0]
        first, entry_size, count_format = offset + 2, 12, "I"
    elif magic == 43:  # BigTIFF: 8-byte offsets and counts
        offset = struct.unpack(order + "Q", data[8:16])[0]
        count = struct.unpack(order + "Q", data[offset : offset + 8])[0]
        first, entry_size, count_format = offset + 8, 20, "Q"
    else:
        return None
    value_at = 4 + struct.calcsize(count_format)
    found: dict[int, int] = {}
    # Only the first page: OpenCV's imdecode reads no other.
    for index in range(min(count, 4096)):
        base = first + index * entry_size
        tag, kind = struct.unpack(order + "HH", data[base : base + 4])
        if tag not in (256, 257):
            continue
        value = data[base + value_at : base + entry_size]
        formats = {3: "H", 4: "I", 16: "Q"}
        if kind not in formats:
            return None
        size = struct.calcsize(formats[kind])
        found[tag] = struct.unpack(order + formats[kind], value[:size])[0]
    if 256 in found and 257 in found:
        return found[256], found[257]
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = struct.unpack("<I", data[21:25])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _gif(data: bytes) -> tuple[int, int] | None:
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


def _netpbm(data: bytes) -> tuple[int, int] | None:
    head = data[:4096]
    if head[:2] == b"P7":
        width, height = _PAM_WIDTH.search(head), _PAM_HEIGHT.search(head)
        if width and height:
            return int(width.group(1)), int(height.group(1))
        return None
    match = _PNM.match(head)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _sun_raster(data: bytes) -> tuple[int, int] | None:
    if data[:4] != b"\x59\xa6\x6a\x95":
        return None
    width, height = struct.unpack(">II", data[4:12])
    return width, height


def _radiance(data: bytes) -> tuple[int, int] | None:
    if not data.startswith((b"#?RADIANCE", b"#?RGBE")):
        return None
    match = _HDR_RESOLUTION.search(data[:8192])
    if not match:
        return None
    first, second = int(match.group(2)), int(match.group(4))
    return (second, first) if match.group(1).endswith(b"Y") else (first, second)


def _jpeg2000(data: bytes) -> tuple[int, int] | None:
    if data[:4] == b"\xff\x4f\xff\x51":  # bare codestream: the SIZ segment comes first
        x_size, y_size, x_offset, y_offset = struct.unpack(">IIII", data[8:24])
        if x_offset > x_size or y_offset > y_size:
            return None
        return x_size - x_offset, y_size - y_offset
    if data[4:8] == b"jP  ":
        at = data.find(b"ihdr", 0, 65536)
        if at >= 0:
            height, width = struct.unpack(">II", data[at + 4 : at + 12])
            return width, height
    return None


def _heif(data: bytes) -> tuple[int, int] | None:
    # AVIF and HEIF: every image item has an "ispe" (spatial extent) property; a grid image
    # declares its full size there too, so the largest one is what a decoder would allocate.
    if data[4:8] != b"ftyp":
        return None
    best: tuple[int, int] | None = None
    at = data.find(b"ispe\x00\x00\x00\x00")
    while at >= 0:
        width, height = struct.unpack(">II", data[at + 8 : at + 16])
        if best is None or width * height > best[0] * best[1]:
            best = (width, height)
        at = data.find(b"ispe\x00\x00\x00\x00", at + 8)
    return best


_PARSERS: tuple[Callable[[bytes], tuple[int, int] | None], ...] = (
    _tiff,
    _webp,
    _gif,
    _netpbm,
    _sun_raster,
    _radiance,
    _jpeg2000,
    _heif,
)


def declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height declared in the header of a TIFF, WebP, GIF, PNM/PAM/PFM, Sun raster,
    Radiance HDR, JPEG 2000 or AVIF/HEIF file.

    Parameters
    ----------
    data : bytes
        The start of the file, or all of it (TIFF headers may point anywhere in the file).

    Returns
    -------
    tuple of int or None
        ``(width, height)``, or None when the format is not one of these or the header is cut
        short or malformed.

    Examples
    --------
    >>> declared_size(b"P5 640 480 255\\n")
    (640, 480)
    >>> declared_size(b"not an image") is None
    True
    """
    for parse in _PARSERS:
        try:
            size = parse(data)
        except (struct.error, ValueError):
            return None
        if size is not None:
            return size
    return None
