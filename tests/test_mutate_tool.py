"""tools/mutate.py: which tests a mutant runs (from a coverage file written in another checkout) and --only."""

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("mutate_tool", ROOT / "tools" / "mutate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mutate = _tool()


def test_coverage_recorded_in_another_checkout_maps_to_this_one(tmp_path: pathlib.Path) -> None:
    coverage = pytest.importorskip("coverage")
    data = coverage.CoverageData(str(tmp_path / ".coverage"))
    elsewhere = "/elsewhere/s2sgrad"  # a checkout whose directory is itself named s2sgrad
    data.set_context("tests/test_a.py::test_x|run")
    data.add_lines({f"{elsewhere}/s2sgrad/rules/operators.py": [3, 4], f"{elsewhere}/tests/test_a.py": [1]})
    data.set_context("tests/test_b.py::test_y|run")
    data.add_lines({f"{elsewhere}/s2sgrad/rules/operators.py": [4], f"{elsewhere}/s2sgrad/api.py": [7]})
    data.write()
    found = mutate.covering_tests(tmp_path / ".coverage")
    assert found == {
        ("s2sgrad/rules/operators.py", 3): {"tests/test_a.py::test_x"},
        ("s2sgrad/rules/operators.py", 4): {"tests/test_a.py::test_x", "tests/test_b.py::test_y"},
    }


def test_only_selects_a_path_or_the_mutants_of_one_line() -> None:
    spanning = mutate.Mutant("s2sgrad/rules/operators.py", 10, 4, 12, 1, "pass", "Return dropped", None)
    assert mutate.selected(spanning, "rules/operators")
    assert mutate.selected(spanning, "rules/operators.py:11")
    assert not mutate.selected(spanning, "rules/operators.py:13")
    assert not mutate.selected(spanning, "transform/sweep.py:10")


def test_a_seed_gives_one_random_order_which_skip_continues() -> None:
    mutants = [mutate.Mutant("s2sgrad/rules/operators.py", n, 0, n, 1, "pass", "Expr dropped", None) for n in range(50)]
    order = mutate.drawn(mutants, 20, seed=3)
    assert len(set(order)) == 20 and order == mutate.drawn(mutants, 20, seed=3)
    assert order != mutants[:20]
    assert mutate.drawn(mutants, None, seed=3) == mutants
