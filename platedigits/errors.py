"""The project's exceptions: one base class, so callers can catch everything platedigits raises."""

from __future__ import annotations

import os


class PlateDigitsError(Exception):
    """Base class of every error platedigits raises on purpose."""


class ImageReadError(PlateDigitsError):
    """An image file or buffer that could not be decoded.

    The message always names the file and the reason, on one line.
    """

    def __init__(self, path: str | os.PathLike[str] | None, reason: str) -> None:
        self.path = None if path is None else os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path is not None else reason)


class ModelError(PlateDigitsError):
    """A model file that is missing, broken, foreign or inconsistent."""

    def __init__(self, path: str | os.PathLike[str] | None, reason: str) -> None:
        self.path = None if path is None else os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path is not None else reason)


class DataError(PlateDigitsError):
    """A training or evaluation folder that cannot be used as it is."""


class TrainingError(PlateDigitsError):
    """Training that cannot go on, for example because the loss became NaN."""


class MissingDependencyError(PlateDigitsError, ImportError):
    """An optional extra (matplotlib for pictures) that is not installed; says what to install."""
