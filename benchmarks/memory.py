"""Memory: ``platedigits batch`` streams, so its peak memory does not grow with the file count.

Runs batch on N1 and N2 files (hard links of the crops in a temporary folder) and samples,
every 20 ms, the resident memory (VmRSS) of the batch process and of its workers, reporting the
peak of the parent and the peak of the sum. Linux only (reads /proc).

    python benchmarks/memory.py [DIGITS_DIR] [--sizes 10000 100000] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, REPO, bench_env, benchmark_model, machine, make_copies, real_digits


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def peak_memory(args: list[str]) -> tuple[float, float, float]:
    """Seconds, peak parent RSS and peak total RSS (parent + workers) in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=REPO, env=bench_env(), stdout=subprocess.DEVNULL)
    parent_peak = total_peak = 0
    while process.poll() is None:
        parent = rss_kib(process.pid)
        total = parent + sum(rss_kib(c) for c in children(process.pid))
        parent_peak, total_peak = max(parent_peak, parent), max(total_peak, total)
        time.sleep(0.02)
    if process.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}")
    return time.perf_counter() - started, parent_peak / 1024, total_peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="labelled folder of crops (digits-cn)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--model", help="model file (default: shipped, else trained here)")
    args = parser.parse_args()
    data = real_digits(args.data)
    rows = []
    with tempfile.TemporaryDirectory(prefix="platedigits-memory-") as tmp:
        work = Path(tmp)
        model = Path(args.model) if args.model else benchmark_model(work, data)
        for size in args.sizes:
            folder = work / f"crops-{size}"
            make_copies(data, folder, size)
            output = work / f"out-{size}.jsonl"
            command = [PYTHON, "-m", "platedigits", "batch", str(folder), "--model", str(model)]
            command += ["-q", "-o", str(output), "-j", str(args.workers)]
            seconds, parent, total = peak_memory(command)
            rows.append((size, seconds, parent, total))
            # Free the disk before the next, bigger folder.
            subprocess.run(["rm", "-rf", str(folder), str(output)], check=True)
    print(f"machine: {machine()}")
    print(f"workers: {args.workers}; peak resident memory sampled every 20 ms")
    for size, seconds, parent, total in rows:
        print(
            f"{size:>8,} files: {seconds:6.1f} s, peak parent {parent:6.1f} MiB, "
            f"peak parent+workers {total:6.1f} MiB"
        )
    if len(rows) > 1:
        growth = rows[-1][3] / rows[0][3]
        print(f"peak total at {rows[-1][0]:,} vs {rows[0][0]:,} files: x{growth:.2f} (goal: ~1)")


if __name__ == "__main__":
    main()
