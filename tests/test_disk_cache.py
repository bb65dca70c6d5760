"""The persistent cache: a second process loads generated code from disk, and never stale code.

Each process here is a real one (``subprocess``): it imports a module written to a
temporary directory, differentiates its function, and prints the gradients and how
many entries it loaded and stored. Gradients are checked against finite differences
of the module as this process imports it. The cache directory is the test's own.
"""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy
import pytest
from gradcheck import numeric_difference

import s2sgrad
from s2sgrad import disk_cache

ROOT = pathlib.Path(__file__).resolve().parent.parent

MODULE = """
import numpy as np

SCALE = 2.0


def helper(a, b):
    return np.sin(a) * b + SCALE * a * a


def f(x, y):
    s = 0.0
    for i in range(3):
        s = s + helper(x, y) * i
    return s + np.exp(x * y)


def other(a, b):
    return a * b * b
"""

# What a process does: the gradient as loaded (or compiled); then, in the same process, after a data
# global changes value (read live), and after the called function is replaced (a guard recompiles).
RUNNER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import s2sgrad, work
from s2sgrad import disk_cache
gradient = s2sgrad.grad(work.f, wrt=(0, 1))
first = gradient(0.3, 1.2)
counts = dict(disk_cache.counts)
work.SCALE = 3.0
scaled = gradient(0.3, 1.2)
work.helper = work.other
replaced = gradient(0.3, 1.2)
print(json.dumps({"gradients": [list(map(float, g)) for g in (first, scaled, replaced)], **counts}))
"""

POINT = (0.3, 1.2)


def started(directory: pathlib.Path, cache: pathlib.Path, **env: str) -> subprocess.Popen:
    """A process running RUNNER on the module in ``directory``, with the disk cache in ``cache``."""
    environment = {**os.environ, "S2SGRAD_CACHE_DIR": str(cache), "PYTHONDONTWRITEBYTECODE": "1", **env}
    if "S2SGRAD_CACHE" not in env:
        environment.pop("S2SGRAD_CACHE", None)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), environment.get("PYTHONPATH", "")])
    command = [sys.executable, "-c", RUNNER, str(directory)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)


def run(directory: pathlib.Path, cache: pathlib.Path, **env: str) -> dict:
    """What one process printed."""
    process = started(directory, cache, **env)
    out, err = process.communicate()
    assert process.returncode == 0, err
    return json.loads(out)


def module_in(tmp_path: pathlib.Path, text: str = MODULE) -> pathlib.Path:
    directory = tmp_path / "module"
    directory.mkdir(exist_ok=True)
    (directory / "work.py").write_text(textwrap.dedent(text))
    return directory


def check_gradients(directory: pathlib.Path, result: dict) -> None:
    """The three gradients a run printed, against finite differences of the three versions of the function."""
    spec = importlib.util.spec_from_file_location(f"work_{id(result)}", directory / "work.py")
    work = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(work)
    versions = [lambda: None, lambda: setattr(work, "SCALE", 3.0), lambda: setattr(work, "helper", work.other)]
    for change, gradient in zip(versions, result["gradients"]):
        change()
        for index in (0, 1):
            expected = numeric_difference(work.f, POINT, index, 1.0)
            assert abs(gradient[index] - expected.value) <= expected.error, (index, gradient, expected)


def entries(cache: pathlib.Path) -> list:
    return sorted(cache.rglob("*.json"))


def test_a_second_process_loads_the_gradient_from_disk(tmp_path):
    directory, cache = module_in(tmp_path), tmp_path / "cache"
    first = run(directory, cache)
    assert first["loaded"] == 0 and first["stored"] >= 2  # f and the gradient of helper, at least
    second = run(directory, cache)
    assert second["loaded"] == first["stored"] and second["stored"] == 0
    check_gradients(directory, first)
    check_gradients(directory, second)  # the guards of loaded code hold as a compilation's do


def test_an_edited_callee_is_compiled_again(tmp_path):
    directory, cache = module_in(tmp_path), tmp_path / "cache"
    run(directory, cache)
    edited = module_in(tmp_path, MODULE.replace("SCALE * a * a", "SCALE * a * a * a"))
    result = run(edited, cache)
    assert result["stored"] >= 2  # helper's gradient, and f's, which calls it
    check_gradients(edited, result)


def test_a_changed_global_kind_is_compiled_again(tmp_path):
    directory, cache = module_in(tmp_path), tmp_path / "cache"
    run(directory, cache)
    result = run(module_in(tmp_path, MODULE.replace("SCALE = 2.0", "SCALE = 2")), cache)  # an int now
    assert result["stored"] >= 1
    check_gradients(directory, result)


def test_corrupt_and_truncated_entries_are_ignored_and_written_again(tmp_path):
    directory, cache = module_in(tmp_path), tmp_path / "cache"
    first = run(directory, cache)
    stored = entries(cache)
    stored[0].write_bytes(stored[0].read_bytes()[:100])  # truncated
    for damaged in stored[1:]:  # valid JSON, changed contents: the checksum tells
        outer = json.loads(damaged.read_text())
        outer["payload"] = outer["payload"].replace("{", "{ ", 1)
        damaged.write_text(json.dumps(outer))
    result = run(directory, cache)
    assert result["stored"] == first["stored"] and result["loaded"] == 0  # the first gradient: all compiled again
    check_gradients(directory, result)
    assert all(disk_cache.read(path.stem, cache) != [] for path in entries(cache))


def test_concurrent_processes_share_the_cache_without_corrupting_it(tmp_path):
    directory, cache = module_in(tmp_path), tmp_path / "cache"
    processes = [started(directory, cache) for _ in range(4)]
    for process in processes:
        out, err = process.communicate()
        assert process.returncode == 0, err
        check_gradients(directory, json.loads(out))
    assert entries(cache) and all(disk_cache.read(p.stem, cache) != [] for p in entries(cache))
    assert not [p for p in cache.rglob("*") if p.is_file() and p.suffix != ".json"]  # no temporary file left
    after = run(directory, cache)  # a racing writer may have dropped another's variant: then stored again
    assert after["loaded"] >= 1
    check_gradients(directory, after)


def test_a_registered_rule_turns_the_cache_off_for_the_process(tmp_path, chosen_directory, monkeypatch):
    """A user's rule is a function of this process: code compiled with one is not written, nor loaded."""
    monkeypatch.setattr(s2sgrad.default_rules(), "registered", 1)
    s2sgrad.set_cache_dir(str(tmp_path / "chosen"))
    s2sgrad.source(_tanh_square, args=(0.5,))
    assert not (tmp_path / "chosen").exists()


def test_the_environment_turns_the_cache_off(tmp_path):
    directory, cache = module_in(tmp_path), tmp_path / "cache"
    result = run(directory, cache, S2SGRAD_CACHE="off")
    assert result["stored"] == 0 and not cache.exists()
    check_gradients(directory, result)


@pytest.fixture
def chosen_directory():
    yield
    disk_cache._directory.clear()  # back to the environment's choice


def test_set_cache_dir_chooses_the_directory_and_none_turns_it_off(tmp_path, chosen_directory, monkeypatch):
    monkeypatch.setattr(s2sgrad.default_rules(), "registered", 0)  # as in a process without user rules
    s2sgrad.set_cache_dir(str(tmp_path / "chosen"))
    assert s2sgrad.cache_dir() == tmp_path / "chosen"
    s2sgrad.source(_tanh_square, args=(0.5,))
    assert entries(tmp_path / "chosen")
    s2sgrad.set_cache_dir(None)
    assert s2sgrad.cache_dir() is None
    before = dict(disk_cache.counts)
    s2sgrad.source(_cube, args=(0.5,))
    assert disk_cache.counts == before


def _tanh_square(x):
    return numpy.tanh(x) ** 2


def _cube(x):
    return x * x * x
