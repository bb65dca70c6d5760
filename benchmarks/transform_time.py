"""How long s2sgrad takes to transform a function: p50/p95 over the golden cases.

Run from the repository root::

    python benchmarks/transform_time.py            # reverse mode, 3 repeats per case
    python benchmarks/transform_time.py --mode forward --repeats 5
    python benchmarks/transform_time.py --profile  # cProfile of one pass over all cases, top 40

Each case (tests/golden_cases.py) is compiled as ``s2sgrad.source`` compiles it:
the whole pipeline, generated text compiled to a function, in a fresh function
object with the in-memory cache cleared, so its callees are compiled again too.
The persistent cache is switched off, so this times the compiler itself. The
first transform in a process also pays one-time costs (imports, the rule table,
parsing rule templates): it is timed once, apart, before the others.
"""

import argparse
import cProfile
import os
import pathlib
import pstats
import statistics
import sys
import time
import types
from typing import Callable, List, Tuple

os.environ["S2SGRAD_CACHE"] = "off"  # time the compiler, not the disk
ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from golden_cases import GoldenCase, golden_cases  # noqa: E402

import s2sgrad  # noqa: E402
from s2sgrad.cache import CACHE  # noqa: E402


def fresh_copy(func: Callable) -> Callable:
    """A new function object with ``func``'s code: a cache keyed by function object misses it."""
    copy = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
    copy.__kwdefaults__ = func.__kwdefaults__
    return copy


def transform(case: GoldenCase, mode: str) -> Tuple[float, float]:
    """Seconds to compile ``case`` from scratch (its callees too): wall-clock time and this process's CPU time."""
    CACHE.clear()
    func = fresh_copy(case.func)
    wall, cpu = time.perf_counter(), time.process_time()
    s2sgrad.source(func, wrt=case.wrt_spec, args=case.args, mode=mode)
    return time.perf_counter() - wall, time.process_time() - cpu


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("reverse", "forward"), default="reverse")
    parser.add_argument("--repeats", type=int, default=3, help="transforms per case; the median is kept")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one pass instead")
    parser.add_argument("--slowest", type=int, default=5, help="how many of the slowest cases to list")
    parser.add_argument("--cases", nargs="+", metavar="NAME", help="only these golden cases")
    options = parser.parse_args()
    cases = [c for c in golden_cases() if not options.cases or c.name in options.cases]
    first = transform(cases[0], options.mode)
    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for case in cases:
            transform(case, options.mode)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
        return
    runs = {c.name: [transform(c, options.mode) for _ in range(options.repeats)] for c in cases}
    print(f"{len(cases)} golden cases, {options.mode} mode, median of {options.repeats} transforms each")
    print(f"first transform in the process ({cases[0].name}): {first[0] * 1e3:.1f} ms (CPU {first[1] * 1e3:.1f} ms)")
    for i, clock in enumerate(("wall-clock", "CPU")):  # CPU time: what the compiler costs on a busy machine too
        times = {name: statistics.median(r[i] for r in rs) * 1e3 for name, rs in runs.items()}
        print(
            f"{clock:>10}: p50 {percentile(list(times.values()), 0.5):.1f} ms   "
            f"p95 {percentile(list(times.values()), 0.95):.1f} ms   max {max(times.values()):.1f} ms"
        )
    cpu = {name: statistics.median(r[1] for r in rs) * 1e3 for name, rs in runs.items()}
    print(
        "slowest (CPU):",
        ", ".join(f"{n} {t:.1f} ms" for n, t in sorted(cpu.items(), key=lambda i: -i[1])[: options.slowest]),
    )


if __name__ == "__main__":
    main()
