"""Telling digits from the other characters of a plate (letters, province symbols).

A digit reader trained on digits only has to answer a digit for every character it is shown, and
on a plate it is shown letters too: "B" comes out as "8", "D" as "0", "Z" as "2". The
:class:`Rejector` is a second, small network that knows what the letters look like. It is trained
on synthetic digits, letters and many-stroke symbols (:mod:`platedigits.synth`), on a finer grid
than the digit reader (8 x 8 windows instead of 5 x 5: "B" and "8" differ in a straight left
edge that a 5 x 5 grid barely sees), and it answers one question: how likely is this character a
digit (the sum of its digit classes' probabilities).

"I" and "O" are not among its letters: in most plate typefaces they are drawn exactly like "1"
and "0" (and many countries leave them out of plates for that reason), so no reader can tell
them apart from the shape alone, and refusing every "0" would be worse than reading an "O" as
"0".

The rejector lives in the model file next to the digit network, its arrays under the
``reject.`` prefix and its settings under the ``reject`` metadata key (see :meth:`to_parts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from platedigits.features import FeatureConfig, features_batch, window_ratios_batch
from platedigits.network import BPNetwork
from platedigits.preprocess import normalize_character

#: Letters the rejector learns; I and O are left out (see the module notes).
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
#: The class standing for every many-stroke symbol (a Chinese plate's province character).
SYMBOL_CLASS = "#"
REJECT_FEATURES = FeatureConfig(height=24, width=16, window_height=3, window_width=2)
#: Settings of the rejector's network when trained by :func:`train_rejector`.
REJECT_NETWORK: dict[str, Any] = {
    "hidden_layer_sizes": (96,),
    "activation": "relu",
    "optimizer": "adam",
    "learning_rate": 3e-3,
    "epochs": 120,
    "batch_size": 64,
    "l2": 1e-4,
    "validation_fraction": 0.1,
    "patience": 8,
    "seed": 0,
}
ARRAY_PREFIX = "reject."
META_KEY = "reject"


@dataclass
class Rejector:
    """A digit / not-digit judge for plate characters.

    Parameters
    ----------
    network : BPNetwork
        Fitted on digits, letters and :data:`SYMBOL_CLASS`.
    feature_config : FeatureConfig
        Its features (finer than the digit reader's).
    threshold : float
        A character is taken as a digit when its digit probability is at least this.
    """

    network: BPNetwork
    feature_config: FeatureConfig = REJECT_FEATURES
    threshold: float = 0.5

    def digit_probability_of_masks(self, masks: Sequence[np.ndarray]) -> np.ndarray:
        """Digit probability of tightly cropped binary characters.

        Parameters
        ----------
        masks : sequence of numpy.ndarray
            ``(h_i, w_i)`` ``uint8`` masks, character 255 on 0.

        Returns
        -------
        numpy.ndarray
            ``(n,)`` ``float32`` in [0, 1].
        """
        config = self.feature_config
        if not masks:
            return np.zeros(0, np.float32)
        boxes = np.stack(
            [normalize_character(m, height=config.height, width=config.width) for m in masks]
        )
        return self.digit_probability(window_ratios_batch(boxes, config=config))

    def digit_probability(self, features: np.ndarray) -> np.ndarray:
        """Digit probability of ``(n, n_features)`` ``float32`` features: ``(n,)`` ``float32``."""
        proba = self.network.predict_proba(np.asarray(features, np.float32))
        digit_columns = [i for i, c in enumerate(self.network.classes_) if str(c).isdigit()]
        return proba[:, digit_columns].sum(axis=1).astype(np.float32)

    def to_parts(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The arrays (prefixed) and the metadata entry that store the rejector in a model file."""
        arrays = {ARRAY_PREFIX + k: v for k, v in self.network.get_arrays().items()}
        meta = {
            "classes": [str(c) for c in self.network.classes_],
            "feature_config": self.feature_config.to_dict(),
            "network": self.network.get_config(),
            "threshold": self.threshold,
        }
        return arrays, meta

    @classmethod
    def from_parts(
        cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]
    ) -> Rejector | None:
        """Rebuild from :meth:`to_parts` output; None when the file holds no rejector.

        Raises
        ------
        ValueError
            The stored rejector is inconsistent.
        """
        own = {k[len(ARRAY_PREFIX) :]: v for k, v in arrays.items() if k.startswith(ARRAY_PREFIX)}
        if not own or not meta:
            return None
        config = FeatureConfig.from_dict(meta["feature_config"])
        network = BPNetwork.from_parts(meta["network"], own, [str(c) for c in meta["classes"]])
        if network.n_features_in_ != config.n_features:
            raise ValueError("the rejector's network does not fit its features")
        return cls(network, config, float(meta.get("threshold", 0.5)))


def training_set(
    *, per_class: int, seed: int, config: FeatureConfig = REJECT_FEATURES
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic features and labels for the rejector.

    Parameters
    ----------
    per_class : int
        Samples per digit and per letter; the symbol class gets twice as many, spread over the
        symbols of :data:`platedigits.glyphs.CJK_LIKE`.
    seed : int
    config : FeatureConfig

    Returns
    -------
    features : numpy.ndarray
        ``(n, n_features)`` ``float32``.
    labels : numpy.ndarray
        ``(n,)`` ``str``.
    """
    from platedigits import glyphs, synth

    images: list[np.ndarray] = []
    labels: list[str] = []
    classes = list(glyphs.DIGITS + LETTERS)
    for k, char in enumerate(classes):
        for i in range(per_class):
            rng = np.random.default_rng([seed, k, i])
            images.append(synth.render_character(char, rng=rng))
            labels.append(char)
    symbols = glyphs.CJK_LIKE
    for i in range(2 * per_class):
        rng = np.random.default_rng([seed, len(classes), i])
        images.append(synth.render_character(symbols[i % len(symbols)], rng=rng))
        labels.append(SYMBOL_CLASS)
    return features_batch(images, config=config), np.asarray(labels)


def train_rejector(
    *,
    per_class: int = 1000,
    seed: int = 7,
    network: Mapping[str, Any] | None = None,
    data: tuple[np.ndarray, np.ndarray] | None = None,
) -> Rejector:
    """Train a rejector on synthetic characters only.

    Parameters
    ----------
    per_class : int, keyword-only
        Samples per class (see :func:`training_set`).
    seed : int, keyword-only
        Seed of the synthetic data.
    network : mapping, optional, keyword-only
        Network settings; :data:`REJECT_NETWORK` by default.
    data : tuple of numpy.ndarray, optional, keyword-only
        Precomputed ``(features, labels)`` from :func:`training_set`.

    Returns
    -------
    Rejector
    """
    X, y = data if data is not None else training_set(per_class=per_class, seed=seed)
    net = BPNetwork(**dict(REJECT_NETWORK if network is None else network))
    net.fit(X, y)
    return Rejector(net, REJECT_FEATURES)
