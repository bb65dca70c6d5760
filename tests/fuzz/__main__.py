"""``python -m tests.fuzz --programs 10000 --seed 0 --family all``: the differential fuzzer's command."""

import argparse
import sys
from typing import List, Optional

from .generate import FAMILIES
from .run import run


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--programs", type=int, default=1000, help="programs per family")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--family",
        default="all",
        help=f"comma-separated families among {', '.join(FAMILIES)}, or 'each' for all of them",
    )
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per gradient call before a hang")
    parser.add_argument("--failures", default="/tmp/fuzz-failures", help="directory for the repro of each failure")
    options = parser.parse_args(argv)
    families = list(FAMILIES) if options.family == "each" else options.family.split(",")
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        parser.error(f"unknown families {unknown}; choose among {', '.join(FAMILIES)}")
    summary = run(
        families, options.programs, options.seed, options.jobs, options.timeout, options.failures, progress=True
    )
    print(summary.report())
    if summary.failures:
        print(f"\n{len(summary.failures)} failures saved as {options.failures}/<family>-<index>.py (each runs alone)")
    return 1 if summary.failures or summary.stalled else 0


if __name__ == "__main__":
    sys.exit(main())
