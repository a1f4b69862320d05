"""Pictures that show what the pipeline and the network do: explain, training curves, confusion.

Every ``*_picture`` function takes plain data (arrays, readings, lists of numbers) and returns
the picture as an ``(H, W, 3)`` ``uint8`` RGB array; :func:`write_picture` saves one. Nothing here
knows about the command line.

The pictures are drawn with matplotlib, an optional extra (``pip install 'platedigits[plot]'``).
It is imported only when a picture is drawn, through its object-oriented API on an Agg canvas:
no pyplot, no global figure state and no display needed. Without matplotlib the functions raise
:class:`~platedigits.errors.MissingDependencyError`. :func:`character_steps` needs only NumPy and
OpenCV.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from platedigits.errors import MissingDependencyError
from platedigits.features import DEFAULT_CONFIG, FeatureConfig, window_ratios
from platedigits.preprocess import binarize, crop_character, normalize_character, to_gray

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from platedigits.model import Reading

#: One line a user can act on when matplotlib is missing.
INSTALL_HINT = (
    "drawing pictures needs matplotlib: install platedigits[plot] (pip install 'platedigits[plot]')"
)

# Colours: one accent for "the answer", one for "wrong", greys for everything else, so the eye
# goes to the winner first.
_WINNER = "#d62728"
_OTHER = "#9aa5b1"
_TRAIN = "#1f77b4"
_VALID = "#ff7f0e"
_GOOD = "#2ca02c"
_REJECTED = "#6b7785"


# -- the steps, as data ----------------------------------------------------------------------


@dataclass(frozen=True)
class CharacterSteps:
    """Every intermediate image of the pipeline for one character image.

    Attributes
    ----------
    image : numpy.ndarray
        The input as decoded: ``(H, W)``, ``(H, W, 3)`` BGR or ``(H, W, 4)`` BGRA.
    gray : numpy.ndarray
        ``(H, W)`` ``uint8``.
    binary : numpy.ndarray
        ``(H, W)`` ``uint8`` 0/255, character white.
    cropped : numpy.ndarray
        ``(h, w)`` ``uint8`` 0/255, the character's bounding box; ``(0, 0)`` when none was found.
    normalized : numpy.ndarray
        ``(config.height, config.width)`` ``float32`` in [0, 1].
    features : numpy.ndarray
        ``(config.n_features,)`` ``float32``: the white share of each window, row by row.
    config : FeatureConfig
    """

    image: np.ndarray
    gray: np.ndarray
    binary: np.ndarray
    cropped: np.ndarray
    normalized: np.ndarray
    features: np.ndarray
    config: FeatureConfig


def character_steps(image: np.ndarray, *, config: FeatureConfig = DEFAULT_CONFIG) -> CharacterSteps:
    """Run the single-character pipeline and keep every step.

    The steps are those of :func:`platedigits.preprocess.prepare_character` followed by
    :func:`platedigits.features.window_ratios`, so ``features`` equals what a model computes.

    Parameters
    ----------
    image : numpy.ndarray
        A decoded image, any form :func:`platedigits.preprocess.to_gray` accepts.
    config : FeatureConfig, keyword-only

    Returns
    -------
    CharacterSteps

    Examples
    --------
    >>> img = np.zeros((40, 24), np.uint8); img[8:32, 10:14] = 255
    >>> steps = character_steps(img)
    >>> steps.normalized.shape, steps.features.shape
    ((25, 15), (25,))
    """
    gray = to_gray(image)
    binary = binarize(gray, method=config.binarize)
    cropped = crop_character(binary)
    normalized = normalize_character(cropped, height=config.height, width=config.width)
    return CharacterSteps(
        image=np.asarray(image),
        gray=gray,
        binary=binary,
        cropped=cropped,
        normalized=normalized,
        features=window_ratios(normalized, config=config),
        config=config,
    )


# -- matplotlib plumbing ---------------------------------------------------------------------


def check_plotting() -> None:
    """Raise now, not after a long run, when pictures cannot be drawn.

    Looks for matplotlib without importing it, so a command can check before it trains.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    """
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise MissingDependencyError(INSTALL_HINT)


def _figure(width: float, height: float) -> Figure:
    """A new figure on its own Agg canvas (inches at 100 dpi), or the install hint."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependencyError(INSTALL_HINT) from None
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _render(figure: Figure) -> np.ndarray:
    canvas: Any = figure.canvas
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    return np.ascontiguousarray(rgba[:, :, :3])


def _rgb(image: np.ndarray) -> np.ndarray:
    """An image ready for ``imshow``: ``(H, W)`` grey or ``(H, W, 3)`` RGB ``uint8``."""
    from platedigits._cv import cv2

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.dtype != np.uint8:
        image = to_gray(image)
    if image.ndim == 2:
        return image
    code = cv2.COLOR_BGRA2RGB if image.shape[2] == 4 else cv2.COLOR_BGR2RGB
    return cv2.cvtColor(image, code)


def _show(ax: Axes, image: np.ndarray, title: str) -> None:
    image = _rgb(image)
    if image.size == 0:
        ax.text(0.5, 0.5, "(nothing)", ha="center", va="center", transform=ax.transAxes)
    elif image.ndim == 2:
        ax.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    else:
        ax.imshow(image, interpolation="nearest")
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def _draw_grid(
    ax: Axes, normalized: np.ndarray, features: np.ndarray, config: FeatureConfig
) -> None:
    """The normalised character with the window grid and each window's white share in it."""
    ax.imshow(normalized, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    rows, cols = config.grid_shape
    for r in range(1, rows):
        ax.axhline(r * config.window_height - 0.5, color="#00b7ff", lw=1.2)
    for c in range(1, cols):
        ax.axvline(c * config.window_width - 0.5, color="#00b7ff", lw=1.2)
    # Small grids get bigger numbers; a 10x10 grid still fits two decimals per cell.
    size = max(6.0, min(11.0, 60.0 / max(rows, cols)))
    for i, value in enumerate(features):
        r, c = divmod(i, cols)
        y = (r + 0.5) * config.window_height - 0.5
        x = (c + 0.5) * config.window_width - 0.5
        ax.text(
            x,
            y,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=size,
            # A box behind every number: text straight on the pixels vanishes wherever the
            # stroke has the text's colour.
            color="black",
            bbox={
                "boxstyle": "round,pad=0.12",
                "fc": "#ffd54f" if round(float(value), 2) >= 0.5 else "white",
                "ec": "none",
                "alpha": 0.85,
            },
        )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(
        f"5. normalised {config.height}x{config.width}, "
        f"{rows}x{cols} windows of {config.window_height}x{config.window_width}",
        fontsize=10,
    )


def _probability_bars(
    ax: Axes, classes: Sequence[str], probabilities: np.ndarray, *, title: str
) -> None:
    probabilities = np.asarray(probabilities, dtype=np.float64)
    best = int(np.argmax(probabilities))
    colours = [_WINNER if i == best else _OTHER for i in range(len(classes))]
    x = np.arange(len(classes))
    ax.bar(x, probabilities, color=colours)
    ax.set_xticks(x, [str(c) for c in classes], fontsize=10 if len(classes) <= 20 else 7)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability")
    ax.annotate(
        f"{classes[best]}  {probabilities[best]:.3f}",
        (best, probabilities[best]),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        color=_WINNER,
    )
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)


# -- explain ---------------------------------------------------------------------------------


def explain_character_picture(
    image: np.ndarray,
    *,
    config: FeatureConfig = DEFAULT_CONFIG,
    classes: Sequence[str] | None = None,
    probabilities: np.ndarray | None = None,
    title: str | None = None,
) -> np.ndarray:
    """One picture with every step of reading one character.

    Input, greyscale, binary, cropped character, the normalised character with its window grid
    and each window's white share, the feature vector, and (when given) the network's
    probability of every class with the winner marked.

    Parameters
    ----------
    image : numpy.ndarray
        A decoded character image (grey, BGR or BGRA).
    config : FeatureConfig, keyword-only
        The model's feature settings.
    classes : sequence of str, optional, keyword-only
        The model's classes, in the order of ``probabilities``.
    probabilities : numpy.ndarray, optional, keyword-only
        ``(n_classes,)`` float; the probability panel is left out without it.
    title : str, optional, keyword-only
        Shown on top (the file name, say).

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` ``uint8`` RGB, about 1300 x 800 pixels.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    ValueError
        ``probabilities`` without ``classes``, or of another length.
    """
    if probabilities is not None and (
        classes is None or len(classes) != len(np.asarray(probabilities))
    ):
        raise ValueError("probabilities need classes of the same length")
    steps = character_steps(image, config=config)
    with_probs = probabilities is not None
    figure = _figure(13.0, 8.4 if with_probs else 6.0)
    rows = 3 if with_probs else 2
    grid = figure.add_gridspec(
        rows, 5, height_ratios=[1.0, 0.9, 1.0][:rows], width_ratios=[1, 1, 1, 1, 1.4]
    )
    h, w = steps.gray.shape
    _show(figure.add_subplot(grid[0, 0]), steps.image, f"1. input {w}x{h}")
    _show(figure.add_subplot(grid[0, 1]), steps.gray, "2. greyscale")
    _show(figure.add_subplot(grid[0, 2]), steps.binary, f"3. binary ({config.binarize})")
    ch, cw = steps.cropped.shape
    _show(figure.add_subplot(grid[0, 3]), steps.cropped, f"4. cropped {cw}x{ch}")
    _draw_grid(figure.add_subplot(grid[0:2, 4]), steps.normalized, steps.features, config)

    ax = figure.add_subplot(grid[1, 0:4])
    n = config.n_features
    _, cols = config.grid_shape
    # One shade per grid row, so the vector can be matched back to the grid by eye.
    shades = ["#4c72b0", "#55a868"]
    colours = [shades[(i // cols) % 2] for i in range(n)]
    ax.bar(np.arange(1, n + 1), steps.features, color=colours)
    ax.set_xticks(np.arange(1, n + 1), [str(i) for i in range(1, n + 1)], fontsize=8)
    ax.set_xlim(0.4, n + 0.6)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("white share")
    ax.set_xlabel("window (row by row; colour changes with each grid row)")
    ax.set_title(f"6. the {n}-value feature vector fed to the network", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)

    if with_probs:
        assert classes is not None and probabilities is not None
        _probability_bars(
            figure.add_subplot(grid[2, :]),
            classes,
            np.asarray(probabilities),
            title="7. network output: probability of each class (winner in red)",
        )
    if title:
        figure.suptitle(title, fontsize=12)
    return _render(figure)


def explain_plate_picture(
    image: np.ndarray, reading: Reading, *, title: str | None = None
) -> np.ndarray:
    """One picture of a plate reading: the boxes and labels on the input, then each character.

    Parameters
    ----------
    image : numpy.ndarray
        The decoded plate image (grey, BGR or BGRA) that ``reading`` was read from.
    reading : Reading
        The result of ``model.read(image, mode="plate", top_k=k)``; each character's box and
        guesses are drawn, so a larger ``top_k`` shows more guesses (up to 3 are drawn).
    title : str, optional, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` ``uint8`` RGB.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    """
    characters = list(reading.characters)
    n = max(1, len(characters))
    cols = max(n, 4)
    fig_width = max(8.0, 1.5 * cols)
    figure = _figure(fig_width, 6.6)
    from matplotlib.patches import Rectangle  # after _figure: it reports a missing matplotlib

    grid = figure.add_gridspec(3, cols, height_ratios=[2.2, 1.3, 1.0])
    ax = figure.add_subplot(grid[0, :])
    rgb = _rgb(image)
    ax.imshow(rgb, cmap="gray" if rgb.ndim == 2 else None, interpolation="nearest")
    # Image pixels per screen pixel, roughly, to tell when two labels would run into each other.
    height_px, width_px = rgb.shape[:2]
    scale = max(width_px / (fig_width * 100 * 0.95), height_px / (6.6 * 100 * 0.5))
    last_above = -np.inf
    for i, char in enumerate(characters):
        x, y, w, h = char.box
        colour = _GOOD if char.is_digit else _REJECTED
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False, ec=colour, lw=2))
        label = f"{i + 1}:{char.label}"
        half = 0.5 * (9 * len(label) + 8) * scale
        centre = x + w / 2
        # A label that would overlap the previous one above goes under its box instead.
        above = centre - half >= last_above
        if above:
            last_above = centre + half
        ax.text(
            centre,
            y - 1 if above else y + h,
            label,
            ha="center",
            va="bottom" if above else "top",
            fontsize=11,
            fontweight="bold",
            color="white",
            bbox={"boxstyle": "round,pad=0.15", "fc": colour, "ec": "none"},
        )
    ax.set_xticks([])
    ax.set_yticks([])
    confidence = "" if reading.confidence is None else f"   confidence {reading.confidence:.3f}"
    ax.set_title(
        f'read "{reading.text}"{confidence}   '
        "(green: taken as a digit, grey: not a digit or unsure)",
        fontsize=11,
    )
    if not characters:
        ax.set_xlabel("no characters found", fontsize=11, color=_WINNER)

    gray = to_gray(image)
    for i, char in enumerate(characters):
        x, y, w, h = char.box
        crop = gray[max(0, y) : y + h, max(0, x) : x + w]
        _show(
            figure.add_subplot(grid[1, i]), crop, f"{i + 1}: {char.label} ({char.confidence:.2f})"
        )
        guesses = list(char.top_k[:3]) or [(char.label, char.confidence)]
        bar_ax = figure.add_subplot(grid[2, i])
        labels = [label for label, _ in guesses][::-1]
        values = [p for _, p in guesses][::-1]
        colours = [_OTHER] * (len(values) - 1) + [_GOOD if char.is_digit else _REJECTED]
        bar_ax.barh(np.arange(len(values)), values, color=colours)
        bar_ax.set_yticks(np.arange(len(values)), labels, fontsize=10)
        bar_ax.set_xlim(0, 1)
        bar_ax.set_xticks([0, 0.5, 1], ["0", ".5", "1"], fontsize=8)
        bar_ax.spines[["top", "right"]].set_visible(False)
    if title:
        figure.suptitle(title, fontsize=12)
    return _render(figure)


# -- training and evaluation -----------------------------------------------------------------


def training_curves_picture(
    loss: Sequence[float],
    *,
    val_loss: Sequence[float | None] = (),
    accuracy: Sequence[float | None] = (),
    val_accuracy: Sequence[float | None] = (),
    accuracy_label: str = "training",
    best_epoch: int | None = None,
    title: str | None = None,
) -> np.ndarray:
    """Loss and accuracy per epoch, training next to validation.

    Parameters
    ----------
    loss : sequence of float
        Training loss of each epoch (length ``n_epochs``).
    val_loss, accuracy, val_accuracy : sequence of float or None, keyword-only
        Per epoch too; empty (or None entries) where there is nothing to show.
    accuracy_label : str, keyword-only
        Legend name of ``accuracy``, to say what it was measured on.
    best_epoch : int, optional, keyword-only
        1-based epoch whose weights were kept; marked with a vertical line.
    title : str, optional, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` ``uint8`` RGB, about 1200 x 450 pixels.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    ValueError
        ``loss`` is empty.
    """
    if len(loss) == 0:
        raise ValueError("no epochs to draw")
    figure = _figure(12.0, 4.5)
    loss_ax, acc_ax = figure.subplots(1, 2)

    def line(ax: Axes, values: Sequence[float | None], label: str, colour: str) -> None:
        points = [(i + 1, v) for i, v in enumerate(values) if v is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, color=colour, lw=2, label=label, marker="." if len(xs) < 30 else None)

    line(loss_ax, list(loss), "training", _TRAIN)
    line(loss_ax, list(val_loss), "validation", _VALID)
    loss_ax.set_title("loss (cross-entropy)", fontsize=11)
    loss_ax.set_ylabel("loss")
    line(acc_ax, list(accuracy), accuracy_label, _TRAIN)
    line(acc_ax, list(val_accuracy), "validation", _VALID)
    acc_ax.set_title("accuracy", fontsize=11)
    acc_ax.set_ylabel("accuracy")
    acc_ax.set_ylim(min(0.9, _lowest(accuracy, val_accuracy)) - 0.02, 1.01)
    from matplotlib.ticker import MaxNLocator

    for ax in (loss_ax, acc_ax):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        if best_epoch is not None:
            ax.axvline(
                best_epoch, color="#555555", ls="--", lw=1, label=f"kept: epoch {best_epoch}"
            )
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=9, loc="best")
    if title:
        figure.suptitle(title, fontsize=12)
    return _render(figure)


def _lowest(*series: Sequence[float | None]) -> float:
    values = [v for s in series for v in s if v is not None]
    return min(values) if values else 0.0


@dataclass(frozen=True)
class Mistake:
    """One misread image for :func:`evaluation_picture`.

    Attributes
    ----------
    image : numpy.ndarray
        The decoded image (grey, BGR or BGRA).
    true : str
        Its label.
    predicted : str
        What the model read.
    confidence : float
        The model's probability for ``predicted``.
    name : str
        A short name to show (the file name).
    """

    image: np.ndarray
    true: str
    predicted: str
    confidence: float
    name: str = ""


def evaluation_picture(
    confusion: np.ndarray | Sequence[Sequence[int]],
    labels: Sequence[str],
    *,
    mistakes: Sequence[Mistake] = (),
    title: str | None = None,
) -> np.ndarray:
    """The confusion matrix, and the worst mistakes as thumbnails with what was read.

    Parameters
    ----------
    confusion : array-like
        ``(n_labels, n_labels)`` counts, rows true and columns predicted.
    labels : sequence of str
        Row and column names.
    mistakes : sequence of Mistake, keyword-only
        Shown in the given order (worst first); up to 24 are drawn.
    title : str, optional, keyword-only

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` ``uint8`` RGB.

    Raises
    ------
    MissingDependencyError
        matplotlib is not installed.
    ValueError
        ``confusion`` is not square with one row per label.
    """
    matrix = np.asarray(confusion, dtype=np.int64)
    k = len(labels)
    if matrix.shape != (k, k):
        raise ValueError(f"confusion must be {k}x{k} for {k} labels, got {matrix.shape}")
    shown = list(mistakes[:24])
    thumb_cols = 6
    side = max(6.0, 0.45 * k + 2.0)
    thumbs_width = 1.45 * thumb_cols if shown else 0.0
    # Thumbnails keep one size and fill from the top, however many mistakes there are.
    thumb_rows = max(-(-len(shown) // thumb_cols), int(side // 1.7))
    height = max(side, 1.7 * thumb_rows + 0.6)
    figure = _figure(side + thumbs_width, height)
    if shown:
        parts: Any = figure.subfigures(1, 2, width_ratios=[side, thumbs_width], squeeze=False)
        left, right = parts[0, 0], parts[0, 1]
        matrix_ax = left.add_subplot(1, 1, 1)
        right.suptitle(
            "worst mistakes, most confident first\n(true read as predicted, probability)",
            fontsize=10,
        )
        thumbs = right.add_gridspec(thumb_rows, thumb_cols)
    else:
        matrix_ax = figure.add_subplot(1, 1, 1)

    # Colour by share of the true class, so a rare class's errors show as clearly as a common
    # one's; the numbers written are the counts.
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    matrix_ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    size = max(6.0, min(11.0, 110.0 / max(k, 1)))
    for i in range(k):
        for j in range(k):
            if matrix[i, j] == 0:
                continue
            off_diagonal = i != j
            matrix_ax.text(
                j,
                i,
                str(matrix[i, j]),
                ha="center",
                va="center",
                fontsize=size,
                color="white" if share[i, j] > 0.55 else (_WINNER if off_diagonal else "black"),
                fontweight="bold" if off_diagonal else "normal",
            )
    matrix_ax.set_xticks(np.arange(k), [str(v) for v in labels], fontsize=size)
    matrix_ax.set_yticks(np.arange(k), [str(v) for v in labels], fontsize=size)
    matrix_ax.set_xlabel("predicted")
    matrix_ax.set_ylabel("true")
    n = int(matrix.sum())
    correct = int(np.trace(matrix))
    accuracy = correct / n if n else 0.0
    matrix_ax.set_title(
        f"confusion: {correct}/{n} right ({accuracy:.1%}); errors in red", fontsize=11
    )

    for index, mistake in enumerate(shown):
        r, c = divmod(index, thumb_cols)
        ax = right.add_subplot(thumbs[r, c])
        _show(
            ax, mistake.image, f"{mistake.true} read {mistake.predicted}\n{mistake.confidence:.2f}"
        )
        ax.title.set_color(_WINNER)
        if mistake.name:
            ax.set_xlabel(_shorten(mistake.name, 16), fontsize=7)
    if title:
        figure.suptitle(title, fontsize=12)
    return _render(figure)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


# -- writing ---------------------------------------------------------------------------------


def write_picture(picture: np.ndarray, path: str | os.PathLike[str]) -> Path:
    """Write an RGB picture to an image file, atomically; the format follows the extension.

    Parameters
    ----------
    picture : numpy.ndarray
        ``(H, W, 3)`` ``uint8`` RGB, as the ``*_picture`` functions return.
    path : str or path-like
        ``.png`` (best for these pictures), ``.jpg``, ``.bmp``, ``.tif`` or ``.webp``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        Not an ``(H, W, 3)`` ``uint8`` array, or an extension OpenCV cannot write.
    OSError
        The file cannot be written.
    """
    from platedigits._cv import cv2

    picture = np.asarray(picture)
    if picture.ndim != 3 or picture.shape[2] != 3 or picture.dtype != np.uint8:
        raise ValueError(
            f"expected an (H, W, 3) uint8 picture, got {picture.dtype} {picture.shape}"
        )
    target = Path(path)
    suffix = target.suffix.lower() or ".png"
    try:
        ok, data = cv2.imencode(suffix, cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
    except cv2.error:
        ok = False
    if not ok:
        raise ValueError(f"{target}: cannot write pictures in {suffix!r} format; use .png")
    # Written beside the target and renamed, so a reader never sees half a picture.
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data.tobytes())
    os.replace(partial, target)
    return target
