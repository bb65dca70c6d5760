"""Golden files: the generated source is pinned, and the pinned source is right.

``pytest --update-golden`` rewrites golden/ from the current output; review the
diff like code. Every golden file is also executed and its gradient checked
against finite differences, so a golden file is both stable and correct.
"""

import ast
import difflib
import inspect
import math

import numpy
import pytest
from golden_cases import golden_cases
from gradcheck import narrowed, numeric_difference

import s2sgrad
from s2sgrad import runtime

CASES = golden_cases()


@pytest.mark.skipif(
    not hasattr(ast, "unparse"), reason="golden files pin ast.unparse's text; astunparse (Python 3.8) adds parentheses"
)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_generated_source_matches_golden(case, update_golden):
    generated = s2sgrad.source(case.func, wrt=case.wrt_spec, args=case.args)
    if update_golden:
        case.golden_path.parent.mkdir(parents=True, exist_ok=True)
        case.golden_path.write_text(generated)
    assert case.golden_path.exists(), f"no golden file {case.golden_path.name}: pytest --update-golden writes it"
    expected = case.golden_path.read_text()
    if generated != expected:
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), generated.splitlines(True), "golden", "generated")
        )
        pytest.fail(
            f"generated source differs from {case.golden_path.name} (pytest --update-golden rewrites it):\n{diff}"
        )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_source_computes_the_gradient(case):
    namespace = dict(case.namespace)
    namespace.update(inspect.getclosurevars(case.func).nonlocals)  # a closure's cells, as the compiler binds them
    namespace.update({k: v for k, v in vars(runtime).items() if not k.startswith("_")})
    namespace.update(numpy=numpy, math=math)
    exec(compile(case.golden_path.read_text(), str(case.golden_path), "exec"), namespace)
    gradient_fn = namespace[f"grad_{case.func.__name__}"]
    grads = gradient_fn(*case.args)
    grads = grads if len(case.wrt) > 1 else (grads,)
    params = list(case.func.__code__.co_varnames[: case.func.__code__.co_argcount])
    rng = numpy.random.default_rng(0)
    for name, g in zip(case.wrt, grads):
        index = params.index(name)
        for key, part in _parts(case.args[index]):  # each array of a dict or tuple argument on its own
            direction = rng.standard_normal(numpy.shape(part))
            direction = float(direction) if isinstance(part, float) else direction
            func, args = (case.func, case.args) if key is None else narrowed(case.func, case.args, index, key)
            expected = numeric_difference(func, args, index, direction)
            actual = float(numpy.sum(numpy.asarray(g if key is None else g[key]) * direction))
            assert abs(actual - expected.value) <= expected.error, (name, key, actual, expected)


def _parts(value):
    """``(key, array)`` for each part of a dict argument; ``(None, value)`` for anything else."""
    return list(value.items()) if isinstance(value, dict) else [(None, value)]


def test_every_example_has_a_golden_case():
    examples = {c.name for c in CASES if c.module_path.parent.name == "examples"}
    from golden_cases import ROOT

    assert {p.stem for p in (ROOT / "examples").glob("*.py")} <= examples


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_files_store_only_what_the_reverse_sweep_reads(case):
    """No range index is pushed; each popped value is read (after the pop, or in the loop's next turn)."""
    tree = ast.parse(case.golden_path.read_text())
    function = tree.body[0]
    range_indices = {
        loop.target.id
        for loop in ast.walk(tree)
        if isinstance(loop, ast.For)
        and isinstance(loop.iter, ast.Call)
        and getattr(loop.iter.func, "id", "") == "range"
    }
    pushes = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and getattr(c.func, "attr", "") == "append"]
    assert not {p.args[0].id for p in pushes} & range_indices, "a range loop index is pushed"
    pops = {}
    for loop, stmt in _statements_with_blocks(function.body, None):
        if isinstance(stmt, ast.Assign) and getattr(getattr(stmt.value, "func", None), "attr", "") == "pop":
            pops[stmt] = loop
    assert {p.func.value.id for p in pushes} == {p.value.func.value.id for p in pops}
    for pop, loop in pops.items():
        var = pop.targets[0].id
        scope = loop.body if loop is not None else function.body
        reads = [n for s in scope for n in ast.walk(s) if isinstance(n, ast.Name) and n.id == var]
        reads = [n for n in reads if isinstance(n.ctx, ast.Load) and (loop is not None or n.lineno > pop.lineno)]
        assert reads, f"{var} is popped but never read"


def _statements_with_blocks(body, loop):
    """Every statement with its innermost enclosing loop."""
    for stmt in body:
        yield loop, stmt
        inner = stmt if isinstance(stmt, (ast.For, ast.While)) else loop
        for field in ("body", "orelse"):
            yield from _statements_with_blocks(getattr(stmt, field, []), inner)
