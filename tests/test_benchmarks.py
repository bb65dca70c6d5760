"""The benchmark scripts still run: each on a small selection, timings not looked at.

Benchmarks are run by hand, not by CI, so a change to the package can break one
unnoticed (``transform_time.py`` once called a cache method the package had dropped).
``run.py`` also checks every gradient it times (the hand-written one against finite
differences, s2sgrad's against the hand-written one), so its exit status means something.
"""

import os
import pathlib
import subprocess
import sys
from typing import List

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run_benchmark(script: str, *arguments: str) -> str:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "S2SGRAD_CACHE": "off"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def memory_row(out: str, workload: str) -> List[str]:
    """The cells of ``workload``'s row in the peak-memory table."""
    table = out.split("Peak memory of one gradient call")[1]
    row = next(line for line in table.splitlines() if line.startswith(f"| {workload} |"))
    return [cell.strip() for cell in row.strip("|").split("|")]


@pytest.mark.parametrize("workload", ["horner_30", "logistic_1000x20"])
def test_run_checks_and_times_one_workload(workload: str) -> None:
    out = run_benchmark("run.py", "--quick", "--only", workload)
    assert f"| {workload} |" in out
    assert "wrapper overhead per call" in out
    # The peak-memory table: f, hand, s2sgrad, unwrapped and autograd (when installed) in KiB, then the
    # ratio and the bound's mark. Only sanity: values are numbers >= 0 (or a dash where not measured).
    name, *peaks, ratio, mark = memory_row(out, workload)
    assert name == workload
    assert all(float(peak) >= 0.0 for peak in peaks[:4])
    assert peaks[4] == "-" or float(peaks[4]) >= 0.0
    assert ratio == "-" or float(ratio) >= 0.0
    assert mark in ("yes", "NO", "-")


def test_transform_time_on_two_cases() -> None:
    out = run_benchmark("transform_time.py", "--repeats", "1", "--cases", "branches", "broadcasting")
    assert "2 golden cases, reverse mode" in out
    assert "p50" in out


def test_disk_cache_time_fills_and_loads() -> None:
    out = run_benchmark("disk_cache_time.py", "--processes", "1", "--cases", "branches", "broadcasting")
    assert "each measuring process loaded 2 and stored 0" in out
