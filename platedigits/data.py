"""Finding image files and reading labelled folders (``DATA_DIR/<label>/*.png``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from platedigits.errors import DataError, ImageReadError
from platedigits.features import DEFAULT_CONFIG, FeatureConfig, features_batch
from platedigits.imageio import is_image_path


def iter_image_files(folder: str | os.PathLike[str]) -> Iterator[Path]:
    """Walk ``folder`` recursively in sorted order and yield its image files.

    Parameters
    ----------
    folder : str or path-like

    Yields
    ------
    pathlib.Path
        Every entry whose name has an image extension and that is not a directory: regular
        files, links to files, and broken links (so that the caller can report them).
        Directories are walked, never yielded, even when their name ends in ``.png``.
    """
    root = Path(folder)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        # os.walk lists directories named like images (and links to them) in dirnames: skip.
        for name in sorted(filenames):
            if is_image_path(name):
                yield here / name


@dataclass
class LabelledImages:
    """The image files of a labelled folder, in sorted order.

    Attributes
    ----------
    paths : list of pathlib.Path
    labels : list of str
        The class folder each path sits in.
    classes : list of str
        Every class folder, sorted, including empty ones.
    """

    paths: list[Path]
    labels: list[str]
    classes: list[str]


def list_labelled_images(folder: str | os.PathLike[str]) -> LabelledImages:
    """List ``folder/<label>/**/*.<image>``.

    Files beside the class folders (a ``manifest.csv``, a README) are ignored.

    Raises
    ------
    DataError
        The folder does not exist, is not a folder, or has no class folders.
    """
    root = Path(folder)
    if not root.exists():
        raise DataError(f"{root}: no such folder")
    if not root.is_dir():
        raise DataError(f"{root}: not a folder (expected DATA_DIR/<label>/<images>)")
    classes = sorted(entry.name for entry in root.iterdir() if entry.is_dir())
    if not classes:
        raise DataError(f"{root}: no class folders (expected DATA_DIR/<label>/<images>)")
    paths: list[Path] = []
    labels: list[str] = []
    for label in classes:
        for path in iter_image_files(root / label):
            paths.append(path)
            labels.append(label)
    return LabelledImages(paths=paths, labels=labels, classes=classes)


@dataclass
class LabelledFeatures:
    """Features of a labelled folder, ready for training or evaluation.

    Attributes
    ----------
    features : numpy.ndarray
        ``(n, n_features)`` float32.
    labels : numpy.ndarray
        ``(n,)`` str.
    paths : list of pathlib.Path
        The ``n`` files read.
    skipped : list of (pathlib.Path, str)
        Files that could not be read, with the reason.
    empty_classes : list of str
        Class folders in which no image could be read.
    """

    features: np.ndarray
    labels: np.ndarray
    paths: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    empty_classes: list[str] = field(default_factory=list)


#: Images featurised together by load_labelled_features.
_FEATURE_CHUNK = 512


def load_labelled_features(
    folder: str | os.PathLike[str],
    *,
    config: FeatureConfig = DEFAULT_CONFIG,
    progress: Callable[[int], None] | None = None,
) -> LabelledFeatures:
    """Read every image of a labelled folder and compute its features.

    Parameters
    ----------
    folder : str or path-like
        ``folder/<label>/*.<image>``.
    config : FeatureConfig, keyword-only
    progress : callable, optional, keyword-only
        Called with the number of files done since the last call.

    Returns
    -------
    LabelledFeatures
        Unreadable files are skipped and listed, never fatal.

    Raises
    ------
    DataError
        The folder is missing, has no class folders, or holds no readable image at all.
    """
    from platedigits.batch import read_image_fast
    from platedigits.preprocess import STACK_MAX_PIXELS

    listing = list_labelled_images(folder)
    if not listing.paths:
        raise DataError(f"{folder}: the class folders hold no image files")
    # Decoded images wait in chunks and are featurised a chunk at a time by the batched path
    # (several times faster than one image at a time, and only features are kept).
    feature_chunks: list[np.ndarray] = []
    pending: list[np.ndarray] = []
    labels: list[str] = []
    paths: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path, label in zip(listing.paths, listing.labels, strict=True):
        try:
            image = read_image_fast(os.fspath(path))
        except ImageReadError as exc:
            skipped.append((path, exc.reason))
        else:
            pending.append(image)
            labels.append(label)
            paths.append(path)
            # Big images are not worth holding for a stack (see STACK_MAX_PIXELS).
            if len(pending) >= _FEATURE_CHUNK or image.shape[0] * image.shape[1] > STACK_MAX_PIXELS:
                feature_chunks.append(features_batch(pending, config=config))
                pending = []
        if progress is not None:
            progress(1)
    if pending:
        feature_chunks.append(features_batch(pending, config=config))
    if not labels:
        raise DataError(f"{folder}: none of the {len(listing.paths)} image files could be read")
    features = np.concatenate(feature_chunks)
    empty = [label for label in listing.classes if label not in set(labels)]
    return LabelledFeatures(
        features=features,
        labels=np.asarray(labels),
        paths=paths,
        skipped=skipped,
        empty_classes=empty,
    )
