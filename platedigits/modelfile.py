"""The model file: one ``.npz`` holding the weight arrays and a JSON metadata document.

Layout (format version 1)::

    meta.npy   uint8 array: UTF-8 JSON {"format": "platedigits-model", "format_version": 1,
               "classes": [...], "feature_config": {...}, "network": {...},
               "layer_sizes": [...], "training": {...}, "metrics": {...},
               "platedigits_version": "..."}
    W0.npy, b0.npy, W1.npy, ...   float32 weights and biases, layer by layer

Files are written atomically (a temporary file in the same folder, then a rename), with fixed
zip timestamps so that the same model always gives the same bytes, and are read with
``allow_pickle=False``: loading a model never runs code from the file.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from platedigits import __version__
from platedigits.errors import ModelError
from platedigits.features import FeatureConfig
from platedigits.network import BPNetwork

FORMAT_NAME = "platedigits-model"
FORMAT_VERSION = 1
_META_KEY = "meta"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: Most bytes a model's arrays may take once decompressed. A 25-64-10 network is about 10 KB;
#: even very large networks stay far below this.
MAX_MODEL_BYTES = 256 * 1024 * 1024


@dataclass
class ModelParts:
    """What a model file holds, decoded: the network, its feature config and the metadata."""

    network: BPNetwork
    feature_config: FeatureConfig
    metadata: dict[str, Any] = field(default_factory=dict)
    #: Arrays of optional extra networks, stored under a dotted prefix (``reject.W0``, ...).
    extra_arrays: dict[str, np.ndarray] = field(default_factory=dict)


def save_model(
    path: str | os.PathLike[str],
    network: BPNetwork,
    *,
    feature_config: FeatureConfig,
    metadata: Mapping[str, Any] | None = None,
    extra_arrays: Mapping[str, np.ndarray] | None = None,
) -> None:
    """Write a fitted network and its feature config to ``path``, atomically.

    Parameters
    ----------
    path : str or path-like
        Destination, conventionally ending in ``.npz``. Its folder must exist.
    network : BPNetwork
        A fitted network.
    feature_config : FeatureConfig, keyword-only
        The features the network was trained on.
    metadata : mapping, optional, keyword-only
        Extra JSON-ready information (``training`` settings, ``metrics``, ...), merged into
        the stored metadata.
    extra_arrays : mapping of str to numpy.ndarray, optional, keyword-only
        Arrays of optional extra networks (the plate reader's digit/non-digit judge); every
        name holds a dot (``reject.W0``), which keeps them apart from the digit network's.

    Raises
    ------
    ModelError
        The folder does not exist or cannot be written.
    """
    path = Path(path)
    arrays = network.get_arrays()
    meta: dict[str, Any] = dict(metadata or {})
    meta.update(
        {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "classes": [str(c) for c in network.classes_],
            "feature_config": feature_config.to_dict(),
            "network": network.get_config(),
            "layer_sizes": [int(arrays["W0"].shape[0])]
            + [int(arrays[f"W{i}"].shape[1]) for i in range(len(arrays) // 2)],
            "platedigits_version": __version__,
        }
    )
    meta_bytes = json.dumps(meta, sort_keys=True, indent=1).encode("utf-8")
    extras = dict(extra_arrays or {})
    if any("." not in name for name in extras):
        raise ValueError("extra array names must hold a dot (prefix.name)")
    entries = {_META_KEY: np.frombuffer(meta_bytes, dtype=np.uint8), **arrays, **extras}

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ModelError(path, "cannot write the model: the folder does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ModelError(path, f"cannot write the model: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, array in entries.items():
                    buffer = io.BytesIO()
                    np.lib.format.write_array(
                        buffer, np.ascontiguousarray(array), allow_pickle=False
                    )
                    info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); a model is an ordinary file, so give it the
        # permissions any new file gets under the user's umask.
        os.chmod(tmp_name, 0o666 & ~_current_umask())
        os.replace(tmp_name, path)
    except BaseException:
        # Whatever stopped us (a full disk, Ctrl-C), the old model stays as it was.
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load_model_file(path: str | os.PathLike[str]) -> ModelParts:
    """Read and check a model file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    ModelParts

    Raises
    ------
    ModelError
        The file is missing, not an ``.npz``, truncated, holds pickled objects, is not a
        platedigits model, has an unknown format version, or its arrays do not fit its metadata.
    """
    path = Path(path)
    if not path.exists():
        raise ModelError(path, "no such model file")
    if path.is_dir():
        raise ModelError(path, "is a directory, not a model file")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelError(path, f"cannot read the model file: {exc.strerror or exc}") from None
    if magic != b"PK\x03\x04":
        # np.load would take any non-zip file for a pickle; say what it really is instead.
        raise ModelError(path, "not a readable .npz model file (not a zip archive)")
    try:
        # A few KB of zip can declare gigabytes of arrays; check before inflating anything.
        with zipfile.ZipFile(path) as listing:
            declared = sum(info.file_size for info in listing.infolist())
        if declared > MAX_MODEL_BYTES:
            raise ModelError(
                path,
                f"refused: the arrays would take {declared:,} bytes, more than the "
                f"{MAX_MODEL_BYTES:,} a platedigits model may hold",
            )
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            if _META_KEY not in names:
                raise ModelError(path, "not a platedigits model (no metadata in the file)")
            arrays = {name: archive[name] for name in sorted(names)}
    except ModelError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise ModelError(path, "refused: the file holds pickled Python objects") from None
        raise ModelError(path, f"not a valid model file ({exc})") from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        reason = (
            "truncated or corrupt" if isinstance(exc, zipfile.BadZipFile | EOFError) else str(exc)
        )
        raise ModelError(path, f"not a readable .npz model file ({reason})") from None
    except Exception as exc:  # np.load on foreign bytes can fail in many ways
        raise ModelError(path, f"not a readable model file ({type(exc).__name__})") from None

    meta_array = arrays.pop(_META_KEY)
    extra_arrays = {name: arrays.pop(name) for name in list(arrays) if "." in name}
    if meta_array.dtype != np.uint8 or meta_array.ndim != 1:
        raise ModelError(path, "not a platedigits model (metadata is not JSON bytes)")
    try:
        meta = json.loads(meta_array.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelError(path, "not a platedigits model (metadata is not valid JSON)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelError(path, "not a platedigits model (wrong format name)")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            path,
            f"model format version {meta.get('format_version')!r} is not supported "
            f"(this platedigits {__version__} reads version {FORMAT_VERSION})",
        )
    try:
        feature_config = FeatureConfig.from_dict(meta["feature_config"])
        classes = [str(c) for c in meta["classes"]]
        network = BPNetwork.from_parts(meta["network"], arrays, classes)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(path, f"inconsistent model file: {exc}") from None
    if network.n_features_in_ != feature_config.n_features:
        raise ModelError(
            path,
            f"inconsistent model file: the network takes {network.n_features_in_} features but "
            f"the feature config gives {feature_config.n_features}",
        )
    return ModelParts(
        network=network, feature_config=feature_config, metadata=meta, extra_arrays=extra_arrays
    )
