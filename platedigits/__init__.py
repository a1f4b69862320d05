"""platedigits: read the digits on licence plates with a classic pipeline and a NumPy BP network.

The public API, loaded on first use so that ``import platedigits`` stays cheap::

    >>> import platedigits
    >>> model = platedigits.load_model()                    # the shipped model, or a path
    >>> reading = model.read("plate.png")                   # doctest: +SKIP
    >>> reading.text, reading.confidence                    # doctest: +SKIP
    ('12345', 0.97)
    >>> for r in model.read_many(paths): print(r.to_dict()) # doctest: +SKIP
    >>> platedigits.features("digit.png").shape             # doctest: +SKIP
    (25,)

``load_model``, ``Model``, ``Reading``, ``CharacterReading``
    Reading images: see :mod:`platedigits.model`.
``features``
    Image or path -> the 25 window ratios (the :mod:`platedigits.features` module, callable).
``BPNetwork``, ``FeatureConfig``, ``train_model``, ``load_labelled_features``
    Training in code: see the README.
``PlateDigitsError`` and its subclasses
    Everything platedigits raises on purpose.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it; imported on first access.
_EXPORTS: dict[str, str] = {
    "load_model": "platedigits.model",
    "Model": "platedigits.model",
    "Reading": "platedigits.model",
    "CharacterReading": "platedigits.model",
    "train_model": "platedigits.model",
    "BPNetwork": "platedigits.network",
    "FeatureConfig": "platedigits.features",
    "load_labelled_features": "platedigits.data",
    "PlateDigitsError": "platedigits.errors",
    "ImageReadError": "platedigits.errors",
    "ModelError": "platedigits.errors",
    "DataError": "platedigits.errors",
    "TrainingError": "platedigits.errors",
    "MissingDependencyError": "platedigits.errors",
}

__all__ = [
    "BPNetwork",
    "CharacterReading",
    "DataError",
    "FeatureConfig",
    "ImageReadError",
    "MissingDependencyError",
    "Model",
    "ModelError",
    "PlateDigitsError",
    "Reading",
    "TrainingError",
    "__version__",
    "features",
    "load_labelled_features",
    "load_model",
    "train_model",
]

if TYPE_CHECKING:
    from platedigits.data import load_labelled_features
    from platedigits.errors import (
        DataError,
        ImageReadError,
        MissingDependencyError,
        ModelError,
        PlateDigitsError,
        TrainingError,
    )
    from platedigits.features import FeatureConfig
    from platedigits.model import CharacterReading, Model, Reading, load_model, train_model
    from platedigits.network import BPNetwork


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name == "features":
        return importlib.import_module("platedigits.features")
    raise AttributeError(f"module 'platedigits' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _FeaturesModule(types.ModuleType):
    """:mod:`platedigits.features`, callable as ``platedigits.features(image_or_path)``.

    ``platedigits.features`` has to be the submodule (Python's import system puts every loaded
    submodule on its package, so a function of that name would be replaced as soon as anything
    imported the module); making the module callable gives both meanings one object.
    """

    def __call__(self, image: Any, *, config: Any = None) -> Any:
        """The feature vector of one character image.

        Parameters
        ----------
        image : numpy.ndarray or path
            A decoded image (grey, BGR or BGRA) or the path of an image file.
        config : FeatureConfig, optional, keyword-only
            Default: 25x15 characters, 5x3 windows, Otsu (what the shipped model uses).

        Returns
        -------
        numpy.ndarray
            ``(n_features,)`` ``float32`` in [0, 1]; ``(25,)`` with the default config, the
            white share of each window read row by row.

        Raises
        ------
        ImageReadError
            The file cannot be read or decoded.
        """
        import numpy as np

        from platedigits.imageio import read_image

        if not isinstance(image, np.ndarray):
            image = read_image(os.fspath(image))
        return self.image_features(image, config=config or self.DEFAULT_CONFIG)


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # The import system sets ``platedigits.features`` when the submodule loads: give it
        # its call at that moment, however it was first imported.
        if name == "features" and type(value) is types.ModuleType:
            value.__class__ = _FeaturesModule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
if "platedigits.features" in sys.modules:  # a reload after the submodule was loaded
    sys.modules["platedigits.features"].__class__ = _FeaturesModule
