"""The one place that imports OpenCV, so its process-wide settings are made once and first.

OpenCV reads ``OPENCV_IO_MAX_IMAGE_PIXELS`` when the library loads, so the pixel limit has to be
in the environment before ``import cv2``; a user who sets it themselves keeps their value.
Decoding errors come back to callers as :class:`~platedigits.errors.ImageReadError`, so OpenCV's
own log lines (which would otherwise land on stderr beside our one-line errors) are silenced.
"""

from __future__ import annotations

import contextlib
import os

#: Largest image, in pixels, that platedigits decodes (about 8000 x 8000). A plate crop is tiny;
#: a larger file is far more likely a mistake or a decompression bomb than a plate.
MAX_IMAGE_PIXELS = 1 << 26

os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(MAX_IMAGE_PIXELS))

import cv2  # noqa: E402

# Very old or trimmed builds have no logging module.
with contextlib.suppress(AttributeError):
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

__all__ = ["MAX_IMAGE_PIXELS", "cv2"]
