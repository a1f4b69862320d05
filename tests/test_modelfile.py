from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from platedigits.errors import ModelError
from platedigits.features import FeatureConfig
from platedigits.modelfile import FORMAT_VERSION, load_model_file, save_model
from platedigits.network import BPNetwork


@pytest.fixture(scope="module")
def network() -> BPNetwork:
    rng = np.random.default_rng(0)
    X = rng.random((60, 25)).astype(np.float32)
    y = np.where(X[:, 0] > 0.5, "a", "b")
    return BPNetwork((8,), epochs=5, validation_fraction=0.0, seed=1).fit(X, y)


def save(path: Path, network: BPNetwork, **meta: object) -> Path:
    save_model(path, network, feature_config=FeatureConfig(), metadata=meta)
    return path


def test_round_trip(tmp_path: Path, network: BPNetwork) -> None:
    path = save(tmp_path / "m.npz", network, training={"seed": 1})
    parts = load_model_file(path)
    assert parts.feature_config == FeatureConfig()
    assert parts.metadata["training"] == {"seed": 1}
    assert parts.metadata["classes"] == ["a", "b"]
    assert parts.metadata["layer_sizes"] == [25, 8, 2]
    X = np.random.default_rng(5).random((10, 25)).astype(np.float32)
    np.testing.assert_array_equal(parts.network.predict_proba(X), network.predict_proba(X))


def test_same_model_same_bytes(tmp_path: Path, network: BPNetwork) -> None:
    first = save(tmp_path / "a.npz", network).read_bytes()
    second = save(tmp_path / "b.npz", network).read_bytes()
    assert first == second


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path, network: BPNetwork) -> None:
    save(tmp_path / "m.npz", network)
    save(tmp_path / "m.npz", network)
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_saved_model_has_ordinary_permissions(tmp_path: Path, network: BPNetwork) -> None:
    import os

    mask = os.umask(0o022)
    try:
        path = save(tmp_path / "m.npz", network)
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_failed_write_keeps_the_old_model(
    tmp_path: Path, network: BPNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(tmp_path / "m.npz", network)
    before = path.read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(np.lib.format, "write_array", fail)
    with pytest.raises(KeyboardInterrupt):
        save(path, network)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_missing_folder(tmp_path: Path, network: BPNetwork) -> None:
    with pytest.raises(ModelError, match="folder does not exist"):
        save(tmp_path / "nope" / "m.npz", network)


def _rewrite(src: Path, dst: Path, change: dict) -> Path:
    """Copy a model file, replacing or dropping ('None') some of its entries."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            key = name.removesuffix(".npy")
            if key in change:
                if change[key] is not None:
                    with zout.open(name, "w") as handle:
                        np.lib.format.write_array(handle, change[key], allow_pickle=True)
            else:
                zout.writestr(name, zin.read(name))
    return dst


def _meta(path: Path) -> dict:
    with np.load(path) as archive:
        return json.loads(archive["meta"].tobytes())


def _meta_array(meta: dict) -> np.ndarray:
    return np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)


def broken_models(tmp_path: Path, network: BPNetwork) -> dict[str, tuple[Path, str]]:
    good = save(tmp_path / "good.npz", network)
    data = good.read_bytes()
    meta = _meta(good)
    cases = {}
    cases["missing"] = (tmp_path / "missing.npz", "no such model file")
    text = tmp_path / "text.npz"
    text.write_text("hello, I am a model")
    cases["text"] = (text, "not a readable")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(data[: len(data) // 2])
    cases["truncated"] = (truncated, "not a readable")
    cases["no meta"] = (_rewrite(good, tmp_path / "nometa.npz", {"meta": None}), "no metadata")
    cases["wrong shapes"] = (
        _rewrite(good, tmp_path / "shapes.npz", {"W0": np.zeros((25, 3), np.float32)}),
        "inconsistent",
    )
    future = {**meta, "format_version": FORMAT_VERSION + 1}
    cases["version"] = (
        _rewrite(good, tmp_path / "future.npz", {"meta": _meta_array(future)}),
        "format version",
    )
    foreign = {**meta, "format": "something-else"}
    cases["foreign"] = (
        _rewrite(good, tmp_path / "foreign.npz", {"meta": _meta_array(foreign)}),
        "not a platedigits model",
    )
    features = {**meta, "feature_config": {**meta["feature_config"], "height": 30}}
    cases["feature mismatch"] = (
        _rewrite(good, tmp_path / "features.npz", {"meta": _meta_array(features)}),
        "features",
    )
    pickled = np.array([{"evil": "object"}], dtype=object)
    cases["pickle"] = (
        _rewrite(good, tmp_path / "pickle.npz", {"W1": pickled}),
        "pickled",
    )
    np.savez(tmp_path / "plain.npz", x=np.zeros(3))
    cases["plain npz"] = (tmp_path / "plain.npz", "no metadata")
    (tmp_path / "dir.npz").mkdir()
    cases["directory"] = (tmp_path / "dir.npz", "directory")
    return cases


def test_every_broken_model_is_refused_clearly(tmp_path: Path, network: BPNetwork) -> None:
    for name, (path, expected) in broken_models(tmp_path, network).items():
        with pytest.raises(ModelError) as info:
            load_model_file(path)
        message = str(info.value)
        assert expected in message, (name, message)
        assert str(path) in message and "\n" not in message, name


def test_zip_bomb_is_refused_before_inflating(
    tmp_path: Path, network: BPNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    from platedigits import modelfile

    good = save(tmp_path / "good.npz", network)
    declared = sum(i.file_size for i in zipfile.ZipFile(good).infolist())
    assert declared > good.stat().st_size  # the sizes checked are the inflated ones
    monkeypatch.setattr(modelfile, "MAX_MODEL_BYTES", declared - 1)
    with pytest.raises(ModelError, match="refused: the arrays would take"):
        load_model_file(good)
    monkeypatch.setattr(modelfile, "MAX_MODEL_BYTES", declared)
    assert load_model_file(good).network is not None
