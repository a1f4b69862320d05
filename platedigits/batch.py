"""Reading many files with worker processes, streaming records in input order.

Each worker holds the model once (forked workers reuse the parent's) and reads chunks of paths;
at most a few chunks per worker are in flight, so memory stays flat however many files there
are, and each chunk's records can be written before the next chunk is even listed.

Speed: a chunk's single characters are preprocessed, featurised and classified as one stack
(:func:`platedigits.preprocess.prepare_characters`), workers run OpenCV and OpenBLAS on one
thread each and keep the memory they free (no page faults between stacks), files are read with
two system calls besides open and close, and listed and their records formatted without
per-file ``pathlib``, ``os.path`` or ``json.dumps`` calls. ``benchmarks/throughput.py``
compares the result with only decoding the same files.
"""

from __future__ import annotations

import functools
import json
import math
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from platedigits.errors import PlateDigitsError
from platedigits.features import window_ratios_batch
from platedigits.imageio import IMAGE_EXTENSIONS, decode_image, read_image
from platedigits.preprocess import STACK_MAX_PIXELS, prepare_characters

if TYPE_CHECKING:
    from platedigits.model import Model

#: Record fields, in the order they are written (CSV columns).
RECORD_FIELDS: tuple[str, ...] = ("path", "text", "confidence", "error")

#: The JSON string encoder json.dumps(..., ensure_ascii=False) uses (C-accelerated).
_json_string = json.encoder.encode_basestring


@dataclass(frozen=True)
class _Job:
    model_path: str | None
    mode: str


_worker_model: Any = None
_worker_job: _Job | None = None
#: The model read_file_chunks loaded, with its path; inherited by forked workers.
_parent_model: tuple[str | None, Any] | None = None


def _init_worker(job: _Job) -> None:
    global _worker_model, _worker_job
    from platedigits._cv import one_thread_each
    from platedigits.model import load_model

    # Parallelism comes from the processes; OpenCV's and OpenBLAS's threads would only fight
    # over cores.
    one_thread_each()
    if _parent_model is not None and _parent_model[0] == job.model_path:
        # A forked worker has the model the parent loaded already: no second read of the file.
        _worker_model = _parent_model[1]
    else:
        _worker_model = load_model(job.model_path)
    _worker_job = job


def _init_pool_worker(job: _Job) -> None:
    # Ctrl-C reaches every process of the terminal's group: only the parent handles it (and stops
    # the workers), so the user sees one "Aborted!" instead of a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _stack_pixels
    # Larger stacks only where freed memory is kept: otherwise their buffers are faulted in
    # again for every stack, and the default stacks are faster.
    _stack_pixels = _WORKER_STACK_PIXELS if _keep_freed_memory() else None
    _init_worker(job)


#: Pixels per preprocessing stack in a worker that keeps freed memory: a whole chunk of 512
#: crops of 20x20 in one stack, 3-4% less CPU per crop than the default 128.
_WORKER_STACK_PIXELS = 1 << 18

#: What this process passes to prepare_characters as ``stack_pixels`` (None: its default).
_stack_pixels: int | None = None


#: glibc's mallopt parameters (malloc.h) and the values the workers use.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 16 << 20
_TRIM_THRESHOLD = 64 << 20


def _keep_freed_memory() -> bool:
    """Let glibc reuse freed memory in this process instead of returning it to the system.

    A stack of 128 crops allocates a few buffers of 150-250 kB; glibc gave each back to the
    system when freed (mmap, or trimming the heap), so the next stack page-faulted the same
    memory in again: about 3 faults per image, a tenth of the worker's time. With higher
    thresholds the pages stay; memory stays flat (the largest chunk's working set), only not
    handed back between chunks. Only in pool workers (processes platedigits owns), only on
    glibc; False where nothing was changed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return False
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, ValueError):
        return False
    # mallopt returns 1 on success. Setting either stops glibc adjusting both, so set both.
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    )


def _start_pool(workers: int, job: _Job, context: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_pool_worker, initargs=(job,)
    )


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    # shutdown() alone lets each worker finish its chunk first, which after Ctrl-C on large
    # images can take many seconds; the workers hold nothing worth keeping, so stop them now.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _read_isolated(chunk: list[str], job: _Job, context: Any) -> list[dict[str, Any]]:
    """Read a chunk one file per task, so that a file whose decoding kills its process is named."""
    records: list[dict[str, Any]] = []
    pool = _start_pool(1, job, context)
    try:
        for path in chunk:
            try:
                records.extend(pool.submit(_read_chunk, [path]).result())
            except BrokenProcessPool:
                records.append(
                    {
                        "path": path,
                        "text": "",
                        "confidence": None,
                        "error": f"{path}: the worker process died while reading this file "
                        "(killed, out of memory, or a crash in the decoder)",
                    }
                )
                _stop_pool(pool)
                pool = _start_pool(1, job, context)
    finally:
        _stop_pool(pool)
    return records


def _read_chunk(paths: list[str]) -> list[dict[str, Any]]:
    assert _worker_model is not None and _worker_job is not None
    return read_chunk(_worker_model, paths, mode=_worker_job.mode)


def read_chunk(model: Model, paths: list[str], *, mode: str = "auto") -> list[dict[str, Any]]:
    """Read a list of image files with a loaded model; one record per path, in order.

    Single characters are read together: decoded one by one, then preprocessed, featurised and
    classified as one stack (see :func:`platedigits.preprocess.prepare_characters`). Plates
    (``mode="plate"``, or ``"auto"`` when the image looks like one) are read one at a time.

    Parameters
    ----------
    model : Model
        A loaded model.
    paths : list of str
        Image files.
    mode : str, keyword-only
        ``auto``, ``char`` or ``plate``.

    Returns
    -------
    list of dict
        ``{"path", "text", "confidence", "error"}`` per path; the same values as
        ``model.read(path, mode=mode)`` gives (confidences within float rounding), with a file
        that cannot be read turned into a record with ``error`` set.
    """
    from platedigits.model import MODES

    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
    records: list[dict[str, Any] | None] = [None] * len(paths)
    characters: list[np.ndarray] = []
    slots: list[int] = []
    plate_segmentation = _plate_segmenter(model) if mode == "auto" else None
    by_itself = mode == "plate"
    for slot, path in enumerate(paths):
        try:
            image = read_image_fast(path)
            # As Model.read: in auto mode, the segmentation that recognises a plate is the one
            # it is read from.
            segmentation = None if plate_segmentation is None else plate_segmentation(image)
            if by_itself or segmentation is not None:
                reading = model._read_plate(image, top_k=1, path=path, segmentation=segmentation)
                records[slot] = _record(path, reading.text, reading.confidence)
                continue
            if image.shape[0] * image.shape[1] > STACK_MAX_PIXELS:
                # Not a small crop: read it now rather than hold it for the stack.
                reading = model.read(image, mode="char")
                records[slot] = _record(path, reading.text, reading.confidence)
                continue
        except Exception as exc:  # never let one odd file end a batch of a million
            records[slot] = _error_record(path, exc)
            continue
        characters.append(image)
        slots.append(slot)
    if characters:
        try:
            texts, confidences = _read_characters(model, characters)
        except Exception:
            # Something in the stack upset the batched path: read these one by one, so the
            # odd image gets its own error record and the others their readings.
            for slot, image in zip(slots, characters, strict=True):
                try:
                    reading = model.read(image, mode="char")
                    records[slot] = _record(paths[slot], reading.text, reading.confidence)
                except Exception as exc:
                    records[slot] = _error_record(paths[slot], exc)
        else:
            # Rounded as Reading.to_dict rounds (see _record), built inline: a call per record
            # cost as much as the record.
            for slot, text, confidence in zip(slots, texts, confidences, strict=True):
                records[slot] = {
                    "path": paths[slot],
                    "text": text,
                    "confidence": round(confidence, 6),
                    "error": None,
                }
    return cast(list[dict[str, Any]], records)  # every slot is filled by now


def _plate_segmenter(model: Model) -> Callable[[np.ndarray], Any]:
    """``model._plate_segmentation``, with its judge made and its module imported once per chunk.

    Both cost more per image than the plate check of a small crop itself (a function-level
    import is about 1.5 us each time).
    """
    from platedigits.segment import plate_segmentation

    judge = model._judge()
    return functools.partial(plate_segmentation, judge=judge)


def _record(path: str, text: str, confidence: float | None) -> dict[str, Any]:
    # Rounded as Reading.to_dict rounds, so predict and batch print the same numbers.
    shown = None if confidence is None else round(float(confidence), 6)
    return {"path": path, "text": text, "confidence": shown, "error": None}


def _error_record(path: str, exc: Exception) -> dict[str, Any]:
    message = (
        str(exc) if isinstance(exc, PlateDigitsError) else f"{path}: {type(exc).__name__}: {exc}"
    )
    return {"path": path, "text": "", "confidence": None, "error": message}


def read_image_fast(path: str) -> np.ndarray:
    """Decode one file: :func:`~platedigits.imageio.read_image`, minus its per-call overhead.

    Parameters
    ----------
    path : str
        The file.

    Returns
    -------
    numpy.ndarray
        As :func:`~platedigits.imageio.read_image`.

    Raises
    ------
    ImageReadError
        Exactly as :func:`~platedigits.imageio.read_image` raises it.

    Notes
    -----
    ``os.open``/``os.pread`` cost a third of Python's buffered ``open`` for a small crop; any
    failure is handed to ``read_image`` itself, so error messages stay exactly its own.
    """
    try:
        # O_NONBLOCK: a FIFO named like an image must not hang the batch (read_image refuses it).
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return read_image(path)
    try:
        # The size from seeking to the end rather than os.fstat, whose result object cost a
        # microsecond per file. It turns away what read_image refuses as well: a pipe or a
        # terminal cannot seek (OSError), /dev/zero and its like report 0, a directory reports
        # no size or cannot be read. Anything odd or large goes to read_image, which decides.
        size = os.lseek(fd, 0, os.SEEK_END)
        if not 0 < size <= _FAST_READ_MAX:
            return read_image(path)
        if _pread is not None:
            data = _pread(fd, size + 1, 0)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            data = os.read(fd, size + 1)
    except OSError:
        return read_image(path)
    finally:
        os.close(fd)
    if len(data) != size:  # a file that changed size under us, or a size that was no size
        return read_image(path)
    try:
        return decode_image(data, name=path)
    except PlateDigitsError:
        return read_image(path)  # the same error, named the way read_image names files


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

#: Files up to this size are read here; larger ones (never a character crop) by read_image.
_FAST_READ_MAX = 1 << 20

#: os.pread reads from the start without seeking back; not on Windows.
_pread = getattr(os, "pread", None)

#: Chunks queued per worker: enough that a worker never waits for the parent to hand it the
#: next chunk when the parent is slow to be scheduled, few enough to keep memory flat.
_IN_FLIGHT_PER_WORKER = 4


def _read_characters(model: Model, images: list[np.ndarray]) -> tuple[list[str], list[float]]:
    """Labels and confidences of single-character images, read as one stack."""
    config = model.feature_config
    characters = prepare_characters(
        images,
        height=config.height,
        width=config.width,
        method=config.binarize,
        stack_pixels=_stack_pixels,
    )
    present = characters.reshape(len(characters), -1).any(axis=1)
    texts = [""] * len(images)
    confidences = [0.0] * len(images)
    if present.any():
        # Usually every crop holds a character: then no copy of the whole stack.
        shown = characters if present.all() else characters[present]
        probabilities = model.predict_proba(window_ratios_batch(shown, config=config))
        best = probabilities.argmax(axis=1)
        best_probability = probabilities[np.arange(len(best)), best].tolist()
        classes = model.classes
        for slot, index, probability in zip(
            np.flatnonzero(present).tolist(), best.tolist(), best_probability, strict=True
        ):
            texts[slot] = classes[index]
            confidences[slot] = probability
    return texts, confidences


def _chunks(paths: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(paths)
    while chunk := list(islice(iterator, size)):
        yield chunk


def read_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    model_path: str | os.PathLike[str] | None = None,
    mode: str = "auto",
    workers: int = 1,
    chunk_size: int = 512,
) -> Iterator[dict[str, Any]]:
    """Read image files and yield one record per file, in input order.

    Parameters
    ----------
    paths : iterable of path
        Consumed lazily.
    model_path : path, optional, keyword-only
        Model file; the shipped default when None.
    mode : str, keyword-only
        ``auto``, ``char`` or ``plate``.
    workers : int, keyword-only
        Worker processes; 1 reads in this process.
    chunk_size : int, keyword-only
        Files per task sent to a worker.

    Yields
    ------
    dict
        ``{"path": str, "text": str, "confidence": float | None, "error": str | None}`` with
        ``path`` as given.

    Raises
    ------
    ModelError
        The model cannot be loaded (checked before any file is read).
    ValueError
        Unknown mode.
    """
    for records in read_file_chunks(
        paths, model_path=model_path, mode=mode, workers=workers, chunk_size=chunk_size
    ):
        yield from records


def read_file_chunks(
    paths: Iterable[str | os.PathLike[str]],
    *,
    model_path: str | os.PathLike[str] | None = None,
    mode: str = "auto",
    workers: int = 1,
    chunk_size: int = 512,
) -> Iterator[list[dict[str, Any]]]:
    """Read image files and yield their records a chunk at a time, in input order.

    Writing a whole chunk at once (one write, one flush) keeps the parent process, which also
    lists the files, from becoming the bottleneck. See :func:`read_files` for the arguments.

    Parameters
    ----------
    paths : iterable of path
        Consumed lazily.
    model_path : path, optional, keyword-only
        Model file; the shipped default when None.
    mode : str, keyword-only
        ``auto``, ``char`` or ``plate``.
    workers : int, keyword-only
        Worker processes; 1 reads in this process.
    chunk_size : int, keyword-only
        Files per task sent to a worker.

    Yields
    ------
    list of dict
        The records of one chunk of up to ``chunk_size`` files, as :func:`read_files` gives.

    Raises
    ------
    ModelError
        The model cannot be loaded (checked before any file is read).
    """
    from platedigits.model import MODES, load_model

    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
    job = _Job(model_path=None if model_path is None else os.fspath(model_path), mode=mode)

    global _parent_model
    # Fail early, in this process, with the model's own message; forked workers reuse it.
    _parent_model = (job.model_path, load_model(job.model_path))
    if mode != "char":
        import platedigits.segment  # noqa: F401  (imported once here, not once per worker)
    names = (os.fspath(p) for p in paths)
    if workers <= 1:
        _init_worker(job)
        for chunk in _chunks(names, chunk_size):
            yield _read_chunk(chunk)
        return
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    pool = _start_pool(workers, job, context)
    try:
        pending: deque[tuple[list[str], Future[list[dict[str, Any]]]]] = deque()
        chunks = _chunks(names, chunk_size)
        for chunk in chunks:
            pending.append((chunk, pool.submit(_read_chunk, chunk)))
            if len(pending) >= _IN_FLIGHT_PER_WORKER * workers:
                break
        while pending:
            chunk, future = pending.popleft()
            try:
                records = future.result()
            except BrokenProcessPool:
                # A worker died (killed, out of memory, a crash inside a decoder) and took every
                # chunk in flight with it: find the file that did it, then go on in a new pool.
                _stop_pool(pool)
                records = _read_isolated(chunk, job, context)
                pool = _start_pool(workers, job, context)
                pending = deque((c, pool.submit(_read_chunk, c)) for c, _ in pending)
            next_chunk = next(chunks, None)
            if next_chunk is not None:
                pending.append((next_chunk, pool.submit(_read_chunk, next_chunk)))
            yield records
    finally:
        _stop_pool(pool)


def jsonl_lines(records: Iterable[dict[str, Any]]) -> str:
    """The records as JSON lines, exactly as ``json.dumps(record, ensure_ascii=False)`` each.

    Parameters
    ----------
    records : iterable of dict
        Records with the :data:`RECORD_FIELDS` (missing ones are written as null).

    Returns
    -------
    str
        One line per record, each ending in a newline. Three times cheaper than ``json.dumps``
        per record, which mattered in the process that writes a batch's output; any value that
        is not a plain string, finite float or None goes through ``json.dumps`` itself.
    """
    lines = []
    for record in records:
        path, text = record.get("path"), record.get("text")
        confidence, error = record.get("confidence"), record.get("error")
        if (
            type(path) is str
            and type(text) is str
            and (error is None or type(error) is str)
            and (confidence is None or (type(confidence) is float and math.isfinite(confidence)))
        ):
            lines.append(
                f'{{"path": {_json_string(path)}, "text": {_json_string(text)}, '
                f'"confidence": {"null" if confidence is None else repr(confidence)}, '
                f'"error": {"null" if error is None else _json_string(error)}}}\n'
            )
        else:
            fields = {key: record.get(key) for key in RECORD_FIELDS}
            lines.append(json.dumps(fields, ensure_ascii=False) + "\n")
    return "".join(lines)


def iter_image_paths(
    folder: str | os.PathLike[str], *, skip: Collection[str] = frozenset()
) -> Iterator[str]:
    """The image files under ``folder`` as strings, fast enough for a million files.

    Parameters
    ----------
    folder : str or path-like
    skip : collection of str, keyword-only
        Paths relative to ``folder``, with ``/`` separators, to leave out (``--resume``).

    Yields
    ------
    str
        The same files, in the same order and spelt the same way, as
        ``str(p) for p in platedigits.data.iter_image_files(folder)``; building a
        :class:`pathlib.Path` per file would cost more than decoding a small crop.
    """
    root = os.fspath(Path(folder))
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = os.fspath(Path(dirpath))  # once per folder: Path's spelling of it
        prefix = "" if here == "." else here + os.sep
        shown_prefix = _relative_dir(here, root) or ""
        for name in sorted(filenames):
            # Path.suffix's rule (is_image_path's), without a Path or os.path.splitext per file.
            dot = name.rfind(".")
            if dot <= 0 or name[dot:].lower() not in IMAGE_EXTENSIONS:
                continue
            if skip and shown_prefix + name in skip:
                continue
            yield prefix + name


def relative_record(record: dict[str, Any], root: Path) -> dict[str, Any]:
    """The record with ``path`` relative to ``root``, with ``/`` separators."""
    path = record["path"]
    head, sep, name = path.rpartition("/")
    if not (_POSIX and sep and head and head[-1] != "/"):
        # What rpartition cannot tell os.path.split's answer from: no folder, a root folder,
        # doubled slashes, and Windows' separators. The common case above is 7 times cheaper.
        head, name = os.path.split(path)
    shown_dir = _relative_head(head, os.fspath(root)) if name else None
    if shown_dir is None:
        path = Path(record["path"])
        try:
            shown = path.relative_to(root).as_posix()
        except ValueError:
            shown = path.as_posix()
        return {**record, "path": shown}
    return {**record, "path": shown_dir + name}


_POSIX = os.sep == "/" and os.altsep is None


@functools.lru_cache(maxsize=1024)
def _relative_head(head: str, root: str) -> str | None:
    return _relative_dir(os.fspath(Path(head)) if head else ".", root)


@functools.lru_cache(maxsize=1024)
def _relative_dir(directory: str, root: str) -> str | None:
    """``directory`` relative to ``root`` as a prefix for file names (``""`` or ``"a/b/"``);
    None when it is not under ``root``. Cached, since a folder holds many files."""
    try:
        relative = Path(directory).relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if relative == "." else relative + "/"
