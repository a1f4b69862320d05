"""models/build.py: the default model is rebuilt from synthetic data, bit for bit."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from platedigits.modelfile import load_model_file

BUILD_PY = Path(__file__).resolve().parent.parent / "models" / "build.py"


def _load_build():
    try:
        from platedigits.models import build  # installed package
    except ImportError:
        spec = importlib.util.spec_from_file_location("platedigits_models_build", BUILD_PY)
        assert spec is not None and spec.loader is not None
        build = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = build
        spec.loader.exec_module(build)
    return build


build = _load_build()

SMALL_NET = {**build.NETWORK, "epochs": 15, "hidden_layer_sizes": (16,)}


def _small(out: Path, **kw) -> dict:
    return build.build(
        out,
        per_class=12,
        seed=5,
        check_per_class=0,
        network=SMALL_NET,
        workers=1,
        verbose=False,
        **kw,
    )


def test_two_builds_give_identical_bytes(tmp_path: Path) -> None:
    _small(tmp_path / "a.npz")
    _small(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_a_different_seed_gives_a_different_model(tmp_path: Path) -> None:
    _small(tmp_path / "a.npz")
    build.build(
        tmp_path / "c.npz",
        per_class=12,
        seed=6,
        check_per_class=0,
        network=SMALL_NET,
        workers=1,
        verbose=False,
    )
    assert (tmp_path / "a.npz").read_bytes() != (tmp_path / "c.npz").read_bytes()


def test_built_model_records_its_recipe_and_reads_digits(tmp_path: Path) -> None:
    _small(tmp_path / "m.npz")
    parts = load_model_file(tmp_path / "m.npz")
    training = parts.metadata["training"]
    assert training["seed"] == 5 and training["per_class"] == 12
    assert training["data"].startswith("synthetic only")
    assert [str(c) for c in parts.network.classes_] == list("0123456789")
    assert parts.feature_config.n_features == 25


def test_features_do_not_depend_on_worker_count() -> None:
    x1, y1 = build.synthetic_features(per_class=3, seed=9, workers=1)
    x2, y2 = build.synthetic_features(per_class=3, seed=9, workers=2)
    assert np.array_equal(x1, x2) and list(y1) == list(y2)
    assert x1.shape == (30, 25) and x1.dtype == np.float32


def test_digit_network_also_learns_digits_cut_from_synthetic_plates() -> None:
    from platedigits.reject import plate_digit_masks

    X, y, n_plate = build.training_features(per_class=3, seed=9, workers=1)
    crops, crop_labels = build.synthetic_features(per_class=3, seed=9, workers=1)
    assert n_plate > 0 and len(y) == len(crop_labels) + n_plate
    assert np.array_equal(X[: len(crops)], crops)  # the crops first, unchanged
    masks, labels = plate_digit_masks(plates=build._plate_digit_plates(3), seed=11, workers=1)
    assert len(masks) == n_plate and list(y[len(crops) :]) == list(labels)
    assert set(labels) <= set("0123456789")
    again, _ = plate_digit_masks(plates=build._plate_digit_plates(3), seed=11, workers=2)
    assert all(np.array_equal(a, b) for a, b in zip(masks, again, strict=True))
    # They are segmenter masks: tight binary crops, as the plate reader gets them.
    assert all(m.dtype == np.uint8 and set(np.unique(m)) <= {0, 255} for m in masks)
    assert all(m[0].any() and m[-1].any() and m[:, 0].any() and m[:, -1].any() for m in masks)


@pytest.mark.skipif(not (BUILD_PY.parent / "default.npz").exists(), reason="no shipped model yet")
def test_shipped_model_is_synthetic_and_loads() -> None:
    parts = load_model_file(BUILD_PY.parent / "default.npz")
    assert parts.metadata["training"]["data"].startswith("synthetic only")
    assert parts.metadata["training"]["seed"] == build.SEED


@pytest.mark.skipif(not (BUILD_PY.parent / "default.npz").exists(), reason="no shipped model yet")
def test_shipped_model_file_holds_no_subnormal_weights() -> None:
    # Read raw, not through load_model (which would zero them): the build's training keeps
    # them out, and a subnormal weight makes every product that touches it many times slower.
    with np.load(BUILD_PY.parent / "default.npz", allow_pickle=False) as arrays:
        floats = {name: arrays[name] for name in arrays.files if arrays[name].dtype.kind == "f"}
    assert len(floats) >= 4  # the digit network's weights and biases, at least
    tiny = {name: np.finfo(a.dtype).tiny for name, a in floats.items()}
    subnormal = {
        name: int(np.count_nonzero((a != 0) & (np.abs(a) < tiny[name])))
        for name, a in floats.items()
    }
    assert sum(subnormal.values()) == 0, subnormal
