"""Telling digits from the other characters of a plate (letters, province symbols).

A digit reader trained on digits only has to answer a digit for every character it is shown, and
on a plate it is shown letters too: "B" comes out as "8", "D" as "0", "Z" as "2". The
:class:`Rejector` is a second, small network that knows what the letters look like. It is trained
on the digits, letters and many-stroke symbols that the segmenter cuts out of synthetic plates
(:mod:`platedigits.synth`), on a finer grid than the digit reader (12 x 8 windows instead of
5 x 5: "B" and "8" differ in a straight left edge that a coarse grid barely sees) plus a few
whole-shape cues (:func:`shape_features`) and the directions its edges run in
(:func:`orientation_features`), and it answers one question: how likely is this character a
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

from platedigits._cv import cv2
from platedigits.features import FeatureConfig, window_ratios_batch
from platedigits.network import BPNetwork
from platedigits.preprocess import normalize_character

#: Letters the rejector learns; I and O are left out (see the module notes).
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
#: The class standing for every many-stroke symbol (a Chinese plate's province character).
SYMBOL_CLASS = "#"
#: 12 x 8 windows of 2 x 2 pixels: measured against 8 x 8 (3 x 2) with the same data, as many
#: synthetic plates read exactly and clearly more real ones (plates-cn 41-50% vs 29-36% exact
#: over two training seeds each).
REJECT_FEATURES = FeatureConfig(height=24, width=16, window_height=2, window_width=2)
#: Settings of the rejector's network when trained by :func:`train_rejector`.
REJECT_NETWORK: dict[str, Any] = {
    "hidden_layer_sizes": (96,),
    "activation": "relu",
    "optimizer": "adam",
    "learning_rate": 3e-3,
    "epochs": 120,
    "batch_size": 64,
    # Stronger weight decay and more patience than the digit network: the rejector learns from
    # fewer samples, and with l2 1e-4 / patience 8 its real-plate results swung with the training
    # seed (plates-cn 29-42% exact) where 1e-3 / 25 gave 42-54%, synthetic plates alike.
    "l2": 1e-3,
    "validation_fraction": 0.1,
    "patience": 25,
    "seed": 0,
}
#: Number of columns :func:`shape_features` adds.
N_SHAPE_FEATURES = 5
#: Cells (rows, columns) and direction bins of :func:`orientation_features`: 4 x 4 cells of
#: 6 x 4 pixels of the 24 x 16 box, 8 directions, 128 columns.
ORIENTATION_CELLS = (4, 4)
ORIENTATION_BINS = 8
ARRAY_PREFIX = "reject."
META_KEY = "reject"


@dataclass
class Rejector:
    """A digit / not-digit judge for plate characters.

    Parameters
    ----------
    networks : tuple of BPNetwork
        Fitted on digits, letters and :data:`SYMBOL_CLASS`, all with the same classes; their
        probabilities are averaged (an ensemble of a few training seeds: one network's verdict
        on real plates swings with its seed far more than the average of three does).
    feature_config : FeatureConfig
        Its features (finer than the digit reader's).
    threshold : float
        A character is taken as a digit when its digit probability is at least this.
    shape_features : int
        How many columns of :func:`shape_features` are appended to the grid (see
        :func:`mask_features`): 0 for none; files written before the left-edge cue store
        ``True``, read as its first 4.
    orientations : int
        Direction bins of :func:`orientation_features` appended after them: 0 for none (files
        written before these features), else :data:`ORIENTATION_BINS`.
    """

    networks: tuple[BPNetwork, ...]
    feature_config: FeatureConfig = REJECT_FEATURES
    threshold: float = 0.5
    shape_features: int = N_SHAPE_FEATURES
    orientations: int = ORIENTATION_BINS

    def __post_init__(self) -> None:
        self.shape_features = _shape_count(self.shape_features)
        if self.orientations not in (0, ORIENTATION_BINS):
            raise ValueError(
                f"the rejector's orientation bins must be 0 or {ORIENTATION_BINS}, "
                f"got {self.orientations!r}"
            )
        self.networks = tuple(self.networks)
        if not self.networks:
            raise ValueError("a rejector needs at least one network")
        classes = [list(map(str, n.classes_)) for n in self.networks]
        if any(c != classes[0] for c in classes):
            raise ValueError("the rejector's networks do not share their classes")

    @property
    def classes_(self) -> list[str]:
        """The classes of the networks: digits, letters and :data:`SYMBOL_CLASS`."""
        return [str(c) for c in self.networks[0].classes_]

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Mean class probabilities of the networks.

        Parameters
        ----------
        features : numpy.ndarray
            ``(n, n_features)`` ``float32`` (see :func:`mask_features`).

        Returns
        -------
        numpy.ndarray
            ``(n, n_classes)`` ``float32``, columns in the order of :attr:`classes_`.
        """
        features = np.asarray(features, np.float32)
        total = self.networks[0].predict_proba(features).astype(np.float32)
        for network in self.networks[1:]:
            total += network.predict_proba(features)
        return total / np.float32(len(self.networks))

    @property
    def digit_columns(self) -> list[int]:
        """Columns of :meth:`predict_proba` that are digit classes."""
        return [i for i, c in enumerate(self.classes_) if c.isdigit()]

    def predict_proba_of_masks(
        self, masks: Sequence[np.ndarray], *, memo: MaskMemo | None = None
    ) -> np.ndarray:
        """Class probabilities of tightly cropped binary characters.

        Parameters
        ----------
        masks : sequence of numpy.ndarray
            ``(h_i, w_i)`` ``uint8`` masks, character 255 on 0.
        memo : MaskMemo, optional, keyword-only
            What this rejector already computed for masks of the same image: the same
            probabilities come out, with less work when masks come back (see
            :class:`MaskMemo`).

        Returns
        -------
        numpy.ndarray
            ``(n, n_classes)`` ``float32``, columns in the order of :attr:`classes_`.
        """
        if not masks:
            return np.zeros((0, len(self.classes_)), np.float32)
        if memo is not None:
            return memo.predict_proba(self, masks)
        features = mask_features(
            masks,
            config=self.feature_config,
            shape=self.shape_features,
            orientations=self.orientations,
        )
        return self.predict_proba(features)

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
        proba = self.predict_proba_of_masks(masks)
        return proba[:, self.digit_columns].sum(axis=1).astype(np.float32)

    def top_probability_of_masks(
        self, masks: Sequence[np.ndarray], *, memo: MaskMemo | None = None
    ) -> np.ndarray:
        """Probability of the best class (digit, letter or symbol) of each mask.

        Parameters
        ----------
        masks : sequence of numpy.ndarray
            ``(h_i, w_i)`` ``uint8`` masks, character 255 on 0.
        memo : MaskMemo, optional, keyword-only
            As for :meth:`predict_proba_of_masks`.

        Returns
        -------
        numpy.ndarray
            ``(n,)`` ``float32`` in [0, 1]: high for anything that looks like a character.
        """
        proba = self.predict_proba_of_masks(masks, memo=memo)
        return proba.max(axis=1, initial=0.0).astype(np.float32)

    def digit_probability(self, features: np.ndarray) -> np.ndarray:
        """Digit probability of ``(n, n_features)`` ``float32`` features: ``(n,)`` ``float32``."""
        proba = self.predict_proba(features)
        return proba[:, self.digit_columns].sum(axis=1).astype(np.float32)

    def to_parts(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The arrays (prefixed) and the metadata entry that store the rejector in a model file.

        Network ``i``'s arrays are stored as ``reject.<i>.<name>``; a file written before
        rejectors had several networks holds one under ``reject.<name>`` and no ``members``.
        """
        arrays = {
            f"{ARRAY_PREFIX}{i}.{k}": v
            for i, network in enumerate(self.networks)
            for k, v in network.get_arrays().items()
        }
        meta = {
            "classes": self.classes_,
            "feature_config": self.feature_config.to_dict(),
            "network": self.networks[0].get_config(),
            "members": len(self.networks),
            "threshold": self.threshold,
            "shape_features": self.shape_features,
            "orientations": self.orientations,
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
        classes = [str(c) for c in meta["classes"]]
        members = meta.get("members")
        if members is None:
            parts = [own]
        else:
            if not isinstance(members, int) or members < 1:
                raise ValueError(
                    f"the rejector's member count is not a positive number: {members!r}"
                )
            parts = [
                {k[len(f"{i}.") :]: v for k, v in own.items() if k.startswith(f"{i}.")}
                for i in range(members)
            ]
        networks = tuple(BPNetwork.from_parts(meta["network"], part, classes) for part in parts)
        shape = _shape_count(meta.get("shape_features", False))
        orientations = meta.get("orientations", 0)
        if orientations not in (0, ORIENTATION_BINS):
            raise ValueError(f"the rejector's orientation bins are not known: {orientations!r}")
        width = config.n_features + shape + _orientation_columns(orientations)
        if any(network.n_features_in_ != width for network in networks):
            raise ValueError("the rejector's network does not fit its features")
        return cls(networks, config, float(meta.get("threshold", 0.5)), shape, orientations)


def _shape_count(stored: bool | int) -> int:
    """Shape columns from a stored setting: ``True`` in files from before the fifth cue."""
    if stored is True:
        return 4
    if stored is False:
        return 0
    count = int(stored)
    if not 0 <= count <= N_SHAPE_FEATURES:
        raise ValueError(f"the rejector's shape feature count is out of range: {stored!r}")
    return count


def shape_features(masks: Sequence[np.ndarray], *, count: int = N_SHAPE_FEATURES) -> np.ndarray:
    """Whole-shape cues a coarse grid misses, one row per character.

    Digits are one connected stroke with at most two holes and about half as wide as tall; a
    province symbol has many separate strokes and holes and is about square; letters differ from
    the digits they resemble in where their holes and ends are, which the grid sees better, and
    many in a straight stem down their left side (B, D, E, P, R against 8, 0, 3, 9): the share of
    rows whose ink starts at the leftmost column.

    Parameters
    ----------
    masks : sequence of numpy.ndarray
        ``(h_i, w_i)`` ``uint8`` masks, character non-zero on 0, tightly cropped.
    count : int, keyword-only
        How many of the cues, in the order below (4 for rejectors from before the left-edge cue).

    Returns
    -------
    numpy.ndarray
        ``(n, count)`` ``float32``: log aspect ratio (w / h, clipped to [-2, 1]), number of parts
        and number of holes (each capped at 6, divided by 6), the share of the box inked, and
        the share of inked rows that start within a tenth of the width (at least a pixel) of
        the leftmost ink.

    Examples
    --------
    >>> stem = np.zeros((20, 10), np.uint8); stem[:, :3] = 255; stem[8:12, :] = 255
    >>> ring = np.zeros((20, 10), np.uint8); ring[[0, 19], 3:7] = 255; ring[1:19, [0, 9]] = 255
    >>> [round(float(v), 2) for v in shape_features([stem, ring])[:, 4]]
    [1.0, 0.9]
    """
    out = np.zeros((len(masks), count), np.float32)
    for i, mask in enumerate(masks):
        h, w = mask.shape[:2]
        if h == 0 or w == 0:
            continue
        ink = (mask > 0).astype(np.uint8)
        parts = cv2.connectedComponents(ink, connectivity=8)[0] - 1
        # Holes: background regions that do not reach the border (4-connected, the dual of
        # the strokes' 8-connectivity).
        padded = cv2.copyMakeBorder(1 - ink, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=1)
        holes = cv2.connectedComponents(padded, connectivity=4)[0] - 2
        inked_rows = ink.any(axis=1)
        starts = np.argmax(ink[inked_rows], axis=1)
        # Shares as counts over totals, and the clip in Python: the same numbers as np.mean
        # and np.clip give, without their overhead on one small mask at a time.
        straight = 0.0
        if len(starts):
            near_left = starts <= starts.min() + max(1, round(0.1 * w))
            straight = np.count_nonzero(near_left) / len(starts)
        cues = (
            min(max(np.log(w / h), -2.0), 1.0),
            min(parts, 6) / 6.0,
            min(max(holes, 0), 6) / 6.0,
            np.count_nonzero(ink) / ink.size,
            straight,
        )
        out[i] = cues[:count]
    return out


def _orientation_columns(bins: int) -> int:
    return ORIENTATION_CELLS[0] * ORIENTATION_CELLS[1] * bins


def orientation_features(boxes: np.ndarray, *, bins: int = ORIENTATION_BINS) -> np.ndarray:
    """Where the character's edges run in which direction: a histogram of gradient directions
    per cell (the cells of HOG, without its block normalisation).

    The grid of ink shares says where the ink is; these say how its outline runs there, which
    is what tells a "0" from a "D" or a "5" from an "S" (a corner against a curve) and which
    changes less with stroke weight, blur and a pixel's shift than the ink does. Measured on
    one rejector training draw (seed 11) against the grid and shape cues alone: real digits
    refused 2.5% instead of 3.55%, plates-cn 82.0% exact instead of 80.0%, camera-like
    synthetic plates 83.2 / 88.8 / 84.2% instead of 83.8 / 88.5 / 82.5%.

    Parameters
    ----------
    boxes : numpy.ndarray
        ``(n, H, W)`` ``float32`` characters normalised into their box, ink 1 on 0
        (:func:`platedigits.preprocess.normalize_character`); ``H`` and ``W`` divisible by
        :data:`ORIENTATION_CELLS`.
    bins : int, keyword-only
        Directions over the full circle: the sign is kept, so the inner and outer edge of a
        stroke count apart (ink is always the bright side).

    Returns
    -------
    numpy.ndarray
        ``(n, cells * bins)`` ``float32``: cell by cell, row by row, the gradient magnitude in
        each direction bin (each split linearly between its two nearest bins), divided by the
        character's total so that the mean cell sums to 1; zeros for a blank box.

    Examples
    --------
    >>> bar = np.zeros((1, 24, 16), np.float32); bar[0, :, 6:10] = 1.0
    >>> hist = orientation_features(bar).reshape(4, 4, 8)
    >>> [int(np.argmax(hist[1, 1])), int(np.argmax(hist[1, 2]))]  # left edge: 0 deg, right: 180
    [0, 4]
    """
    boxes = np.asarray(boxes, np.float32)
    n, height, width = boxes.shape
    rows, cols = ORIENTATION_CELLS
    if height % rows or width % cols:
        raise ValueError(f"a {height} x {width} box does not divide into {rows} x {cols} cells")
    # Smoothed first: the staircase outline of a small binary mask has only 0/45/90 degree
    # steps, the blurred one the direction of the stroke.
    smooth = np.stack(
        [
            cv2.GaussianBlur(cv2.copyMakeBorder(box, 2, 2, 2, 2, cv2.BORDER_CONSTANT), (0, 0), 1.0)
            for box in boxes
        ]
    )
    # The 3 x 3 Sobel derivatives of the box's own pixels (those of cv2.Sobel, for all boxes
    # at once).
    across = smooth[:, :, 3 : width + 3] - smooth[:, :, 1 : width + 1]
    gx = across[:, 1 : height + 1] + 2 * across[:, 2 : height + 2] + across[:, 3 : height + 3]
    down = smooth[:, 3 : height + 3, :] - smooth[:, 1 : height + 1, :]
    gy = down[:, :, 1 : width + 1] + 2 * down[:, :, 2 : width + 2] + down[:, :, 3 : width + 3]
    magnitude = np.hypot(gx, gy)
    position = (np.arctan2(gy, gx) % (2 * np.pi)) * (bins / (2 * np.pi))
    low = np.floor(position)
    share = position - low
    # Each pixel's magnitude split between its two nearest direction bins, summed per cell.
    y, x = np.indices((height, width))
    cell = (y // (height // rows)) * cols + x // (width // cols)
    first = (np.arange(n)[:, None, None] * (rows * cols) + cell) * bins
    low_bin = low.astype(np.intp) % bins
    index = np.concatenate([(first + low_bin).ravel(), (first + (low_bin + 1) % bins).ravel()])
    weight = np.concatenate([(magnitude * (1 - share)).ravel(), (magnitude * share).ravel()])
    cells = np.bincount(index, weights=weight, minlength=n * rows * cols * bins).reshape(n, -1)
    total = cells.sum(axis=1)
    scale = np.divide(rows * cols, total, out=np.zeros_like(total), where=total > 0)
    return (cells * scale[:, None]).astype(np.float32)


def mask_features(
    masks: Sequence[np.ndarray],
    *,
    config: FeatureConfig = REJECT_FEATURES,
    shape: int = N_SHAPE_FEATURES,
    orientations: int = ORIENTATION_BINS,
) -> np.ndarray:
    """The rejector's inputs for tightly cropped character masks.

    Parameters
    ----------
    masks : sequence of numpy.ndarray
        ``(h_i, w_i)`` ``uint8`` masks, character 255 on 0.
    config : FeatureConfig, keyword-only
        The grid.
    shape : int, keyword-only
        How many :func:`shape_features` to append (0 for none).
    orientations : int, keyword-only
        Direction bins of the :func:`orientation_features` appended last (0 for none).

    Returns
    -------
    numpy.ndarray
        ``(n, config.n_features + shape + 16 * orientations)`` ``float32``.
    """
    width = config.n_features + shape + _orientation_columns(orientations)
    if len(masks) == 0:
        return np.zeros((0, width), np.float32)
    parts = _mask_parts(masks, config=config, shape=shape, orientations=orientations)
    return _joined_features(*parts, config=config)


def _mask_parts(
    masks: Sequence[np.ndarray], *, config: FeatureConfig, shape: int, orientations: int
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """What :func:`mask_features` computes for each of a non-empty list of masks on its own:
    the normalised boxes ``(n, H, W)`` ``float32``, the shape cues ``(n, shape)`` and the edge
    directions ``(n, m)`` (``float32``, or None when not used)."""
    boxes = np.stack(
        [normalize_character(m, height=config.height, width=config.width) for m in masks]
    )
    shapes = shape_features(masks, count=shape) if shape else None
    directions = orientation_features(boxes, bins=orientations) if orientations else None
    return boxes, shapes, directions


def _joined_features(
    boxes: np.ndarray,
    shapes: np.ndarray | None,
    directions: np.ndarray | None,
    *,
    config: FeatureConfig,
) -> np.ndarray:
    """:func:`mask_features`' columns from its parts: the grid of ``boxes`` (``(n, H, W)``
    ``float32``), then ``shapes`` and ``directions`` (``(n, k)`` ``float32`` each, or None
    when not used); ``(n, n_columns)`` ``float32``."""
    parts = [window_ratios_batch(boxes, config=config)]
    if shapes is not None:
        parts.append(shapes)
    if directions is not None:
        parts.append(directions)
    return np.hstack(parts).astype(np.float32) if len(parts) > 1 else parts[0]


_MaskKey = tuple[str, tuple[int, ...], bytes]
"""A mask as :class:`MaskMemo` knows it: its dtype, shape and bytes."""


class MaskMemo:
    """What a rejector computed for the character masks of one image, to compute it once.

    The segmenter judges the masks of a plate in several rounds (both polarities, the glued
    characters it may cut, the look it keeps), and the reader asks for the kept masks'
    probabilities once more: about a third of the masks of a plate come back, often as the
    same list. A memo kept while one image is read gives the same numbers as without it, down
    to the bit, with less work:

    - a list of masks seen before gets its probabilities back whole;
    - each mask's normalised box, shape cues and edge directions depend on that mask alone, and
      are computed once;
    - the grid of window ratios is not kept per mask: :func:`window_ratios_batch` sums with a
      matrix product whose rounding depends on the number of rows (one row takes a
      matrix-vector product), so it is computed again for each new list, as without a memo.

    One memo serves one rejector (its feature settings), and holds every mask it was shown:
    make a new one for each image.

    Examples
    --------
    >>> from platedigits.model import load_model
    >>> rejector = load_model().rejector
    >>> ring = np.zeros((20, 10), np.uint8); ring[[0, 19], 3:7] = 255; ring[1:19, [0, 9]] = 255
    >>> memo = MaskMemo()
    >>> first = rejector.predict_proba_of_masks([ring, ring], memo=memo)
    >>> bool((first == rejector.predict_proba_of_masks([ring, ring])).all())
    True
    """

    def __init__(self) -> None:
        # Mask key -> (box ``(H, W)``, shape cues ``(k,)`` or None, directions ``(m,)`` or None).
        self._parts: dict[_MaskKey, tuple[Any, Any, Any]] = {}
        # Tuple of mask keys -> ``(n, n_classes)`` probabilities.
        self._proba: dict[tuple[_MaskKey, ...], np.ndarray] = {}

    def predict_proba(self, rejector: Rejector, masks: Sequence[np.ndarray]) -> np.ndarray:
        """:meth:`Rejector.predict_proba_of_masks` of a non-empty list, by way of the memo:
        ``(n, n_classes)`` ``float32``, a new array on each call."""
        # A mask's shape and bytes say all there is to it (a few hundred bytes: cheap to hash).
        keys = tuple(
            (mask.dtype.str, mask.shape, np.ascontiguousarray(mask).tobytes()) for mask in masks
        )
        proba = self._proba.get(keys)
        if proba is None:
            proba = rejector.predict_proba(self._features(rejector, masks, keys))
            self._proba[keys] = proba
        return proba.copy()

    def _features(
        self,
        rejector: Rejector,
        masks: Sequence[np.ndarray],
        keys: tuple[_MaskKey, ...],
    ) -> np.ndarray:
        """:func:`mask_features` of ``masks`` with ``rejector``'s settings."""
        config = rejector.feature_config
        # The masks not seen yet, each once, computed together (their parts do not depend on
        # which other masks come along).
        new = {key: mask for key, mask in zip(keys, masks, strict=True) if key not in self._parts}
        if new:
            boxes, shapes, directions = _mask_parts(
                list(new.values()),
                config=config,
                shape=rejector.shape_features,
                orientations=rejector.orientations,
            )
            for i, key in enumerate(new):
                self._parts[key] = (
                    boxes[i],
                    None if shapes is None else shapes[i],
                    None if directions is None else directions[i],
                )
        parts = [self._parts[key] for key in keys]
        return _joined_features(
            np.stack([box for box, _, _ in parts]),
            np.stack([cues for _, cues, _ in parts]) if rejector.shape_features else None,
            np.stack([edges for _, _, edges in parts]) if rejector.orientations else None,
            config=config,
        )


#: Letters and symbols on the training plates; a plate character is a digit with this chance.
_DIGIT_SHARE = 0.45


def _training_text(rng: np.random.Generator, layout: str) -> str:
    """A plate text with many letters (the rejector has to learn them), by layout."""
    from platedigits import glyphs

    n = int(rng.integers(5, 8))
    chars = [
        glyphs.DIGITS[int(rng.integers(10))]
        if rng.random() < _DIGIT_SHARE
        else LETTERS[int(rng.integers(len(LETTERS)))]
        for _ in range(n)
    ]
    if layout == "cn" or rng.random() < 0.15:
        # A province symbol, first on Chinese plates, anywhere on a few others so that the
        # rejector learns the shape and not the place.
        where = 0 if layout == "cn" else int(rng.integers(n))
        chars[where] = glyphs.CJK_LIKE[int(rng.integers(len(glyphs.CJK_LIKE)))]
    return "".join(chars)


def _plate_samples(seed: int, index: int) -> tuple[list[np.ndarray], list[str]]:
    """Masks of segmented synthetic plate ``index`` and their labels.

    The plate goes through :func:`platedigits.segment.segment_plate` exactly as at reading
    time, so the rejector learns the masks the segmenter really gives (its binarization, its
    merges). Each found box takes the label of the drawn character it covers best; boxes that
    cover no drawn character well (frame remnants, a stroke of a province symbol the segmenter
    cut apart) are left out. Pieces of symbols were once labelled symbols too, and the rejector
    learnt that a lone bar or a bit of curve may be a symbol: real plates' 1s (a bare bar) and
    thin or slanted digits came out as symbols (plates-cn: 60% exact with them, 65-69% without
    over three training seeds, synthetic plates within a point).
    """
    from platedigits.plateset import degrade_like_camera
    from platedigits.segment import segment_plate
    from platedigits.synth import render_plate

    rng = np.random.default_rng([int(seed), 7_000_001, int(index)])
    layout = ("cn", "eu", "us", "br", "plain")[int(rng.integers(5))]
    text = _training_text(rng, layout)
    image, truth = render_plate(text, rng=rng, layout=layout)
    h0, w0 = image.shape[:2]
    image = degrade_like_camera(image, rng=rng)
    fy, fx = image.shape[0] / h0, image.shape[1] / w0
    drawn = [c for c in text if c not in " -·"]
    found = segment_plate(image)
    masks, labels = [], []
    for (x, y, w, h), mask in zip(found.boxes, found.masks, strict=True):
        best, best_iou = -1, 0.0
        for k, (tx, ty, tw, th) in enumerate(truth):
            tx, ty, tw, th = tx * fx, ty * fy, tw * fx, th * fy
            ix = max(0.0, min(x + w, tx + tw) - max(x, tx))
            iy = max(0.0, min(y + h, ty + th) - max(y, ty))
            inter = ix * iy
            iou = inter / (w * h + tw * th - inter)
            if iou > best_iou:
                best, best_iou = k, iou
        if best < 0 or best_iou < 0.5:
            continue
        char = drawn[best]
        masks.append(mask)
        labels.append(char if char.isascii() else SYMBOL_CLASS)
    return masks, labels


def augment_mask(mask: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """The same character as another camera and binarization would have cut it.

    Synthetic plates are drawn cleaner and more alike than real ones: a rejector trained on
    their masks alone took 11% of real plate digits for letters (digits-cn: 89% kept) while
    keeping 99% of synthetic ones. Real masks differ in slant, stroke weight, the blobs of low
    resolution and the exact crop, so each training mask is also seen with all four varied:
    a small shear, rotation and width change; a resolution of 10-40 px with optional blur and a
    binarization threshold of 0.3-0.7 (thinner or bolder strokes, merged corners); a row or
    column more or less at an edge. One copy in four first gets a frame line glued to its top
    or bottom (:func:`glue_frame_line`).

    Parameters
    ----------
    mask : numpy.ndarray
        ``(h, w)`` ``uint8``, character 255 on 0, tightly cropped.
    rng : numpy.random.Generator, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(h', w')`` ``uint8``, character 255 on 0, tightly cropped; ``mask`` itself when the
        variation left no ink.

    Examples
    --------
    >>> bar = np.zeros((30, 8), np.uint8); bar[:, 2:6] = 255
    >>> varied = augment_mask(bar, rng=np.random.default_rng(0))
    >>> varied.dtype, varied.max()
    (dtype('uint8'), np.uint8(255))
    """
    if mask.any() and rng.random() < GLUED_LINE_SHARE:
        mask = glue_frame_line(mask, rng=rng)
    h = mask.shape[0]
    pad = 3
    ink = np.pad(mask.astype(np.float32) / 255.0, pad)
    rows, cols = ink.shape
    shear = rng.uniform(-0.12, 0.12)
    angle = np.deg2rad(rng.uniform(-4.0, 4.0))
    stretch = rng.uniform(0.85, 1.15)
    linear = np.array(
        [
            [np.cos(angle) * stretch, -np.sin(angle) + shear],
            [np.sin(angle) * stretch, np.cos(angle)],
        ]
    )
    centre = np.array([cols / 2.0, rows / 2.0])
    affine = np.hstack([linear, (centre - linear @ centre)[:, None]])
    ink = cv2.warpAffine(ink, affine, (cols, rows), flags=cv2.INTER_LINEAR)
    target = rng.uniform(10.0, 40.0)
    if target < h:
        f = target / h
        small = (max(2, round(cols * f)), max(2, round(rows * f)))
        ink = cv2.resize(ink, small, interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.3, 0.8))
    binary = np.where(ink >= rng.uniform(0.3, 0.7), 255, 0).astype(np.uint8)
    ys, xs = np.nonzero(binary)
    if len(ys) == 0:
        return mask
    out = binary[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    if rng.random() < 0.3 and out.shape[0] > 8:
        out = out[1:] if rng.random() < 0.5 else out[:-1]
    if rng.random() < 0.3 and out.shape[1] > 4:
        out = out[:, 1:] if rng.random() < 0.5 else out[:, :-1]
    return out


#: Varied copies (:func:`augment_mask`) of every training mask, next to the mask itself.
AUGMENT_COPIES = 1

#: Share of the varied copies that first get a frame line glued on (:func:`glue_frame_line`).
GLUED_LINE_SHARE = 0.25


def glue_frame_line(mask: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """The character with a piece of the plate's frame line glued to its top or bottom.

    On real plates the frame's line or an underline often touches the characters, and the
    segmenter keeps the piece of line across the character's cell as part of it. The rejector
    had only seen clean characters and refused such digits (a 0 or a 5 standing on a line was
    taken for a letter). The line is 1 px to a tenth of the character's height thick (2 px at
    most on a small one) and reaches 0-30% of its width past each side, as a line running on
    under the neighbours does.

    Parameters
    ----------
    mask : numpy.ndarray
        ``(h, w)`` ``uint8``, character 255 on 0, tightly cropped.
    rng : numpy.random.Generator, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(h + t, w + left + right)`` ``uint8``, 255 on 0, still tightly cropped when ``mask``
        was.

    Examples
    --------
    >>> bar = np.full((20, 4), 255, np.uint8)
    >>> lined = glue_frame_line(bar, rng=np.random.default_rng(0))
    >>> lined.shape[0] > 20 and lined.shape[1] >= 4
    True
    """
    h, w = mask.shape
    thickness = int(rng.integers(1, max(2, round(0.1 * h)) + 1))
    left = round(float(rng.uniform(0.0, 0.3)) * w)
    right = round(float(rng.uniform(0.0, 0.3)) * w)
    out = np.zeros((h + thickness, w + left + right), np.uint8)
    if rng.random() < 0.5:
        out[:h, left : left + w] = mask
        out[h:] = 255
    else:
        out[thickness:, left : left + w] = mask
        out[:thickness] = 255
    return out


def cut_symbol(mask: np.ndarray, *, rng: np.random.Generator) -> np.ndarray | None:
    """A piece of a many-stroke symbol as a tight crop or the segmenter leaves it.

    A province character at a plate's left end is often cut by the crop, or loses its left
    radical to the frame-side pass, and what is left (the right part of 津 or 湘) is narrower
    than any whole symbol the rejector learns from; it read such pieces as 1s and 4s. The
    piece keeps 40-80% of the columns, from the right (seven times in ten) or the left. A
    piece that is one narrow bar is not returned: it is a "1" as much as a piece of a symbol.

    Parameters
    ----------
    mask : numpy.ndarray
        ``(h, w)`` ``uint8`` symbol, 255 on 0, tightly cropped.
    rng : numpy.random.Generator, keyword-only

    Returns
    -------
    numpy.ndarray or None
        ``(h', w')`` ``uint8``, tightly cropped; None when four tries gave only bars or blanks.

    Examples
    --------
    >>> symbol = np.zeros((30, 30), np.uint8); symbol[:, ::6] = 255; symbol[::10, :] = 255
    >>> piece = cut_symbol(symbol, rng=np.random.default_rng(0))
    >>> piece.shape[0] == 30 and 0 < piece.shape[1] < 30
    True
    """
    w = mask.shape[1]
    for _ in range(4):
        cut = int(rng.uniform(0.2, 0.6) * w)
        part = mask[:, cut:] if rng.random() < 0.7 else mask[:, : w - cut]
        ys, xs = np.nonzero(part)
        if len(ys) == 0:
            continue
        part = part[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        parts = cv2.connectedComponents((part > 0).astype(np.uint8), connectivity=8)[0] - 1
        if parts == 1 and part.shape[1] < 0.3 * part.shape[0]:
            continue
        return part
    return None


#: Pieces (:func:`cut_symbol`) of every symbol on the training plates, next to the whole one.
SYMBOL_CUTS = 1


def _plates_chunk(
    job: tuple[int, int, int, dict[str, Any], int],
) -> tuple[np.ndarray, list[str]]:
    seed, start, stop, config, copies = job
    masks: list[np.ndarray] = []
    labels: list[str] = []
    for i in range(start, stop):
        found, found_labels = _plate_samples(seed, i)
        # Their own streams per plate: the result does not depend on how plates are chunked.
        cuts = np.random.default_rng([int(seed), 7_000_003, i])
        pieces = [
            piece
            for mask, label in zip(found, found_labels, strict=True)
            if label == SYMBOL_CLASS
            for _ in range(SYMBOL_CUTS)
            if (piece := cut_symbol(mask, rng=cuts)) is not None
        ]
        found = [*found, *pieces]
        found_labels = [*found_labels, *[SYMBOL_CLASS] * len(pieces)]
        rng = np.random.default_rng([int(seed), 7_000_002, i])
        for mask, label in zip(found, found_labels, strict=True):
            masks.append(mask)
            labels.append(label)
            for _ in range(copies):
                masks.append(augment_mask(mask, rng=rng))
                labels.append(label)
    return mask_features(masks, config=FeatureConfig(**config)), labels


def training_set(
    *,
    plates: int,
    seed: int,
    config: FeatureConfig = REJECT_FEATURES,
    augment: int = AUGMENT_COPIES,
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels for the rejector, from segmented synthetic plates.

    Parameters
    ----------
    plates : int, keyword-only
        How many synthetic plates to draw (each gives about six characters: digits, letters
        and, on about a third, a province symbol).
    seed : int, keyword-only
    config : FeatureConfig, keyword-only
    augment : int, keyword-only
        Varied copies of each mask (:func:`augment_mask`) added after it; 0 for none.
    workers : int, keyword-only
        Processes; the result does not depend on it.

    Returns
    -------
    features : numpy.ndarray
        ``(n, n_columns)`` ``float32`` (see :func:`mask_features`).
    labels : numpy.ndarray
        ``(n,)`` ``str``: a digit, a letter of :data:`LETTERS` or :data:`SYMBOL_CLASS`.
    """
    if augment < 0:
        raise ValueError(f"augment must be >= 0, got {augment}")
    chunk = 100
    jobs = [
        (seed, s, min(plates, s + chunk), config.to_dict(), augment)
        for s in range(0, plates, chunk)
    ]
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_plates_chunk, jobs))
    else:
        parts = [_plates_chunk(job) for job in jobs]
    features = [p[0] for p in parts if len(p[1])]
    labels = [label for p in parts for label in p[1]]
    if not features:
        # mask_features knows its own width; the rejector's columns are not spelt out twice.
        return mask_features([], config=config), np.zeros(0, dtype="<U1")
    return np.concatenate(features).astype(np.float32), np.asarray(labels)


def _digits_chunk(job: tuple[int, int, int]) -> tuple[list[np.ndarray], list[str]]:
    seed, start, stop = job
    masks: list[np.ndarray] = []
    labels: list[str] = []
    for i in range(start, stop):
        found, found_labels = _plate_samples(seed, i)
        for mask, label in zip(found, found_labels, strict=True):
            if label.isdigit() and mask.size:
                masks.append(mask)
                labels.append(label)
    return masks, labels


def plate_digit_masks(
    *, plates: int, seed: int, workers: int = 1
) -> tuple[list[np.ndarray], np.ndarray]:
    """The digits the segmenter cuts out of synthetic plates, as the plate reader gets them.

    The same plates as :func:`training_set` draws for ``seed`` (every layout, camera
    degradation), without augmentation; the digit network learns from these next to its
    single-character crops (see ``models/build.py``).

    Parameters
    ----------
    plates : int, keyword-only
    seed : int, keyword-only
    workers : int, keyword-only
        Processes; the result does not depend on it.

    Returns
    -------
    masks : list of numpy.ndarray
        ``(h_i, w_i)`` ``uint8`` digit masks, 255 on 0 (about two per plate).
    labels : numpy.ndarray
        ``(n,)`` ``str``: their digits.
    """
    jobs = [(seed, s, min(plates, s + 100)) for s in range(0, plates, 100)]
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_digits_chunk, jobs))
    else:
        parts = [_digits_chunk(job) for job in jobs]
    masks = [m for p in parts for m in p[0]]
    labels = np.asarray([label for p in parts for label in p[1]], dtype="<U1")
    return masks, labels


#: Networks in the shipped rejector, trained with seeds 0, 1, 2 on the same data. Alone, the
#: three gave plates-cn 65.1%, 66.7% and 69.0% exact; their average 68.6%, synthetic plates
#: 92.0% (the single networks 91-92%).
ENSEMBLE = 3


def train_rejector(
    *,
    plates: int = 2000,
    seed: int = 7,
    network: Mapping[str, Any] | None = None,
    members: int = ENSEMBLE,
    augment: int = AUGMENT_COPIES,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    workers: int = 1,
) -> Rejector:
    """Train a rejector on synthetic plates only.

    Parameters
    ----------
    plates : int, keyword-only
        Synthetic plates to learn from (see :func:`training_set`).
    seed : int, keyword-only
        Seed of the synthetic data.
    network : mapping, optional, keyword-only
        Network settings; :data:`REJECT_NETWORK` by default.
    members : int, keyword-only
        Networks to train on the same data, network ``i`` with seed ``network["seed"] + i``.
    augment : int, keyword-only
        Varied copies of each training mask (see :func:`training_set`).
    data : tuple of numpy.ndarray, optional, keyword-only
        Precomputed ``(features, labels)`` from :func:`training_set`.
    workers : int, keyword-only
        Rendering processes (same result).

    Returns
    -------
    Rejector
    """
    if members < 1:
        raise ValueError(f"members must be >= 1, got {members}")
    X, y = (
        data
        if data is not None
        else training_set(plates=plates, seed=seed, augment=augment, workers=workers)
    )
    settings = dict(REJECT_NETWORK if network is None else network)
    first_seed = int(settings.get("seed", 0))
    networks = []
    for i in range(members):
        net = BPNetwork(**{**settings, "seed": first_seed + i})
        net.fit(X, y)
        networks.append(net)
    return Rejector(
        tuple(networks),
        REJECT_FEATURES,
        shape_features=N_SHAPE_FEATURES,
        orientations=ORIENTATION_BINS,
    )
