"""A trained reader: feature config + network + classes, and ``read()`` for images and plates."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from platedigits.errors import ImageReadError, ModelError, PlateDigitsError
from platedigits.features import FeatureConfig, window_ratios_batch
from platedigits.imageio import read_image
from platedigits.modelfile import load_model_file, save_model
from platedigits.network import BPNetwork
from platedigits.preprocess import normalize_character, prepare_character
from platedigits.reject import META_KEY as REJECT_META_KEY
from platedigits.reject import MaskMemo, Rejector

if TYPE_CHECKING:
    from platedigits.segment import PlateSegmentation

Mode = Literal["auto", "char", "plate"]
MODES: tuple[str, ...] = ("auto", "char", "plate")
DEFAULT_MODEL_NAME = "default.npz"

ImageLike = np.ndarray | str | os.PathLike[str]


@dataclass(frozen=True)
class CharacterReading:
    """One character found in an image.

    Attributes
    ----------
    label : str
        The model's best guess.
    confidence : float
        Its probability, in [0, 1].
    is_digit : bool
        Whether the character was taken as a digit (and so appears in the reading's ``text``).
    box : tuple of int
        ``(x, y, width, height)`` in the input image.
    top_k : tuple of (str, float)
        The best guesses, most probable first.
    """

    label: str
    confidence: float
    is_digit: bool
    box: tuple[int, int, int, int]
    top_k: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "confidence": round(self.confidence, 6),
            "is_digit": self.is_digit,
            "box": list(self.box),
            "top_k": [{"label": label, "confidence": round(p, 6)} for label, p in self.top_k],
        }


@dataclass(frozen=True)
class Reading:
    """What was read from one image.

    Attributes
    ----------
    text : str
        The digits read, in plate order; ``""`` when nothing was read (a blank image, or an
        error). For a single character, its label.
    confidence : float or None
        The lowest confidence among the characters in ``text``; 0.0 when nothing was read;
        None on error.
    mode : str
        ``"char"`` or ``"plate"``: how the image was read.
    characters : tuple of CharacterReading
        Every character found, digit or not, left to right.
    path : str or None
        The file the image came from, when it came from a file.
    error : str or None
        Why the image could not be read; None on success.
    """

    text: str
    confidence: float | None
    mode: str
    characters: tuple[CharacterReading, ...] = ()
    path: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self, *, details: bool = True) -> dict[str, Any]:
        """The reading as JSON-ready values, with the same fields the CLI prints."""
        record: dict[str, Any] = {
            "path": self.path,
            "text": self.text,
            "confidence": None if self.confidence is None else round(self.confidence, 6),
            "error": self.error,
        }
        if details:
            record["mode"] = self.mode
            record["characters"] = [c.to_dict() for c in self.characters]
        return record


def default_model_path() -> Path:
    """Path of the shipped default model.

    Installed, the model is the package data ``platedigits.models``; the repository keeps the
    same file in its top-level ``models/`` folder, which is where it is found when platedigits
    is imported straight from a checkout (``python -m pytest`` from the repository root, say).
    """
    try:
        return Path(str(resources.files("platedigits.models").joinpath(DEFAULT_MODEL_NAME)))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME


class Model:
    """A trained digit reader.

    Parameters
    ----------
    network : BPNetwork
        A fitted network.
    feature_config : FeatureConfig
        How images become the network's inputs.
    metadata : dict, optional
        What the model file says about itself (training settings, metrics, ...).
    source : str, optional
        Where the model was loaded from.

    Examples
    --------
    >>> model = load_model()                          # the shipped default
    >>> reading = model.read("samples/plate.png")      # doctest: +SKIP
    >>> reading.text, reading.confidence               # doctest: +SKIP
    ('12345', 0.97)
    """

    #: A character whose best class has a lower probability than this is not taken as a digit
    #: when reading a plate: letters and symbols that look a bit like digits land here. With
    #: the rejector, 0.7 reads about as many synthetic plates exactly as 0.5 does (within a
    #: point, of 400 of every layout) and drops more of the real province symbols the rejector
    #: lets through; higher values start losing real digits of synthetic plates.
    plate_min_confidence: float = 0.7

    #: When the digit network is at least this sure, the rejector only has to give the digit
    #: classes :attr:`plate_sure_digit_probability` (not its usual threshold) for the character
    #: to count as a digit: the rejector mistakes real digits for their look-alike letters (2/Z,
    #: 5/S, 0/D) far more often than the two networks both mistake a letter for a digit.
    #: Measured over eight rejector trainings (real Chinese plates / 400 synthetic plates of
    #: every layout, mean exact): 53.3% / 90.6% without, 57.9% / 91.8% with 0.99 and 0.2; 0.98,
    #: 0.1 or the product of the two probabilities did less on one of the two sets. With the
    #: three-network rejector (more even probabilities), 0.3-0.35 instead of 0.2 read 0.3-1.5
    #: points more plates on both sets for two rebuilt models (fewer B taken for 8, province
    #: symbols for 4), 0.25 less; of 0.3 and 0.35, which read the same, 0.35 lets fewer B of
    #: clean plates through as 8 (the issue's example of a wrong reader).
    plate_sure_confidence: float = 0.99
    plate_sure_digit_probability: float = 0.35

    #: A character the digit network is unsure of (below :attr:`plate_min_confidence`) is still
    #: a digit when the rejector gives the digit classes at least this much and the two
    #: networks' joint digit probability (the product of theirs, renormalised over the digits)
    #: of the best digit is at least this too; it is then read as that digit. The rejector has
    #: digit classes of its own on a finer grid, and on real plates it often knows an unsure
    #: character (a 2 the digit network gives 0.6, or takes for a 7). Measured on the shipped
    #: model (plates-cn / 400 synthetic plates read exactly, every plate): 73.3% / 93.2% without,
    #: 73.7% / 94.0% with 0.8 (0.6-0.9 the same within a plate or two; the same gain on three
    #: other rejector trainings). Measured again on a later model: 0.7 read 32 plates more and
    #: 5 fewer of 6,455 synthetic and real ones (the thin 1s of Roboto and URW Gothic), but let
    #: DejaVu's J through as 1 (its plates 96.8% / 92.5% -> 94.2% / 91.5%, clean / camera-like):
    #: a letter passing is the worse error, so 0.8 stays.
    plate_joint_probability: float = 0.8

    #: The digit / not-digit judge of plate characters (see :mod:`platedigits.reject`), when
    #: the model file carries one; without it, :attr:`plate_min_confidence` alone decides.
    rejector: Rejector | None = None

    def __init__(
        self,
        network: BPNetwork,
        feature_config: FeatureConfig,
        metadata: dict[str, Any] | None = None,
        source: str | None = None,
    ) -> None:
        self.network = network
        self.feature_config = feature_config
        self.metadata = dict(metadata or {})
        self.source = source

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.network.classes_]

    def __repr__(self) -> str:
        return (
            f"Model(classes={self.classes}, features={self.feature_config}, source={self.source!r})"
        )

    def save(self, path: str | os.PathLike[str], *, metadata: dict[str, Any] | None = None) -> None:
        """Write the model atomically; see :func:`platedigits.modelfile.save_model`."""
        merged = {k: v for k, v in self.metadata.items() if k in ("training", "metrics")}
        merged.update(metadata or {})
        extra: dict[str, np.ndarray] = {}
        if self.rejector is not None:
            extra, merged[REJECT_META_KEY] = self.rejector.to_parts()
        save_model(
            path,
            self.network,
            feature_config=self.feature_config,
            metadata=merged,
            extra_arrays=extra,
        )

    # -- features and probabilities -------------------------------------------------------

    def character(self, image: np.ndarray) -> np.ndarray:
        """The normalised character of one decoded image, ``(height, width)`` float32."""
        config = self.feature_config
        return prepare_character(
            image, height=config.height, width=config.width, method=config.binarize
        )

    def features(self, image: np.ndarray) -> np.ndarray:
        """The feature vector of one decoded character image, ``(n_features,)`` float32."""
        return window_ratios_batch(self.character(image)[None], config=self.feature_config)[0]

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities, ``(n, n_classes)`` float32, for ``(n, n_features)`` features."""
        return self.network.predict_proba(np.asarray(features, dtype=np.float32))

    # -- reading -------------------------------------------------------------------------

    def read(self, image: ImageLike, *, mode: Mode | str = "auto", top_k: int = 1) -> Reading:
        """Read the digits in one image.

        Parameters
        ----------
        image : numpy.ndarray or path
            A decoded image, or the path of an image file.
        mode : {"auto", "char", "plate"}, keyword-only
            ``char``: the image is one character. ``plate``: a whole plate, segmented into
            characters. ``auto``: decided from the image (a plate is much wider than tall and
            holds several character-sized blobs).
        top_k : int, keyword-only
            How many guesses to keep per character.

        Returns
        -------
        Reading

        Raises
        ------
        ImageReadError
            The file cannot be read or decoded.
        ValueError
            Unknown mode.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
        path: str | None = None
        if not isinstance(image, np.ndarray):
            path = os.fspath(image)
            image = read_image(path)
        if image.ndim < 2 or image.size == 0:
            raise ImageReadError(path, f"not an image array (shape {image.shape})")
        if mode == "auto":
            # The segmentation that decides "plate" is the one the plate is then read from.
            segmentation = self._plate_segmentation(image)
            if segmentation is None:
                return self._read_char(image, top_k=top_k, path=path)
            return self._read_plate(image, top_k=top_k, path=path, segmentation=segmentation)
        if mode == "plate":
            return self._read_plate(image, top_k=top_k, path=path)
        return self._read_char(image, top_k=top_k, path=path)

    def read_many(
        self, images: Iterable[ImageLike], *, mode: Mode | str = "auto", top_k: int = 1
    ) -> Iterator[Reading]:
        """Read many images lazily; a file that cannot be read gives a Reading with ``error``.

        Parameters
        ----------
        images : iterable of numpy.ndarray or path
        mode, top_k
            As :meth:`read`.

        Yields
        ------
        Reading
            One per input, in input order; the same as :meth:`read` gives (confidences within
            float rounding). Inputs are taken a chunk of 256 at a time, and the single
            characters of a chunk are preprocessed and classified as one stack, several times
            faster than one by one.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
        iterator = iter(images)
        while chunk := list(itertools.islice(iterator, 256)):
            try:
                readings = self._read_chunk(chunk, mode=mode, top_k=top_k)
            except Exception:
                # Whatever upset the stack (an odd image): one by one, so that every reading
                # before it is still given and the error surfaces where read() raises it.
                for image in chunk:
                    yield self._read_or_error(image, mode=mode, top_k=top_k)
            else:
                yield from readings

    def _read_or_error(self, image: ImageLike, *, mode: str, top_k: int) -> Reading:
        try:
            return self.read(image, mode=mode, top_k=top_k)
        except PlateDigitsError as exc:
            path = None if isinstance(image, np.ndarray) else os.fspath(image)
            return Reading(text="", confidence=None, mode=str(mode), path=path, error=str(exc))

    def _read_chunk(self, chunk: list[ImageLike], *, mode: str, top_k: int) -> list[Reading]:
        """:meth:`read` of each image, with the single characters classified as one stack."""
        from platedigits.preprocess import STACK_MAX_PIXELS, prepare_characters

        readings: list[Reading | None] = [None] * len(chunk)
        decoded: list[np.ndarray] = []
        slots: list[tuple[int, str | None]] = []
        for slot, image in enumerate(chunk):
            path = None if isinstance(image, np.ndarray) else os.fspath(image)
            try:
                array = read_image(path) if path is not None else image
                assert isinstance(array, np.ndarray)
                if array.ndim < 2 or array.size == 0:
                    raise ImageReadError(path, f"not an image array (shape {array.shape})")
                if mode == "plate":
                    readings[slot] = self._read_plate(array, top_k=top_k, path=path)
                    continue
                segmentation = self._plate_segmentation(array) if mode == "auto" else None
                if segmentation is not None:
                    readings[slot] = self._read_plate(
                        array, top_k=top_k, path=path, segmentation=segmentation
                    )
                    continue
                if array.shape[0] * array.shape[1] > STACK_MAX_PIXELS:
                    # Not a small crop: read it now rather than hold it for the stack.
                    readings[slot] = self._read_char(array, top_k=top_k, path=path)
                    continue
            except PlateDigitsError as exc:
                readings[slot] = Reading(
                    text="", confidence=None, mode=str(mode), path=path, error=str(exc)
                )
                continue
            decoded.append(array)
            slots.append((slot, path))
        if decoded:
            config = self.feature_config
            characters = prepare_characters(
                decoded, height=config.height, width=config.width, method=config.binarize
            )
            present = np.count_nonzero(characters.reshape(len(characters), -1), axis=1) > 0
            flags = [bool(flag) for flag in present]
            boxes = [
                (0, 0, a.shape[1], a.shape[0]) for a, f in zip(decoded, flags, strict=True) if f
            ]
            found = iter(self._characters_from(characters[present], boxes, top_k) if boxes else [])
            for (slot, path), is_present in zip(slots, flags, strict=True):
                if not is_present:
                    readings[slot] = Reading(text="", confidence=0.0, mode="char", path=path)
                    continue
                reading = next(found)
                readings[slot] = Reading(
                    text=reading.label,
                    confidence=reading.confidence,
                    mode="char",
                    characters=(reading,),
                    path=path,
                )
        return [reading for reading in readings if reading is not None]

    def _characters_from(
        self, characters: np.ndarray, boxes: list[tuple[int, int, int, int]], top_k: int
    ) -> list[CharacterReading]:
        probabilities = self.predict_proba(
            window_ratios_batch(characters, config=self.feature_config)
        )
        return self._readings_from(probabilities, boxes, top_k)

    def _rescue_unsure_digits(
        self,
        found: list[CharacterReading],
        network_proba: np.ndarray,
        rejector_proba: np.ndarray,
        *,
        digit_like: np.ndarray,
    ) -> tuple[list[CharacterReading], np.ndarray]:
        """Characters not yet taken that both networks together read as one digit.

        See :attr:`plate_joint_probability`. ``network_proba`` is ``(n, n_classes)`` of the
        digit network, ``rejector_proba`` ``(n, n_rejector_classes)``, ``digit_like`` ``(n,)``
        bool (taken already). Returns the readings, a rescued one with the joint best digit as
        its label and the joint probability as its confidence (``top_k`` stays the digit
        network's), and ``(n,)`` bool: which were rescued.
        """
        rescued = np.zeros(len(found), dtype=bool)
        if self.rejector is None:
            return found, rescued
        rejector_classes = self.rejector.classes_
        shared = [
            (k, rejector_classes.index(c))
            for k, c in enumerate(self.classes)
            if c.isdigit() and c in rejector_classes
        ]
        if not shared:
            return found, rescued
        net_columns = [k for k, _ in shared]
        rejector_columns = [j for _, j in shared]
        out = []
        for i, reading in enumerate(found):
            digit_mass = float(rejector_proba[i, rejector_columns].sum())
            if digit_like[i] or digit_mass < self.plate_joint_probability:
                out.append(reading)
                continue
            joint = network_proba[i, net_columns] * rejector_proba[i, rejector_columns]
            total = float(joint.sum())
            best = int(np.argmax(joint))
            if total > 0 and joint[best] / total >= self.plate_joint_probability:
                label = self.classes[net_columns[best]]
                rescued[i] = True
                out.append(
                    CharacterReading(
                        label, float(joint[best] / total), True, reading.box, reading.top_k
                    )
                )
            else:
                out.append(reading)
        return out, rescued

    def _readings_from(
        self, probabilities: np.ndarray, boxes: list[tuple[int, int, int, int]], top_k: int
    ) -> list[CharacterReading]:
        classes = self.classes
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, : max(1, top_k)]
        found = []
        for row, ranks, box in zip(probabilities, order, boxes, strict=True):
            label = classes[int(ranks[0])]
            found.append(
                CharacterReading(
                    label=label,
                    confidence=float(row[ranks[0]]),
                    is_digit=label.isdigit(),
                    box=box,
                    top_k=tuple((classes[int(r)], float(row[r])) for r in ranks),
                )
            )
        return found

    def _read_char(self, image: np.ndarray, *, top_k: int, path: str | None) -> Reading:
        character = self.character(image)
        if not character.any():
            return Reading(text="", confidence=0.0, mode="char", path=path)
        h, w = image.shape[:2]
        (reading,) = self._characters_from(character[None], [(0, 0, w, h)], top_k)
        return Reading(
            text=reading.label,
            confidence=reading.confidence,
            mode="char",
            characters=(reading,),
            path=path,
        )

    def _judge(
        self, memo: MaskMemo | None = None
    ) -> Callable[[list[np.ndarray]], np.ndarray] | None:
        """How much masks look like plate characters: the rejector's top probability of each.

        The segmenter asks it when a plate's two polarities give about equally good lines of
        characters (bold faces: the gaps between characters look like characters too), where
        to cut glued characters, and whether a second look at the row reads better. With a
        ``memo`` (one per image), masks judged again cost less (see :class:`MaskMemo`).
        """
        rejector = self.rejector
        if rejector is None:
            return None

        def judge(masks: list[np.ndarray]) -> np.ndarray:
            if not masks:
                return np.zeros(0)
            top = rejector.top_probability_of_masks(masks, memo=memo)
            return np.asarray(top, dtype=np.float64)

        return judge

    def _plate_segmentation(self, image: np.ndarray) -> PlateSegmentation | None:
        """:func:`platedigits.segment.plate_segmentation` with this model as the judge."""
        from platedigits.segment import plate_segmentation

        return plate_segmentation(image, judge=self._judge())

    def _read_plate(
        self,
        image: np.ndarray,
        *,
        top_k: int,
        path: str | None,
        segmentation: PlateSegmentation | None = None,
    ) -> Reading:
        from platedigits.segment import drop_stray_parts, segment_plate

        config = self.feature_config
        # The masks the segmenter judges come back, and the kept ones are read again below.
        memo = MaskMemo()
        if segmentation is None:
            segmentation = segment_plate(image, method=config.binarize, judge=self._judge(memo))
        if not segmentation.boxes:
            return Reading(text="", confidence=0.0, mode="plate", path=path)
        # Only here, not in the segmenter: a rejector trained on the cleaned masks of its
        # synthetic plates read 1-2 points fewer of them (three trainings), one trained on the
        # raw masks and read with the cleaned ones lost nothing.
        masks = [drop_stray_parts(mask) for mask in segmentation.masks]
        characters = np.stack(
            [normalize_character(mask, height=config.height, width=config.width) for mask in masks]
        )
        network_proba = self.predict_proba(
            window_ratios_batch(characters, config=self.feature_config)
        )
        found = self._readings_from(network_proba, segmentation.boxes, top_k)
        confidence = np.array([c.confidence for c in found])
        digit_like = confidence >= self.plate_min_confidence
        if self.rejector is not None:
            rejector_proba = self.rejector.predict_proba_of_masks(masks, memo=memo)
            probability = rejector_proba[:, self.rejector.digit_columns].sum(axis=1)
            sure = confidence >= self.plate_sure_confidence
            digit_like &= (probability >= self.rejector.threshold) | (
                sure & (probability >= self.plate_sure_digit_probability)
            )
            found, rescued = self._rescue_unsure_digits(
                found, network_proba, rejector_proba, digit_like=digit_like
            )
            digit_like |= rescued
        found = [c if keep else _not_digit(c) for c, keep in zip(found, digit_like, strict=True)]
        digits = [c for c in found if c.is_digit]
        return Reading(
            text="".join(c.label for c in digits),
            confidence=min((c.confidence for c in digits), default=0.0),
            mode="plate",
            characters=tuple(found),
            path=path,
        )


def _not_digit(reading: CharacterReading) -> CharacterReading:
    return CharacterReading(reading.label, reading.confidence, False, reading.box, reading.top_k)


def load_model(path: str | os.PathLike[str] | None = None) -> Model:
    """Load a model file, or the shipped default when ``path`` is None.

    Parameters
    ----------
    path : str or path-like, optional

    Returns
    -------
    Model

    Raises
    ------
    ModelError
        The file is missing or not a valid platedigits model.

    Examples
    --------
    >>> model = load_model()
    >>> model.classes
    ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']
    """
    source = default_model_path() if path is None else Path(path)
    parts = load_model_file(source)
    model = Model(parts.network, parts.feature_config, parts.metadata, source=str(source))
    try:
        model.rejector = Rejector.from_parts(
            parts.extra_arrays, parts.metadata.get(REJECT_META_KEY) or {}
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(source, f"inconsistent model file: {exc}") from None
    return model


def train_model(
    features: np.ndarray,
    labels: Iterable[str],
    *,
    feature_config: FeatureConfig,
    network: BPNetwork,
    init: Model | None = None,
    callback: Any = None,
) -> Model:
    """Fit ``network`` (or continue ``init``'s network) on features and wrap it as a Model.

    Parameters
    ----------
    features : numpy.ndarray
        ``(n, n_features)`` float32.
    labels : iterable of str
        ``n`` class labels.
    feature_config : FeatureConfig, keyword-only
    network : BPNetwork, keyword-only
        An unfitted network carrying the training settings.
    init : Model, optional, keyword-only
        Continue from this model's weights (fine-tuning). Its classes and features must match.
    callback : callable, optional, keyword-only
        Called once per epoch by the network (progress reporting).

    Returns
    -------
    Model
    """
    y = np.asarray([str(label) for label in labels])
    if init is not None:
        if init.feature_config != feature_config:
            raise ValueError("the --init model uses different features than asked for")
        # The new training settings (learning rate, epochs, ...) start from the old weights;
        # the layer sizes are the old model's, since its weights fix them.
        config = network.get_config()
        config["hidden_layer_sizes"] = list(init.network.hidden_layer_sizes)
        network = BPNetwork.from_parts(config, init.network.get_arrays(), init.classes)
        network.fit(features, y, callback=callback, warm_start=True)
    else:
        network.fit(features, y, callback=callback)
    return Model(network, feature_config)
