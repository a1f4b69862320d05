"""Reading many files with worker processes, streaming records in input order.

Each worker loads the model once and reads chunks of paths; at most a few chunks per worker are
in flight, so memory stays flat however many files there are, and each record can be written
before the next chunk is even listed.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from platedigits.errors import PlateDigitsError

#: Record fields, in the order they are written (CSV columns).
RECORD_FIELDS: tuple[str, ...] = ("path", "text", "confidence", "error")


@dataclass(frozen=True)
class _Job:
    model_path: str | None
    mode: str


_worker_model: Any = None
_worker_job: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _worker_model, _worker_job
    from platedigits._cv import cv2
    from platedigits.model import load_model

    # Parallelism comes from the processes; OpenCV's own threads would only fight over cores.
    cv2.setNumThreads(1)
    _worker_model = load_model(job.model_path)
    _worker_job = job


def _read_chunk(paths: list[str]) -> list[dict[str, Any]]:
    assert _worker_model is not None and _worker_job is not None
    records = []
    for path in paths:
        try:
            reading = _worker_model.read(path, mode=_worker_job.mode)
        except PlateDigitsError as exc:
            records.append({"path": path, "text": "", "confidence": None, "error": str(exc)})
        except Exception as exc:  # never let one odd file end a batch of a million
            records.append(
                {
                    "path": path,
                    "text": "",
                    "confidence": None,
                    "error": f"{path}: {type(exc).__name__}: {exc}",
                }
            )
        else:
            records.append(
                {
                    "path": path,
                    "text": reading.text,
                    "confidence": reading.confidence,
                    "error": None,
                }
            )
    return records


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
    chunk_size: int = 256,
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
    """
    job = _Job(model_path=None if model_path is None else os.fspath(model_path), mode=mode)
    from platedigits.model import load_model

    load_model(job.model_path)  # fail early, in this process, with the model's own message
    names = (os.fspath(p) for p in paths)
    if workers <= 1:
        _init_worker(job)
        for chunk in _chunks(names, chunk_size):
            yield from _read_chunk(chunk)
        return
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    with context.Pool(workers, initializer=_init_worker, initargs=(job,)) as pool:
        pending: deque[Any] = deque()
        chunks = _chunks(names, chunk_size)
        for chunk in chunks:
            pending.append(pool.apply_async(_read_chunk, (chunk,)))
            if len(pending) >= 2 * workers:
                break
        while pending:
            records = pending.popleft().get()
            next_chunk = next(chunks, None)
            if next_chunk is not None:
                pending.append(pool.apply_async(_read_chunk, (next_chunk,)))
            yield from records


def relative_record(record: dict[str, Any], root: Path) -> dict[str, Any]:
    """The record with ``path`` relative to ``root``, with ``/`` separators."""
    path = Path(record["path"])
    try:
        shown = path.relative_to(root).as_posix()
    except ValueError:
        shown = path.as_posix()
    return {**record, "path": shown}
