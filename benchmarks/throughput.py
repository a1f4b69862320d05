"""Batch throughput: ``platedigits batch`` against only decoding the same files.

The baseline is the physical limit on this machine: a script that lists the same files and
decodes each with ``cv2.imread`` in a process pool of the same size, doing nothing else. Both
run as fresh processes (start-up, listing and pool included), interleaved, and the medians are
compared. Goal: batch reaches at least 60% of the decode-only rate.

    python benchmarks/throughput.py [DIGITS_DIR] [--n 25000] [--workers N] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    PYTHON,
    REPO,
    bench_env,
    benchmark_model,
    interleaved,
    machine,
    make_copies,
    median,
    real_digits,
    run_measured,
    run_timed,
)

DECODE_ONLY = r"""
import os, sys, multiprocessing
import cv2

def decode(paths):
    cv2.setNumThreads(1)
    for path in paths:
        if cv2.imread(path, cv2.IMREAD_UNCHANGED) is None:
            raise SystemExit(path)
    return len(paths)

if __name__ == "__main__":
    root, workers = sys.argv[1], int(sys.argv[2])
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        paths.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".png"))
    chunks = [paths[i : i + 256] for i in range(0, len(paths), 256)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        done = sum(pool.imap(decode, chunks))
    assert done == len(paths)
"""


#: ``platedigits batch`` as ``python -m platedigits batch`` runs it, then the CPU seconds of this
#: process (listing, writing) and of its workers (reading), for the split per image.
BATCH_CPU_SPLIT = r"""
import json, resource, sys
from platedigits.cli import main
try:
    main(sys.argv[1:], prog_name="platedigits")
finally:
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write(json.dumps({
        "parent": own.ru_utime + own.ru_stime,
        "workers": workers.ru_utime + workers.ru_stime,
        "workers_system": workers.ru_stime,
    }) + "\n")
"""


def cpu_split(batch: list[str], repeats: int) -> dict[str, float]:
    """Median CPU seconds of the batch process and of its workers, over ``repeats`` runs."""
    import json
    import subprocess

    runs: dict[str, list[float]] = {}
    for _ in range(repeats):
        result = subprocess.run(
            [PYTHON, "-c", BATCH_CPU_SPLIT, *batch[3:]],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=bench_env(),
        )
        if result.returncode != 0:
            sys.exit(f"failed: batch\n{result.stderr[-2000:]}")
        for key, value in json.loads(result.stderr.strip().splitlines()[-1]).items():
            runs.setdefault(key, []).append(value)
    return {key: median(values) for key, values in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="labelled folder of crops (digits-cn)")
    parser.add_argument("--n", type=int, default=25_000, help="files in the test folder")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", help="model file (default: shipped, else trained here)")
    args = parser.parse_args()
    data = real_digits(args.data)
    with tempfile.TemporaryDirectory(prefix="platedigits-bench-") as tmp:
        work = Path(tmp)
        folder = work / "crops"
        make_copies(data, folder, args.n)
        model = Path(args.model) if args.model else benchmark_model(work, data)
        script = work / "decode_only.py"
        script.write_text(DECODE_ONLY)
        output = work / "out.jsonl"
        batch = [PYTHON, "-m", "platedigits", "batch", str(folder), "--model", str(model)]
        batch += ["--mode", "auto", "-q", "--output", str(output), "--workers", str(args.workers)]
        # Warm the page cache and both code paths once before measuring.
        run_timed([PYTHON, str(script), str(folder), str(args.workers)])
        cpu: dict[str, list[float]] = {"decode-only": [], "batch": []}

        def measure(name: str, command: list[str], **kwargs: object) -> float:
            wall, seconds = run_measured(command, **kwargs)
            cpu[name].append(seconds)
            return wall

        decode = [PYTHON, str(script), str(folder), str(args.workers)]
        times = interleaved(
            {
                "decode-only": lambda: measure("decode-only", decode),
                "batch": lambda: measure("batch", batch, cwd=REPO),
            },
            args.repeats,
        )
        lines = sum(1 for _ in output.open())
        if lines != args.n:
            sys.exit(f"batch wrote {lines} records for {args.n} files")
        # Not timed: where batch's CPU goes, its own process against its workers.
        split = cpu_split(batch, min(args.repeats, 3))
    decode_rate = args.n / median(times["decode-only"])
    batch_rate = args.n / median(times["batch"])
    pairs = [d / b for d, b in zip(times["decode-only"], times["batch"], strict=True)]
    print(f"machine: {machine()}")
    print(f"files: {args.n} crops from {data}, workers: {args.workers}, repeats: {args.repeats}")
    for name, values in times.items():
        print(f"{name:12s} wall " + "  ".join(f"{v:.2f}s" for v in values))
    for name, values in cpu.items():
        per_image = median(values) / args.n * 1e6
        print(f"{name:12s} CPU per image, all processes: {per_image:.1f} us")
    per_image = {name: seconds / args.n * 1e6 for name, seconds in split.items()}
    print(
        f"batch        CPU per image, split: its own process {per_image['parent']:.1f} us, "
        f"workers {per_image['workers']:.1f} us (system {per_image['workers_system']:.1f} us "
        "of it); start-up included, medians of up to 3 more runs"
    )
    print(f"decode-only (cv2.imread pool): {decode_rate:,.0f} images/s")
    print(f"platedigits batch:             {batch_rate:,.0f} images/s")
    print(
        f"batch / decode-only: {batch_rate / decode_rate:.0%} of medians, "
        f"{median(pairs):.0%} median of pairs (goal: at least 60%)"
    )


if __name__ == "__main__":
    main()
