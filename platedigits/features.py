"""The classic window-ratio features: the share of white in each cell of a grid over the character.

With the default :class:`FeatureConfig` the character is normalised to 25 rows x 15 columns and
a 5-row x 3-column window slides over it without overlap, so the grid is 5 x 5 and the feature
vector, read row by row, has 25 values in [0, 1]::

    25x15 character          5x5 grid of 5x3 windows       25-vector
    . . # # # # # . .        0.0 0.6 1.0 0.6 0.0
    . # # . . . # # .   ->   0.4 0.5 0.0 0.5 0.4     ->    [0.0, 0.6, 1.0, 0.6, 0.0, 0.4, ...]
    ...                      ...
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from platedigits.preprocess import BINARIZE_METHODS, prepare_character, prepare_characters


@dataclass(frozen=True)
class FeatureConfig:
    """How a character becomes a feature vector; stored in every model file.

    Parameters
    ----------
    height, width : int
        Size of the normalised character in pixels.
    window_height, window_width : int
        Size of the non-overlapping window; must divide ``height`` and ``width``.
    binarize : str
        Binarization method used by the preprocessing (see :func:`platedigits.preprocess.binarize`).

    Examples
    --------
    >>> FeatureConfig().grid_shape, FeatureConfig().n_features
    ((5, 5), 25)
    >>> FeatureConfig(height=30, width=20, window_height=5, window_width=4).n_features
    30
    """

    height: int = 25
    width: int = 15
    window_height: int = 5
    window_width: int = 3
    binarize: str = "otsu"

    def __post_init__(self) -> None:
        for name in ("height", "width", "window_height", "window_width"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.height % self.window_height or self.width % self.window_width:
            raise ValueError(
                f"the {self.window_height}x{self.window_width} window must tile the "
                f"{self.height}x{self.width} character exactly"
            )
        if self.binarize not in BINARIZE_METHODS:
            raise ValueError(
                f"unknown binarization {self.binarize!r}; choose from {BINARIZE_METHODS}"
            )

    @property
    def grid_shape(self) -> tuple[int, int]:
        """Rows and columns of the window grid."""
        return self.height // self.window_height, self.width // self.window_width

    @property
    def n_features(self) -> int:
        """Length of the feature vector."""
        rows, cols = self.grid_shape
        return rows * cols

    def to_dict(self) -> dict[str, Any]:
        """The config as plain JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> FeatureConfig:
        """Build a config from :meth:`to_dict` output; unknown keys are an error."""
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown feature settings: {sorted(unknown)}")
        return cls(**values)


DEFAULT_CONFIG = FeatureConfig()


def window_ratios_batch(
    characters: np.ndarray, *, config: FeatureConfig = DEFAULT_CONFIG
) -> np.ndarray:
    """Window ratios of many normalised characters at once.

    Parameters
    ----------
    characters : numpy.ndarray
        ``(n, height, width)`` float in [0, 1] (or ``uint8`` 0/255).
    config : FeatureConfig, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(n, n_features)`` ``float32`` in [0, 1], each row the grid read row by row.

    Raises
    ------
    ValueError
        The characters are not ``(n, height, width)``.
    """
    characters = np.asarray(characters)
    if characters.ndim != 3 or characters.shape[1:] != (config.height, config.width):
        raise ValueError(
            f"expected characters of shape (n, {config.height}, {config.width}), "
            f"got {characters.shape}"
        )
    if characters.dtype == np.uint8:
        characters = characters.astype(np.float32) * (1.0 / 255.0)
    # Matrix products sum every window of every character (a mean over two strided axes costs
    # twenty times more); dividing afterwards keeps whole-pixel shares exact (5/15 is
    # float32(1/3), 15/15 is 1). The products go in blocks of rows small enough that OpenBLAS
    # computes them in the calling thread: waking its threads for such small products cost
    # 100 times the work on a busy 2-core machine.
    flat = np.ascontiguousarray(characters, dtype=np.float32).reshape(
        len(characters), config.height * config.width
    )
    pooling = _window_sum_matrix(config.height, config.width, *config.grid_shape)
    sums = np.empty((len(characters), pooling.shape[1]), np.float32)
    block = max(1, _SINGLE_THREAD_PRODUCT // (pooling.shape[0] * pooling.shape[1]))
    for start in range(0, len(flat), block):
        np.matmul(flat[start : start + block], pooling, out=sums[start : start + block])
    return sums / np.float32(config.window_height * config.window_width)


#: Largest m*n*k matrix product OpenBLAS leaves single-threaded (65536 * 4 in its sources).
_SINGLE_THREAD_PRODUCT = 65536 * 4 - 1


@functools.lru_cache(maxsize=32)
def _window_sum_matrix(height: int, width: int, rows: int, cols: int) -> np.ndarray:
    """``(height * width, rows * cols)`` float32 of 0/1: which window each pixel falls in."""
    pixel_row, pixel_col = np.divmod(np.arange(height * width), width)
    window = (pixel_row // (height // rows)) * cols + pixel_col // (width // cols)
    matrix = np.zeros((height * width, rows * cols), np.float32)
    matrix[np.arange(height * width), window] = 1.0
    matrix.setflags(write=False)
    return matrix


def window_ratios(character: np.ndarray, *, config: FeatureConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Window ratios of one normalised character.

    Parameters
    ----------
    character : numpy.ndarray
        ``(height, width)`` float in [0, 1] (or ``uint8`` 0/255).
    config : FeatureConfig, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(n_features,)`` ``float32`` in [0, 1].

    Examples
    --------
    >>> char = np.zeros((25, 15), np.float32); char[:5, :3] = 1.0; char[:5, 3] = 1.0
    >>> window_ratios(char)[:3].tolist()
    [1.0, 0.3333333432674408, 0.0]
    """
    return window_ratios_batch(np.asarray(character)[None], config=config)[0]


def image_features(image: np.ndarray, *, config: FeatureConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Run the whole pipeline on one decoded image of a single character.

    Parameters
    ----------
    image : numpy.ndarray
        Any decoded image (grey, BGR, BGRA; 8 or 16 bit).
    config : FeatureConfig, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(n_features,)`` ``float32`` in [0, 1]; all zeros when the image holds no character.
    """
    character = prepare_character(
        image, height=config.height, width=config.width, method=config.binarize
    )
    return window_ratios(character, config=config)


def features_batch(
    images: Iterable[np.ndarray], *, config: FeatureConfig = DEFAULT_CONFIG
) -> np.ndarray:
    """Features of many decoded character images.

    Parameters
    ----------
    images : iterable of numpy.ndarray
        Decoded images of any sizes.
    config : FeatureConfig, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(n, n_features)`` ``float32``; row ``i`` is ``image_features(images[i])`` (within
        1e-5).

    Notes
    -----
    This is the fast path for many images: equally sized images are preprocessed as one stack
    (:func:`platedigits.preprocess.prepare_characters`), several times faster than one by one.
    Chunks of a few hundred images are the sweet spot.
    """
    characters = prepare_characters(
        list(images), height=config.height, width=config.width, method=config.binarize
    )
    return window_ratios_batch(characters, config=config)
