"""Helpers shared by the benchmarks: finding the data, building big folders, timing, models.

Benchmarks compare against a baseline measured in the same run (the machine is shared and
noisy), interleave the two, and report medians.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def real_digits(path: str | None) -> Path:
    """The labelled folder of real crops: the argument, $PLATEDIGITS_REAL_DATA/digits-cn, or
    ../shared/data/digits-cn beside the checkout."""
    candidates = [path]
    if os.environ.get("PLATEDIGITS_REAL_DATA"):
        candidates.append(str(Path(os.environ["PLATEDIGITS_REAL_DATA"]) / "digits-cn"))
    candidates.append(str(REPO.parent / "shared" / "data" / "digits-cn"))
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    sys.exit("no data: pass the digits folder or set PLATEDIGITS_REAL_DATA")


def image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".png" and p.is_file())


def make_copies(source: Path, target: Path, n: int, *, per_folder: int = 1000) -> list[Path]:
    """Fill ``target`` with ``n`` hard links (copies where links fail) of the images under
    ``source``, ``per_folder`` to a sub-folder, and return their paths in sorted order."""
    files = image_files(source)
    if not files:
        sys.exit(f"{source}: no PNG files")
    made = []
    for i in range(n):
        folder = target / f"{i // per_folder:04d}"
        if i % per_folder == 0:
            folder.mkdir(parents=True, exist_ok=True)
        dest = folder / f"{i:07d}.png"
        try:
            os.link(files[i % len(files)], dest)
        except OSError:
            shutil.copyfile(files[i % len(files)], dest)
        made.append(dest)
    return made


#: Installed packages run from compiled bytecode; a checkout run with PYTHONDONTWRITEBYTECODE
#: (as some CI and sandboxes set) recompiles every platedigits module at each start. Benchmarks
#: let Python cache bytecode, outside the repository, as an installed copy would.
BYTECODE_CACHE = Path(tempfile.gettempdir()) / "platedigits-bench-pycache"


def bench_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(BYTECODE_CACHE)
    env.update(extra or {})
    return env


def run_timed(args: Sequence[str], **kwargs: object) -> float:
    """Wall-clock seconds of one subprocess; its failure ends the benchmark."""
    kwargs.setdefault("env", bench_env())
    started = time.perf_counter()
    result = subprocess.run(list(args), capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stderr[-2000:]}")
    return elapsed


def run_measured(args: Sequence[str], **kwargs: object) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the process and all its workers) of one
    subprocess."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_timed(args, **kwargs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def interleaved(runs: dict[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Run each measurement ``repeats`` times, alternating, so load spikes hit all of them."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(run())
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def benchmark_model(workdir: Path, data: Path) -> Path:
    """The shipped model when there is one, else a model trained here for measuring only."""
    shipped = REPO / "models" / "default.npz"
    if shipped.is_file():
        return shipped
    model = workdir / "bench-model.npz"
    if not model.exists():
        run_timed(
            [PYTHON, "-m", "platedigits", "train", str(data), "--out", str(model), "-q"], cwd=REPO
        )
    return model


def machine() -> str:
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}"
