"""The one place that imports OpenCV, so its process-wide settings are made once and first.

OpenCV reads ``OPENCV_IO_MAX_IMAGE_PIXELS`` when the library loads, so the pixel limit has to be
in the environment before ``import cv2``; a user who sets it themselves keeps their value.
Decoding errors come back to callers as :class:`~platedigits.errors.ImageReadError`, so OpenCV's
own log lines (which would otherwise land on stderr beside our one-line errors) are silenced.
The command line's processes also give OpenCV and OpenBLAS one thread each
(:func:`one_thread_each`); the library leaves that to whoever owns the process.
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

__all__ = ["MAX_IMAGE_PIXELS", "cv2", "one_thread_each"]


def one_thread_each() -> None:
    """Give OpenCV and OpenBLAS one thread each in this process.

    A plate or character image is far too small for their thread pools to pay: in one process
    reading the 255 plates of plates-cn, OpenCV's threads doubled the CPU time and added a
    third to the wall time, and OpenBLAS's spin-waiting threads doubled each batch worker's CPU
    time. For the command line's processes, not the library's callers (whose process it is).
    """
    cv2.setNumThreads(1)
    _limit_blas_threads(1)


#: Names of OpenBLAS's thread-count setter in the builds NumPy ships with (plain, 64-bit
#: interface, and the scipy-openblas wheels NumPy 2 uses).
_BLAS_SETTERS = (
    "openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
)


def _limit_blas_threads(count: int) -> bool:
    """Set the thread count of the OpenBLAS NumPy has loaded; False when none was found.

    NumPy reads ``OPENBLAS_NUM_THREADS`` only when it loads, which in a forked worker is long
    past, so the library's own setter is called, as threadpoolctl does. Best effort: other
    BLAS builds are left alone.
    """
    import ctypes

    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            libraries = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return False
    done = False
    for library in sorted(libraries):
        try:
            handle = ctypes.CDLL(library)
        except OSError:
            continue
        for name in _BLAS_SETTERS:
            setter = getattr(handle, name, None)
            if setter is not None:
                setter(count)
                done = True
                break
    return done
