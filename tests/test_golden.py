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
from gradcheck import narrowed, numeric_difference, numeric_jvp

import s2sgrad
from s2sgrad import runtime

CASES = golden_cases()


@pytest.mark.skipif(
    not hasattr(ast, "unparse"), reason="golden files pin ast.unparse's text; astunparse (Python 3.8) adds parentheses"
)
@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_generated_source_matches_golden(case, mode, update_golden):
    generated = s2sgrad.source(case.func, wrt=case.wrt_spec, args=case.args, mode=mode)
    path = case.golden_path_for(mode)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generated)
    assert path.exists(), f"no golden file {path}: pytest --update-golden writes it"
    expected = path.read_text()
    if generated != expected:
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), generated.splitlines(True), "golden", "generated")
        )
        pytest.fail(f"generated source differs from {path} (pytest --update-golden rewrites it):\n{diff}")


def _run_golden(case, mode):
    """The functions a golden file defines, in the namespace the compiler binds them to."""
    namespace = dict(case.namespace)
    namespace.update(inspect.getclosurevars(case.func).nonlocals)  # a closure's cells, as the compiler binds them
    namespace.update({k: v for k, v in vars(runtime).items() if not k.startswith("_")})
    namespace.update(numpy=numpy, math=math)
    path = case.golden_path_for(mode)
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_forward_source_computes_the_jvp(case):
    """Each forward golden file, run as it is, agrees with finite differences along random tangents."""
    jvp_fn = _run_golden(case, "forward")[f"jvp_{case.func.__name__}"]
    bound = inspect.signature(case.func).bind(*case.args)
    bound.apply_defaults()  # the generated function takes every argument, then the tangents
    params, every = list(bound.arguments), tuple(bound.arguments.values())
    rng = numpy.random.default_rng(0)
    tangents = [_random_tangent(rng, a) if p in case.wrt else None for p, a in zip(params, every)]
    value = jvp_fn(*every, *[v for v in tangents if v is not None])[0]
    assert numpy.allclose(value, case.func(*case.args))
    flat = [(i, key) for i, v in enumerate(tangents) if v is not None for key, _ in _parts(v)]
    for i, key in flat:  # one part at a time, the others still: finite differences move one array
        func, args = (case.func, case.args) if key is None else narrowed(case.func, case.args, i, key)
        direction = tangents[i] if key is None else tangents[i][key]
        only = [None] * len(args)
        only[i] = direction
        expected = numeric_jvp(func, args, only)
        still = [_zero_except(v, j == i, key) for j, v in enumerate(tangents) if v is not None]
        actual = jvp_fn(*every, *still)[1]
        assert numpy.all(numpy.abs(actual - expected.value) <= expected.error), (params[i], key, actual, expected)


def _random_tangent(rng, value):
    if isinstance(value, dict):
        return {k: _random_tangent(rng, v) for k, v in value.items()}
    direction = rng.standard_normal(numpy.shape(value))
    return float(direction) if isinstance(value, float) else direction


def _zero_except(tangent, keep, key):
    """``tangent`` where it moves the one part under test; zeros elsewhere."""
    if isinstance(tangent, dict):
        return {k: v if keep and k == key else v * 0.0 for k, v in tangent.items()}
    return tangent if keep else tangent * 0.0


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_source_computes_the_gradient(case):
    gradient_fn = _run_golden(case, "reverse")[f"grad_{case.func.__name__}"]
    bound = inspect.signature(case.func).bind(*case.args)
    bound.apply_defaults()  # the generated function takes every argument (*args as one tuple)
    grads = gradient_fn(*bound.arguments.values())
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
    from golden_cases import NO_CASE, ROOT

    declined = {p.stem for p in (ROOT / "examples").glob("*.py") if NO_CASE.search(p.read_text())}
    assert {p.stem for p in (ROOT / "examples").glob("*.py")} - declined <= examples


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_files_store_only_what_the_reverse_sweep_reads(case):
    """No range index is pushed; each popped value is read (after the pop, or in the loop's next turn).

    (A list of vectors whose outer products are summed after a loop is no stack: optimize.outer.)"""
    tree = ast.parse(case.golden_path.read_text())
    function = tree.body[0]
    range_indices = {
        loop.target.id
        for loop in ast.walk(tree)
        if isinstance(loop, ast.For)
        and isinstance(loop.iter, ast.Call)
        and getattr(loop.iter.func, "id", "") == "range"
    }
    calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call)]
    summed = {a.id for c in calls if getattr(c.func, "id", "") == "outer_sum" for a in c.args}
    pushes = [c for c in calls if getattr(c.func, "attr", "") == "append" and c.func.value.id not in summed]
    pushed = [n.id for p in pushes for n in ast.walk(p.args[0]) if isinstance(n, ast.Name)]  # shape_of(t3): t3
    assert not set(pushed) & range_indices, "a range loop index is pushed"
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
