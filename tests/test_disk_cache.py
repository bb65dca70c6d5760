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
import types

import numpy
import pytest
from gradcheck import numeric_difference

import s2sgrad
from s2sgrad import disk_cache, pipeline
from s2sgrad.parse.resolve import MISSING

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
from s2sgrad import disk_cache, pipeline
from s2sgrad.parse.resolve import MISSING
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


def started(directory: pathlib.Path, cache: pathlib.Path, runner: str = RUNNER, **env: str) -> subprocess.Popen:
    """A process running ``runner`` on the module in ``directory``, with the disk cache in ``cache``."""
    environment = {**os.environ, "S2SGRAD_CACHE_DIR": str(cache), "PYTHONDONTWRITEBYTECODE": "1", **env}
    if "S2SGRAD_CACHE" not in env:
        environment.pop("S2SGRAD_CACHE", None)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), environment.get("PYTHONPATH", "")])
    command = [sys.executable, "-c", runner, str(directory)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)


def run(directory: pathlib.Path, cache: pathlib.Path, runner: str = RUNNER, **env: str) -> dict:
    """What one process printed."""
    process = started(directory, cache, runner, **env)
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
    work = _imported(directory, f"work_{id(result)}")
    versions = [lambda: None, lambda: setattr(work, "SCALE", 3.0), lambda: setattr(work, "helper", work.other)]
    for change, gradient in zip(versions, result["gradients"]):
        change()
        for index in (0, 1):
            expected = numeric_difference(work.f, POINT, index, 1.0)
            assert abs(gradient[index] - expected.value) <= expected.error, (index, gradient, expected)


def _imported(directory: pathlib.Path, name: str) -> types.ModuleType:
    """The module ``work.py`` in ``directory``, imported afresh as ``name`` (its own imports found there too)."""
    sys.path.insert(0, str(directory))
    try:
        spec = importlib.util.spec_from_file_location(name, directory / "work.py")
        work = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(work)
    finally:
        sys.path.remove(str(directory))
    return work


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


LAZY = """
def __getattr__(name):  # a module attribute no module dict holds
    if name == "RATE":
        return 0.5
    raise AttributeError(name)
"""

CLOSURE_MODULE = """
import numpy as np

import lazy

LABEL = None


def helper(a, n):
    return sum(a ** i for i in range(n))


def make(k):
    def inner(x, y, mode="sum"):
        if LABEL is None:
            x = x * k
        return helper(x, 3) * y + lazy.RATE * np.sin(x * y)

    return inner


f = make(1.5)
"""

PLAIN_RUNNER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import s2sgrad, work
from s2sgrad import disk_cache, pipeline
from s2sgrad.parse.resolve import MISSING
gradient = s2sgrad.grad(work.f, wrt=(0, 1))(0.3, 1.2)
print(json.dumps({"gradients": [list(map(float, gradient))], **disk_cache.counts}))
"""


def test_closure_cells_module_getattr_and_constants_are_described_and_loaded(tmp_path):
    """A closure cell, an attribute a module's ``__getattr__`` answers, a None global, a str default and a
    callee holding a generator's code: each described on disk, checked and found again by a second process."""
    directory, cache = module_in(tmp_path, CLOSURE_MODULE), tmp_path / "cache"
    (directory / "lazy.py").write_text(textwrap.dedent(LAZY))
    first = run(directory, cache, runner=PLAIN_RUNNER)
    second = run(directory, cache, runner=PLAIN_RUNNER)
    assert first["stored"] >= 2 and first["loaded"] == 0
    assert second["loaded"] == first["stored"] and second["stored"] == 0
    work = _imported(directory, "closure")
    sys.modules.pop("lazy")  # imported by the line above: not this process's to keep
    for result in (first, second):
        for index in (0, 1):
            expected = numeric_difference(work.f, POINT, index, 1.0)
            assert abs(result["gradients"][0][index] - expected.value) <= expected.error, (index, result)


SET_MODULE = """
def g(x, name):
    scale = sum(1.0 for _ in range(3))  # a generator: a code object among g's constants
    return x * scale if name in {"alpha", "beta", "gamma", "delta"} else x
"""


def test_a_code_digest_is_the_same_whatever_the_string_hashes(tmp_path):
    """A set's constant (a frozenset) iterates in string-hash order, which differs between processes."""
    directory = module_in(tmp_path, SET_MODULE)
    command = f"import sys; sys.path.insert(0, {str(directory)!r}); import work; from s2sgrad import disk_cache; "
    command += "print(disk_cache.code_digest(work.g.__code__))"
    digests = set()
    for seed in ("1", "2", "3"):
        environment = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONDONTWRITEBYTECODE": "1"}
        environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), environment.get("PYTHONPATH", "")])
        out = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, env=environment)
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    edited = _imported(module_in(tmp_path, SET_MODULE.replace('"delta"', '"epsilon"')), "edited_set")
    assert disk_cache.code_digest(edited.g.__code__) not in digests  # the set's contents still count


def test_the_cache_directory_falls_back_to_xdg_then_home(chosen_directory, monkeypatch, tmp_path):
    disk_cache._directory.clear()
    monkeypatch.delenv("S2SGRAD_CACHE", raising=False)
    monkeypatch.delenv("S2SGRAD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert disk_cache.cache_dir() == tmp_path / "xdg" / "s2sgrad"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert disk_cache.cache_dir() == tmp_path / "home" / ".cache" / "s2sgrad"


def test_what_cannot_be_described_gives_no_key_and_no_description():
    assert disk_cache.entry_key(_cube, (s2sgrad.kinds.kind_of(_cube),)) is None  # a kind holding a function
    assert disk_cache.entry_key(_cube, (object(),)) is None
    with pytest.raises(disk_cache.Uncacheable):
        disk_cache.describe(types.ModuleType("not_imported"))  # another process cannot import it
    with pytest.raises(disk_cache.Uncacheable):
        disk_cache.describe(object())  # known only by identity
    assert disk_cache.describe(None) == disk_cache.describe(None) != disk_cache.describe("None")
    assert disk_cache.importable_name(lambda x: x) is None
    assert disk_cache.importable_name(numpy.sin) == "numpy:sin"


def test_a_ufunc_without_a_module_is_known_by_its_name_in_numpy(monkeypatch):
    # NumPy 1.x's ufuncs have no __module__ (NumPy 2's do); one made by frompyfunc has none either
    made = numpy.frompyfunc(max, 2, 1)
    assert not hasattr(made, "__module__")
    assert disk_cache.importable_name(made) is None  # numpy has nothing by its name: known only by identity
    monkeypatch.setattr(numpy, made.__name__, made, raising=False)
    assert disk_cache.importable_name(made) == f"numpy:{made.__name__}"
    assert disk_cache.describe(made) == ["object", f"numpy:{made.__name__}"]


def _with_cells():
    early = _cube

    def inner(x):
        return early(x) * later(x)

    found = disk_cache.found_at(["cell", "later"], inner)[2]  # not bound yet
    later = _tanh_square
    return inner, found


def test_reads_are_found_again_where_they_were_read():
    inner, unbound = _with_cells()
    assert unbound is MISSING
    for name, value in (("early", _cube), ("later", _tanh_square)):
        cell = inner.__closure__[inner.__code__.co_freevars.index(name)]
        place = disk_cache.place_of(cell, None, inner)
        assert place == ["cell", name] and disk_cache.found_at(place, inner) == (cell, None, value)
    with pytest.raises(disk_cache.Uncacheable):
        disk_cache.place_of(inner.__closure__[0], None, _cube)  # another function's cell
    place = disk_cache.place_of(numpy, "sin", inner)  # as for an attribute a module's __getattr__ answers
    assert place == ["module", "numpy", "sin"] and disk_cache.found_at(place, inner) == (numpy, "sin", numpy.sin)
    unimported = types.ModuleType("not_imported")
    for where in (unimported, vars(unimported)):
        with pytest.raises(disk_cache.Uncacheable):
            disk_cache.place_of(where, "x", inner)


def test_with_the_cache_off_nothing_is_read_or_written(chosen_directory):
    s2sgrad.set_cache_dir(None)
    disk_cache.write("ab" * 32, {"reads": [], "calls": []})
    assert disk_cache.read("ab" * 32) == []


def test_a_disk_that_cannot_be_written_loses_the_entry_not_the_gradient(tmp_path, chosen_directory):
    blocked = tmp_path / "file"
    blocked.write_text("")
    s2sgrad.set_cache_dir(str(blocked))  # a file where the directory should be: mkdir fails
    disk_cache.write("ab" * 32, {"reads": [], "calls": []})
    s2sgrad.set_cache_dir(str(tmp_path / "cache"))
    key = "cd" * 32
    disk_cache._path(key).mkdir(parents=True)  # a directory where the entry goes: the rename fails
    before = dict(disk_cache.counts)
    disk_cache.write(key, {"reads": [], "calls": []})
    assert disk_cache.counts == before
    assert [p.name for p in (tmp_path / "cache").rglob("*")] == ["v1", "cd", f"{key}.json"]  # no temporary left


def test_a_callee_compiled_differently_now_is_not_replayed(tmp_path):
    """helper's source is the same, but the function it calls is not: f's entry (whose reads all match) was
    compiled against helper's old generated code, so f is compiled again."""
    directory, cache = module_in(tmp_path, MODULE.replace("np.sin(a)", "OP(a)") + "\nOP = np.sin\n"), tmp_path / "cache"
    run(directory, cache)
    edited = module_in(tmp_path, MODULE.replace("np.sin(a)", "OP(a)") + "\nOP = np.cos\n")
    result = run(edited, cache)
    assert result["stored"] >= 2  # helper's gradient, and f's
    check_gradients(edited, result)


def test_a_callee_default_changed_is_not_replayed(tmp_path):
    """f's code spells the keyword-only default of the helper it calls (2.0): a process where it is 5.0 (the
    helper's code is the same, its defaults are not) compiles f again rather than load code passing 2.0."""
    keyword_only = MODULE.replace("def helper(a, b):", "def helper(a, b, *, c=2.0):").replace("* a * a", "* a * a * c")
    run(module_in(tmp_path, keyword_only), tmp_path / "cache")
    edited = module_in(tmp_path, keyword_only.replace("c=2.0", "c=5.0"))
    result = run(edited, tmp_path / "cache")
    assert result["stored"] >= 2  # helper's gradient, and f's
    check_gradients(edited, result)


def test_an_entry_that_cannot_be_followed_now_is_not_loaded():
    """Recorded reads or imports this process cannot find: no code is loaded (the caller compiles instead)."""
    bare = {"reads": [], "calls": [], "injected": {}, "callees": [], "texts": []}
    gone_read = {**bare, "reads": [[["module", "s2sgrad_not_imported", "x"], ["missing"]]]}
    gone_import = {**bare, "injected": {"helper": ["import", "s2sgrad_not_imported:helper"]}}
    for entry in (gone_read, gone_import):
        assert pipeline._loaded(_cube, entry, "reverse") is None
    with pytest.raises(disk_cache.Uncacheable):
        pipeline._injected_record(object(), [])  # an object known only by identity is not stored
