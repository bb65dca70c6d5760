"""The first call of a gradient in a new process, when the disk cache has its generated code.

Run from the repository root::

    python benchmarks/disk_cache_time.py              # 3 measuring processes
    python benchmarks/disk_cache_time.py --processes 5

A first process fills a fresh cache directory with the gradients of the golden cases
(tests/golden_cases.py); each measuring process then imports s2sgrad and the cases
(not timed) and times the first call of ``s2sgrad.grad(f, wrt)(*args)`` for every
case: the process's very first call, which also reads the compiler's fingerprint
and builds the rule table, apart from the rest. A full garbage collection runs
before each call, so a collection the imports left due is not charged to a case.
Wall-clock time (the minimum over the processes) and CPU time (the median).
"""

import argparse
import contextlib
import gc
import io
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from typing import List, Optional

ROOT = pathlib.Path(__file__).resolve().parent.parent


def child(names: Optional[List[str]]) -> None:
    """Time the first call of each case's gradient (of the ``names`` cases, if given) in this process; print JSON."""
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]
    from golden_cases import golden_cases

    import s2sgrad
    from s2sgrad import disk_cache

    times = {}
    for case in [c for c in golden_cases() if not names or c.name in names]:
        gradient = s2sgrad.grad(case.func, wrt=case.wrt_spec)
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # a case that prints would break the JSON below
                gradient(*case.args)
        except Exception:  # a case whose output is not a scalar: source() only
            continue
        times[case.name] = (time.perf_counter() - wall, time.process_time() - cpu)
    print(json.dumps({"times": times, **disk_cache.counts}))


def run(cache: str, names: Optional[List[str]]) -> dict:
    environment = {**os.environ, "S2SGRAD_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    environment.pop("S2SGRAD_CACHE", None)
    command = [sys.executable, __file__, "--child", *(["--cases", *names] if names else [])]
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--cases", nargs="+", metavar="NAME", help="only these golden cases")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.cases)
        return
    with tempfile.TemporaryDirectory(prefix="s2sgrad-cache-") as cache:
        filled = run(cache, options.cases)
        runs = [run(cache, options.cases) for _ in range(options.processes)]
    names = list(filled["times"])
    print(f"{len(names)} golden cases; the filling process stored {filled['stored']} entries")
    print(f"each measuring process loaded {runs[0]['loaded']} and stored {runs[0]['stored']}")
    first = names[0]
    walls = [min(r["times"][n][0] for r in runs) * 1e3 for n in names[1:]]
    cpus = [statistics.median(r["times"][n][1] for r in runs) * 1e3 for n in names[1:]]
    very_first = min(r["times"][first][0] for r in runs) * 1e3
    very_first_cpu = statistics.median(r["times"][first][1] for r in runs) * 1e3
    compiled = statistics.median(filled["times"][n][0] for n in names[1:]) * 1e3
    print(f"the process's very first call ({first}): {very_first:.2f} ms (CPU {very_first_cpu:.2f} ms)")
    print(
        f"other first calls: wall p50 {statistics.median(walls):.2f} ms, max {max(walls):.2f} ms; CPU p50 "
        f"{statistics.median(cpus):.2f} ms, max {max(cpus):.2f} ms"
    )
    print(f"(without the disk cache, the filling process: first call p50 {compiled:.1f} ms)")
    slowest = sorted(zip(cpus, names[1:]), reverse=True)[:3]  # loading, and running the gradient once
    print("slowest first calls (CPU):", ", ".join(f"{n} {t:.1f} ms" for t, n in slowest))


if __name__ == "__main__":
    main()
