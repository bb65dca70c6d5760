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


@pytest.mark.parametrize("workload", ["horner_30", "logistic_1000x20"])
def test_run_checks_and_times_one_workload(workload: str) -> None:
    out = run_benchmark("run.py", "--quick", "--only", workload)
    assert f"| {workload} |" in out
    assert "wrapper overhead per call" in out


def test_transform_time_on_two_cases() -> None:
    out = run_benchmark("transform_time.py", "--repeats", "1", "--cases", "branches", "broadcasting")
    assert "2 golden cases, reverse mode" in out
    assert "p50" in out


def test_disk_cache_time_fills_and_loads() -> None:
    out = run_benchmark("disk_cache_time.py", "--processes", "1", "--cases", "branches", "broadcasting")
    assert "each measuring process loaded 2 and stored 0" in out
