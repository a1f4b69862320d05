from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import draw_digit, write_png

from platedigits.data import iter_image_files, list_labelled_images, load_labelled_features
from platedigits.errors import DataError


def test_walks_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ["b/2.png", "a/z.JPG", "a/sub/1.tif", "c.webp", "a/notes.txt", "labels.csv"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    (tmp_path / "dir.png").mkdir()  # a directory named like an image is walked, not listed
    (tmp_path / "dir.png" / "inside.png").write_bytes(b"x")
    (tmp_path / "dangling.png").symlink_to(tmp_path / "gone.png")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_image_files(tmp_path)]
    assert found == [
        "c.webp",
        "dangling.png",
        "a/z.JPG",
        "a/sub/1.tif",
        "b/2.png",
        "dir.png/inside.png",
    ]


def test_labelled_listing_ignores_loose_files(digit_folder: Path) -> None:
    listing = list_labelled_images(digit_folder)
    assert listing.classes == list("0123456789")
    assert len(listing.paths) == len(listing.labels) == 180
    assert listing.paths == sorted(listing.paths)
    pairs = zip(listing.paths, listing.labels, strict=True)
    assert all(p.parent.name == label for p, label in pairs)


def test_load_features_skips_unreadable_files(tmp_path: Path) -> None:
    write_png(tmp_path / "1" / "a.png", draw_digit("1"))
    write_png(tmp_path / "2" / "a.png", draw_digit("2"))
    (tmp_path / "2" / "broken.png").write_text("not an image")
    (tmp_path / "3").mkdir()
    (tmp_path / "3" / "empty.png").write_bytes(b"")
    data = load_labelled_features(tmp_path)
    assert data.features.shape == (2, 25) and data.features.dtype == np.float32
    assert data.labels.tolist() == ["1", "2"]
    assert [p.name for p, _ in data.skipped] == ["broken.png", "empty.png"]
    assert data.empty_classes == ["3"]


def test_bad_folders(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such folder"):
        list_labelled_images(tmp_path / "missing")
    with pytest.raises(DataError, match="no class folders"):
        list_labelled_images(tmp_path)
    (tmp_path / "0").mkdir()
    with pytest.raises(DataError, match="no image files"):
        load_labelled_features(tmp_path)
    (tmp_path / "0" / "bad.png").write_text("nope")
    with pytest.raises(DataError, match="could be read"):
        load_labelled_features(tmp_path)
