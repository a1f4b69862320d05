"""The ``platedigits`` command line: parse options, call the library, print.

Results go to stdout; progress, warnings and errors to stderr. Library modules are imported
inside the commands so that ``platedigits predict`` starts almost as fast as Python with OpenCV.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from platedigits import __version__

F = TypeVar("F", bound=Callable[..., Any])

MODE_CHOICE = click.Choice(["auto", "char", "plate"])
OPTIMIZER_CHOICE = click.Choice(["adam", "sgd", "momentum", "adagrad", "rmsprop"])
ACTIVATION_CHOICE = click.Choice(["relu", "tanh", "sigmoid"])
BINARIZE_CHOICE = click.Choice(["otsu", "sauvola", "adaptive"])


class FiniteFloatRange(click.FloatRange):
    """A click.FloatRange that also refuses nan and inf, which slip through its comparisons."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class _ProgressLine:
    """One self-redrawing line on a terminal: bar, count, rate and time left.

    Redrawn at most ten times a second, so that a fast loop is not slowed by terminal writes.
    Without a known length (files still being found) it shows the count and rate only.
    """

    def __init__(self, length: int | None, label: str, unit: str, stream: IO[str]) -> None:
        self.length = length
        self.label = label
        self.unit = unit
        self.stream = stream
        self.done = 0
        self.started = time.monotonic()
        self.drawn_at = -1.0

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.drawn_at >= 0.1:
            self.draw(now)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        speed = f"{rate:.1f} {self.unit}/s" if rate < 100 else f"{rate:.0f} {self.unit}/s"
        if not self.length:
            return f"{self.label}  {self.done} {self.unit}  {speed}  {_clock(elapsed)}"
        share = min(1.0, self.done / self.length)
        filled = round(24 * share)
        left = (self.length - self.done) / rate if rate > 0 else None
        remaining = "" if left is None else f"  {_clock(max(left, 0.0))} left"
        return (
            f"{self.label}  [{'#' * filled}{'-' * (24 - filled)}] {self.done}/{self.length}"
            f"  {speed}{remaining}"
        )

    def draw(self, now: float) -> None:
        self.drawn_at = now
        self.stream.write("\r\x1b[K" + self.line(now))
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()
        self.drawn_at = -1.0  # redraw on the next update

    def finish(self) -> None:
        # The last state stays on screen (with the elapsed time), so the user sees how long
        # the step took; the next message starts on a fresh line.
        elapsed = time.monotonic() - self.started
        self.clear()
        total = f"{self.done}/{self.length}" if self.length else str(self.done)
        self.stream.write(f"{self.label}  {total} {self.unit} in {_clock(elapsed)}\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class Console:
    """Where a command's progress and messages go: stderr, shaped by --quiet and --verbose."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self._bar: _ProgressLine | None = None

    def _echo(self, message: str) -> None:
        if self._bar is not None:
            self._bar.clear()  # a message in the middle of a bar gets a line of its own
        click.echo(message, err=True)

    def info(self, message: str) -> None:
        if not self.quiet:
            self._echo(message)

    def debug(self, message: str) -> None:
        if self.verbose and not self.quiet:
            self._echo(message)

    def warn(self, message: str) -> None:
        self._echo(f"Warning: {message}")

    def error(self, message: str) -> None:
        self._echo(f"Error: {message}")

    @property
    def interactive(self) -> bool:
        return not self.quiet and sys.stderr.isatty()

    @contextmanager
    def progress(
        self, length: int | None, label: str, *, unit: str = "it"
    ) -> Iterator[Callable[[int], None]]:
        """A progress line on stderr when it is a terminal; silent in pipes and CI logs.

        Shows the count, the rate and, when ``length`` is known, a bar and the time left.
        Yields ``advance(n)``, to call with the number of items done since the last call.
        """
        if not self.interactive:
            yield lambda n: None
            return
        bar = _ProgressLine(length, label, unit, sys.stderr)
        self._bar = bar
        try:
            yield bar.update
        finally:
            self._bar = None
            bar.finish()


def common_options(func: F) -> F:
    """--quiet and --verbose, shared by every command; passes ``console``."""

    @click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr but errors.")
    @click.option("-v", "--verbose", is_flag=True, help="Print more detail on stderr.")
    @wraps(func)
    def wrapper(*args: Any, quiet: bool, verbose: bool, **kwargs: Any) -> Any:
        return func(*args, console=Console(quiet=quiet, verbose=verbose), **kwargs)

    return wrapper  # type: ignore[return-value]


def model_option(func: F) -> F:
    return click.option(
        "--model",
        "model_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Model file (.npz). Default: the model shipped with platedigits.",
    )(func)


@contextmanager
def library_errors() -> Iterator[None]:
    """Turn the library's own errors into one-line Click errors (exit status 1, no traceback)."""
    from platedigits.errors import PlateDigitsError

    try:
        yield
    except PlateDigitsError as exc:
        raise click.ClickException(str(exc)) from None
    except MemoryError:
        raise click.ClickException(
            "out of memory (try fewer or smaller images, or a smaller network)"
        ) from None


def _load(model_path: Path | None) -> Any:
    from platedigits.model import load_model

    with library_errors():
        return load_model(model_path)


def _format_confidence(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="platedigits")
def main() -> None:
    """Read the digits on licence plates: OpenCV preprocessing, 5x3 window features and a
    NumPy back-propagation network.

    \b
    Examples:
      platedigits predict samples/*.png
      platedigits batch photos/ --output readings.jsonl
      platedigits train my-digits/ --out my-model.npz
      platedigits evaluate my-test-digits/ --model my-model.npz
    """


# -- predict -----------------------------------------------------------------------------------


@main.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@model_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "jsonl", "csv"]),
    default="text",
    show_default=True,
    help="text: path<TAB>text<TAB>confidence per image; json: a list of records.",
)
@click.option(
    "--top-k",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many guesses to show per character.",
)
@click.option(
    "--mode",
    type=MODE_CHOICE,
    default="auto",
    show_default=True,
    help="char: one character per image; plate: a whole plate; auto: decide per image.",
)
@common_options
def predict(
    images: tuple[Path, ...],
    model_path: Path | None,
    fmt: str,
    top_k: int,
    mode: str,
    console: Console,
) -> None:
    """Read the digits in each IMAGE and print them with their confidence.

    \b
    Example:
      $ platedigits predict samples/plate-eu.png samples/digit-7.png
      samples/plate-eu.png	168	0.9965
      samples/digit-7.png	7	0.9998

    A file that cannot be read gets a one-line error on stderr; the others are still read, and
    the exit status is 1. An image with no character in it (blank, all one colour) is not an
    error: its text is empty and its confidence 0.0.
    """
    from platedigits._cv import one_thread_each

    model = _load(model_path)
    one_thread_each()
    records = []
    failed = 0
    for reading in model.read_many(images, mode=mode, top_k=top_k):
        if reading.error is not None:
            failed += 1
            console.error(reading.error)
        record = reading.to_dict(details=fmt == "json")
        if fmt == "text":
            if reading.error is None:
                line = f"{reading.path}\t{reading.text}\t{_format_confidence(reading.confidence)}"
                if top_k > 1:
                    guesses = " ".join(
                        "|".join(f"{label}:{p:.3f}" for label, p in char.top_k)
                        for char in reading.characters
                    )
                    line += f"\t{guesses}"
                click.echo(line)
        elif fmt == "json":
            records.append(record)
        else:
            _write_records(sys.stdout, [record], fmt=fmt, header=not records)
            records.append(record)
    if fmt == "json":
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
    if failed:
        sys.exit(1)


def _write_records(out: IO[str], records: list[dict[str, Any]], *, fmt: str, header: bool) -> None:
    from platedigits.batch import RECORD_FIELDS, jsonl_lines

    if fmt == "text":
        # For people: what predict prints, plus the reason where a file could not be read.
        out.write(
            "".join(
                f"{r['path']}\t{r['text']}\t{_format_confidence(r['confidence'])}"
                + ("" if r.get("error") is None else f"\t{r['error']}")
                + "\n"
                for r in records
            )
        )
    elif fmt == "csv":
        writer = csv.DictWriter(
            out, fieldnames=RECORD_FIELDS, extrasaction="ignore", lineterminator="\n"
        )
        if header:
            writer.writeheader()
        for record in records:
            writer.writerow(
                {k: "" if record.get(k) is None else record.get(k) for k in RECORD_FIELDS}
            )
    else:
        out.write(jsonl_lines(records))
    out.flush()


# -- batch -------------------------------------------------------------------------------------


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@model_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "text"]),
    default="jsonl",
    show_default=True,
    help="jsonl or csv for programs; text: path<TAB>text<TAB>confidence[<TAB>error] for people.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write records here instead of stdout.",
)
@click.option("--mode", type=MODE_CHOICE, default="auto", show_default=True)
@click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes. Default: the number of CPUs.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="With --output: skip files already recorded there and append the rest.",
)
@common_options
def batch(
    folder: Path,
    model_path: Path | None,
    fmt: str,
    output: Path | None,
    mode: str,
    workers: int | None,
    resume: bool,
    console: Console,
) -> None:
    """Read every image under FOLDER (recursively, in sorted order), one record per file.

    Records have the fields path (relative to FOLDER), text, confidence and error, and are
    written as they are produced. The exit status is 1 when any file could not be read.

    \b
    Example:
      $ platedigits batch crops/ --output readings.csv --format csv
    """
    if "numpy" not in sys.modules:
        # This process only lists files and writes records, and each worker runs BLAS on one
        # thread: OpenBLAS starting a thread per core as NumPy loads cost 60 ms of CPU and wall.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from platedigits.batch import iter_image_paths, read_file_chunks, relative_record

    if resume and output is None:
        raise click.UsageError("--resume needs --output")
    _load(model_path)  # a bad --model must not empty an existing --output file
    done: set[str] = set()
    if resume and output is not None and output.exists():
        done = _recorded_paths(output, fmt)
        console.info(f"resuming: {len(done)} files already in {output}")
    workers = workers or os.cpu_count() or 1
    # Strings, not Path objects: at tens of thousands of crops a second, pathlib would cost more
    # than the reading.
    paths = iter_image_paths(folder, skip=done)

    append = resume and output is not None and output.exists() and output.stat().st_size > 0
    out: IO[str] = (
        open(output, "a" if append else "w", encoding="utf-8", newline="")  # noqa: SIM115
        if output
        else sys.stdout
    )
    count = failed = 0
    started = time.perf_counter()
    try:
        with library_errors(), console.progress(None, "reading", unit="files") as advance:
            # A chunk of records at a time: one write and one flush per chunk, not per file.
            for chunk in read_file_chunks(paths, model_path=model_path, mode=mode, workers=workers):
                records = [relative_record(record, folder) for record in chunk]
                _write_records(out, records, fmt=fmt, header=count == 0 and not append)
                count += len(records)
                for record in records:
                    if record["error"] is not None:
                        failed += 1
                        console.debug(f"Error: {record['error']}")
                advance(len(records))
    finally:
        if output is not None:
            out.close()
    elapsed = time.perf_counter() - started
    console.info(
        f"{count} files read in {elapsed:.1f} s "
        f"({count / max(elapsed, 1e-9):.0f}/s), {failed} failed"
    )
    if failed:
        sys.exit(1)


def _recorded_paths(output: Path, fmt: str) -> set[str]:
    """Paths already in an interrupted output file, which is first cut back to whole records.

    Raises
    ------
    click.ClickException
        The file holds the other format.
    """
    from platedigits.batch import RECORD_FIELDS

    data = output.read_bytes()
    if not data:
        return set()
    first_line = data.split(b"\n", 1)[0].strip()
    if first_line.startswith(b"{"):
        found = "jsonl"
    elif first_line == ",".join(RECORD_FIELDS).encode():
        found = "csv"
    else:
        found = "text"
    if found != fmt:
        names = {"jsonl": "JSON lines", "csv": "CSV", "text": "text"}
        raise click.ClickException(
            f"{output}: --resume with --format {fmt}, but it holds {names[found]}"
        )
    if not data.endswith(b"\n"):
        # A kill mid-write leaves half a record at the end: drop it so the file stays whole
        # records (a JSON line that is complete but for its newline is kept).
        cut = data.rfind(b"\n") + 1
        tail = data[cut:]
        keep = False
        if fmt == "jsonl":
            try:
                keep = "path" in json.loads(tail)
            except (json.JSONDecodeError, UnicodeDecodeError, TypeError):
                keep = False
        data = data + b"\n" if keep else data[:cut]
        output.write_bytes(data)
    text = data.decode("utf-8", errors="replace")
    if fmt == "csv":
        return {row["path"] for row in csv.DictReader(io.StringIO(text)) if row.get("path")}
    if fmt == "text":
        return {line.split("\t", 1)[0] for line in text.split("\n") if "\t" in line}
    done = set()
    # Split on newlines only: str.splitlines would also split on U+2028 and friends, which JSON
    # lines may hold raw inside a file name.
    for line in text.split("\n"):
        try:
            done.add(json.loads(line)["path"])
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return done


# -- train -------------------------------------------------------------------------------------


_MAX_SIZE = 256


def _size(text: str) -> tuple[int, int]:
    try:
        rows, cols = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not ROWSxCOLS, for example 25x15") from None
    if rows < 1 or cols < 1:
        raise click.BadParameter(f"{text!r}: both sizes must be positive")
    if rows > _MAX_SIZE or cols > _MAX_SIZE:
        # Every training character is held in memory at this size: 6000 crops at 1000x1000
        # would need 24 GB.
        raise click.BadParameter(f"{text!r}: sizes are at most {_MAX_SIZE}")
    return rows, cols


@main.command()
@click.argument("data_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Where to write the model (.npz), atomically.",
)
@click.option(
    "--hidden",
    type=click.IntRange(min=1),
    multiple=True,
    default=(64,),
    show_default=True,
    help="Hidden layer size; repeat for more layers (--hidden 64 --hidden 32).",
)
@click.option("--activation", type=ACTIVATION_CHOICE, default="relu", show_default=True)
@click.option("--optimizer", type=OPTIMIZER_CHOICE, default="adam", show_default=True)
@click.option(
    "--lr",
    type=FiniteFloatRange(min=0, min_open=True),
    default=None,
    help="Learning rate. Default: the optimizer's usual one.",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Most epochs; early stopping usually ends sooner.",
)
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True)
@click.option(
    "--l2", type=FiniteFloatRange(min=0), default=1e-4, show_default=True, help="L2 weight decay."
)
@click.option(
    "--val-split",
    type=FiniteFloatRange(0, 1, min_open=True, max_open=True),
    default=0.1,
    show_default=True,
    help="Share held out for validation and early stopping.",
)
@click.option(
    "--patience",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Epochs without validation improvement before stopping.",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--size",
    "char_size",
    default="25x15",
    show_default=True,
    help="Normalised character size ROWSxCOLS.",
)
@click.option("--window", default="5x3", show_default=True, help="Feature window ROWSxCOLS.")
@click.option("--binarize", type=BINARIZE_CHOICE, default="otsu", show_default=True)
@click.option(
    "--init",
    "init_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Continue training from this model (fine-tuning).",
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Draw loss and accuracy per epoch here (.png; needs platedigits[plot]).",
)
@common_options
def train(
    data_dir: Path,
    out: Path,
    hidden: tuple[int, ...],
    activation: str,
    optimizer: str,
    lr: float | None,
    epochs: int,
    batch_size: int,
    l2: float,
    val_split: float,
    patience: int,
    seed: int,
    char_size: str,
    window: str,
    binarize: str,
    init_path: Path | None,
    plot: Path | None,
    console: Console,
) -> None:
    """Train a model on DATA_DIR/<label>/<images> and write it to --out.

    Class labels are the folder names, so any label set works. Files that are not images
    (a manifest.csv beside the class folders) are ignored; unreadable images are skipped with
    a warning.

    \b
    Example:
      $ platedigits train my-digits/ --out my-model.npz --hidden 64 --seed 1
    """
    from platedigits.data import load_labelled_features
    from platedigits.features import FeatureConfig
    from platedigits.model import train_model
    from platedigits.network import BPNetwork

    if plot is not None:
        _check_plotting()
    try:
        height, width = _size(char_size)
        window_h, window_w = _size(window)
        config = FeatureConfig(height, width, window_h, window_w, binarize=binarize)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--size/--window") from None
    init = _load(init_path) if init_path is not None else None
    if init is not None and init.feature_config != config:
        config = init.feature_config
        console.info(f"using the feature settings of {init_path}")

    started = time.perf_counter()
    with library_errors():
        from platedigits.data import list_labelled_images

        total = len(list_labelled_images(data_dir).paths)
        with console.progress(total, "reading images", unit="images") as advance:
            data = load_labelled_features(data_dir, config=config, progress=advance)
    for path, reason in data.skipped[:20]:
        console.warn(f"skipped {path}: {reason}")
    if len(data.skipped) > 20:
        console.warn(f"... and {len(data.skipped) - 20} more unreadable files")
    for label in data.empty_classes:
        console.warn(f"class {label!r} has no readable images; it is left out")
    classes = sorted(set(data.labels.tolist()))
    if len(classes) < 2:
        raise click.ClickException(
            f"{data_dir}: training needs at least two classes with readable images, found {classes}"
        )
    read_seconds = time.perf_counter() - started
    console.info(
        f"read {len(data.labels)} images of {len(classes)} classes in {read_seconds:.1f} s"
    )

    from platedigits.optimizers import make_optimizer

    options: dict[str, Any] = {}
    if lr is not None:
        options["learning_rate"] = lr
    elif optimizer != "adam":
        # The network's default rate is tuned for Adam; the others start from their own.
        options["learning_rate"] = make_optimizer(optimizer).learning_rate
    network = BPNetwork(
        hidden,
        activation=activation,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=batch_size,
        l2=l2,
        validation_fraction=val_split,
        patience=patience,
        seed=seed,
        **options,
    )
    history: list[tuple[Any, float | None]] = []
    with console.progress(epochs, "training", unit="epochs") as advance:

        def on_epoch(info: Any) -> None:
            advance(1)
            if plot is not None:
                history.append((info, _training_accuracy(network, data.features, data.labels)))
            if console.verbose:
                val = "" if info.val_accuracy is None else f" val_acc {info.val_accuracy:.4f}"
                console.debug(f"epoch {info.epoch}: loss {info.loss:.4f}{val}")

        try:
            with library_errors():
                model = train_model(
                    data.features,
                    data.labels,
                    feature_config=config,
                    network=network,
                    init=init,
                    callback=on_epoch,
                )
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    train_seconds = time.perf_counter() - started - read_seconds
    net = model.network
    metrics = {
        "n_train_images": len(data.labels),
        "epochs_run": int(net.n_iter_),
        "final_loss": float(net.loss_curve_[-1]),
        "best_validation_accuracy": None
        if net.best_validation_score_ is None
        else float(net.best_validation_score_),
    }
    training = {
        "data": data_dir.name,
        "seed": seed,
        "init": None if init_path is None else str(init_path),
    }
    with library_errors():
        model.save(out, metadata={"training": training, "metrics": metrics})
    val = metrics["best_validation_accuracy"]
    click.echo(f"model: {out}")
    click.echo(f"classes: {' '.join(classes)}")
    click.echo(f"images: {len(data.labels)} ({len(data.skipped)} skipped)")
    click.echo(
        f"network: {config.n_features} -> {' -> '.join(map(str, hidden))} -> {len(classes)} "
        f"({activation}, {optimizer})"
    )
    click.echo(f"epochs: {metrics['epochs_run']}, final loss {metrics['final_loss']:.4f}")
    if val is not None:
        click.echo(f"validation accuracy: {val:.4f}")
    click.echo(f"time: {read_seconds:.1f} s reading, {train_seconds:.1f} s training")
    if plot is not None:
        _plot_training(history, plot, title=f"training on {data_dir.name} -> {out.name}")
        console.info(f"wrote {plot}")


def _check_plotting() -> None:
    from platedigits.explain import check_plotting

    with library_errors():
        check_plotting()


def _training_accuracy(network: Any, features: Any, labels: Any) -> float | None:
    """Accuracy of the weights of the epoch just run, on every image (training + validation).

    Only a network being fitted from scratch can be asked mid-fit; with --init the weights
    live in a copy, and the curve shows validation accuracy alone.
    """
    try:
        return float(network.score(features, labels))
    except Exception:  # not fitted (fine-tuning a copy): no curve rather than no model
        return None


def _plot_training(history: list[tuple[Any, float | None]], out: Path, *, title: str) -> None:
    from platedigits.explain import training_curves_picture

    infos = [info for info, _ in history]
    best_epoch = None
    scored = [(i.val_accuracy, -i.val_loss, -i.epoch) for i in infos if i.val_accuracy is not None]
    if scored:
        # The network keeps the epoch with the best validation accuracy, ties to the lower loss.
        best_epoch = -max(scored)[2]
    _write_picture(
        lambda: training_curves_picture(
            [i.loss for i in infos],
            val_loss=[i.val_loss for i in infos],
            accuracy=[acc for _, acc in history],
            val_accuracy=[i.val_accuracy for i in infos],
            accuracy_label="all images (training + validation)",
            best_epoch=best_epoch,
            title=title,
        ),
        out,
    )


# -- evaluate ----------------------------------------------------------------------------------


@main.command()
@click.argument("data_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@model_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Draw the confusion matrix and worst mistakes here (.png; needs platedigits[plot]).",
)
@common_options
def evaluate(
    data_dir: Path, model_path: Path | None, fmt: str, plot: Path | None, console: Console
) -> None:
    """Measure a model on a labelled folder DATA_DIR/<label>/<images>.

    Prints accuracy, per-class precision and recall and the confusion matrix (rows: true
    class, columns: predicted).

    \b
    Example:
      $ platedigits evaluate test-digits/ --format json
    """
    from platedigits.data import list_labelled_images, load_labelled_features
    from platedigits.evaluation import evaluate_predictions

    if plot is not None:
        _check_plotting()
    model = _load(model_path)
    with library_errors():
        total = len(list_labelled_images(data_dir).paths)
        with console.progress(total, "reading images", unit="images") as advance:
            data = load_labelled_features(data_dir, config=model.feature_config, progress=advance)
    for path, reason in data.skipped[:20]:
        console.warn(f"skipped {path}: {reason}")
    predicted = model.network.predict(data.features)
    report = evaluate_predictions(data.labels, predicted, classes=model.classes)
    report["skipped"] = len(data.skipped)
    if plot is not None:
        _plot_evaluation(model, data, report, data_dir, plot)
        console.info(f"wrote {plot}")
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"accuracy: {report['accuracy']:.4f} ({report['correct']}/{report['n']})")
    click.echo("class  precision  recall  support")
    for label, stats in report["per_class"].items():
        precision = "-" if stats["precision"] is None else f"{stats['precision']:.4f}"
        recall = "-" if stats["recall"] is None else f"{stats['recall']:.4f}"
        click.echo(f"{label:>5}  {precision:>9}  {recall:>6}  {stats['support']:>7}")
    labels = report["labels"]
    click.echo("confusion (rows: true, columns: predicted)")
    click.echo("      " + " ".join(f"{label:>5}" for label in labels))
    for label, row in zip(labels, report["confusion"], strict=True):
        click.echo(f"{label:>5} " + " ".join(f"{v:>5}" for v in row))


def _plot_evaluation(model: Any, data: Any, report: dict[str, Any], root: Path, out: Path) -> None:
    """The confusion matrix and the 24 most confident mistakes, as thumbnails."""
    import numpy as np

    from platedigits.explain import Mistake, evaluation_picture
    from platedigits.imageio import read_image

    probabilities = model.predict_proba(data.features)
    classes = np.asarray(model.classes)
    best = probabilities.argmax(axis=1)
    confidence = probabilities[np.arange(len(best)), best]
    wrong = np.flatnonzero(classes[best] != data.labels)
    mistakes = []
    for i in wrong[np.argsort(-confidence[wrong], kind="stable")][:24]:
        path = data.paths[i]
        with library_errors():
            image = read_image(path)
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        mistakes.append(
            Mistake(image, str(data.labels[i]), str(classes[best[i]]), float(confidence[i]), name)
        )
    _write_picture(
        lambda: evaluation_picture(
            report["confusion"],
            report["labels"],
            mistakes=mistakes,
            title=f"{model.source or 'model'} on {root.name}",
        ),
        out,
    )


# -- explain -----------------------------------------------------------------------------------


def _write_picture(picture_fn: Callable[[], Any], out: Path) -> None:
    """Draw and write a picture; a missing matplotlib or an unwritable file is one line."""
    from platedigits.explain import write_picture

    with library_errors():
        picture = picture_fn()
    try:
        write_picture(picture, out)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{out}: {exc.strerror or exc}") from None


@main.command()
@click.argument("image", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Where to write the picture (.png).",
)
@model_option
@click.option(
    "--mode",
    type=MODE_CHOICE,
    default="auto",
    show_default=True,
    help="char: one character; plate: a whole plate; auto: decide from the image.",
)
@common_options
def explain(image: Path, out: Path, model_path: Path | None, mode: str, console: Console) -> None:
    """Draw every step of reading IMAGE into one picture, --out.

    For a character: the input, greyscale, binary, the cropped and normalised character with
    its window grid and each window's white share, the feature vector and the network's
    probability for each class. For a plate: the input with each character's box and reading,
    then each character with its best guesses. Needs matplotlib: pip install 'platedigits[plot]'.

    \b
    Example:
      $ platedigits explain samples/digit-7.png --out steps.png
      samples/digit-7.png	7	0.9934
    """
    from platedigits.explain import (
        check_plotting,
        explain_character_picture,
        explain_plate_picture,
    )
    from platedigits.imageio import read_image

    with library_errors():
        check_plotting()
    model = _load(model_path)
    with library_errors():
        decoded = read_image(image)
        reading = model.read(decoded, mode=mode, top_k=3)
    if reading.mode == "plate":
        _write_picture(lambda: explain_plate_picture(decoded, reading, title=str(image)), out)
    else:
        # Every class's probability, in class order, from the same features the reading used.
        probabilities = (
            model.predict_proba(model.features(decoded)[None])[0] if reading.characters else None
        )
        title = str(image) if reading.characters else f"{image}: no character found"
        _write_picture(
            lambda: explain_character_picture(
                decoded,
                config=model.feature_config,
                classes=model.classes if probabilities is not None else None,
                probabilities=probabilities,
                title=title,
            ),
            out,
        )
    click.echo(f"{image}\t{reading.text}\t{_format_confidence(reading.confidence)}")
    console.info(f"wrote {out}")


# -- synth -------------------------------------------------------------------------------------


@main.command()
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--per-class",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Images per class.",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--classes",
    default="0123456789",
    show_default=True,
    help="Characters to draw, one class each (digits and letters A-Z).",
)
@click.option(
    "--plates",
    type=click.IntRange(min=1),
    default=None,
    help="Draw this many whole plates instead: OUT_DIR/plate_*.png + labels.csv (file,plate_text).",
)
@click.option(
    "--layout",
    type=click.Choice(["cn", "eu", "us", "br", "plain"]),
    default=None,
    help="With --plates: one plate layout only (default: a random layout per plate).",
)
@click.option(
    "--camera",
    is_flag=True,
    help="With --plates: the same plates as a camera gives them (slant, small rotation, "
    "22-64 px tall, blur, JPEG).",
)
@common_options
def synth(
    out_dir: Path,
    per_class: int,
    seed: int,
    classes: str,
    plates: int | None,
    layout: str | None,
    camera: bool,
    console: Console,
) -> None:
    """Write a labelled folder OUT_DIR/<label>/*.png of synthetic plate-like character crops.

    The images come from the project's own glyphs (many plate typefaces and their variants)
    with plate colours, perspective, blur, noise and clutter; the same seed gives the same
    pixels. The shipped model is trained on such data (python -m platedigits.models.build).

    \b
    Example:
      $ platedigits synth synthetic-digits/ --per-class 500 --seed 1
      $ platedigits train synthetic-digits/ --out my-model.npz
      $ platedigits synth synthetic-plates/ --plates 100
      $ platedigits synth camera-plates/ --plates 100 --camera
    """
    if plates is None and (camera or layout is not None):
        raise click.UsageError("--layout and --camera draw whole plates: add --plates N")
    if plates is not None:
        from platedigits.plateset import write_plate_dataset

        started = time.perf_counter()
        try:
            count = write_plate_dataset(
                out_dir, count=plates, seed=seed, layout=layout, camera=camera
            )
        except OSError as exc:
            raise click.ClickException(f"{out_dir}: {exc.strerror or exc}") from None
        console.info(f"wrote {count} plates in {time.perf_counter() - started:.1f} s")
        click.echo(f"{out_dir}: {count} plates, labels in {out_dir / 'labels.csv'}")
        return
    from platedigits.glyphs import supported_characters
    from platedigits.synth import write_character_dataset

    labels = list(dict.fromkeys(classes))
    if not labels:
        raise click.BadParameter("give at least one character to draw", param_hint="--classes")
    unknown = [c for c in labels if c not in supported_characters()]
    if unknown:
        raise click.BadParameter(
            f"no glyphs for {''.join(unknown)!r}; drawable: {supported_characters()}",
            param_hint="--classes",
        )
    started = time.perf_counter()
    try:
        with console.progress(per_class * len(labels), "drawing", unit="images") as advance:
            count = write_character_dataset(
                out_dir, per_class=per_class, seed=seed, classes=labels, progress=advance
            )
    except OSError as exc:
        raise click.ClickException(f"{out_dir}: {exc.strerror or exc}") from None
    console.info(f"wrote {count} images in {time.perf_counter() - started:.1f} s")
    click.echo(f"{out_dir}: {count} images, {len(labels)} classes")
