"""Shape facts (analyze/shapes.py): an ``unbroadcast`` dropped where the summed adjoint provably has the
operand's shape, and a value kept only for its shape read from an array kept anyway (optimize/shapes.py).

Generated code is specialized on kinds, not shapes: every program below is called first with equal
shapes, then, through the same cached specialization, with shapes that broadcast in each direction
(size-1 axes, a missing axis, 0-d arrays, empty arrays), float32 with float64 partners and integer
arrays; each gradient is checked against finite differences.
"""

import ast
import textwrap

import numpy as np
import pytest
from gradcheck import check_grad, check_zero_grad, numeric_difference
from test_passes import context_for

import s2sgrad
from s2sgrad.analyze.shapes import ShapeFacts
from s2sgrad.emit import unparse_tree
from s2sgrad.kinds import SCALAR, Kind
from s2sgrad.optimize import dead_code, shapes

RNG = np.random.default_rng(7)


def uniform(*shape, dtype=np.float64):
    return RNG.uniform(0.5, 1.5, shape).astype(dtype)


def difference(x, y):
    """``t0 - t1``: t1 = x * y has the set {x, y}, t0 = log1p(x * x) only {x} (y may be the larger)."""
    return np.mean(np.log1p(x * x) - x * y)


def centered(Z, Y):
    """Keepdims reductions: Z - max(Z) and Z - log(sum(exp)) have Z's set; Y may stretch Z or be stretched."""
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_norm = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * (shifted - log_norm))


def carried(x, y):
    """A loop: h is x on entry, x * y after one step, so h + x has x's shape on the first step only."""
    h = x
    for _ in range(2):
        t = h + x
        h = t * y
    return np.sum(h * h)


def branched(x, y, flag):
    h = x * y if flag else x
    return np.sum(np.sin(h) - h * x)


def scaled(x, k):
    """``k * x`` with ``k`` an integer array: its dtype is not x's (float32 * int64 is float64)."""
    t = k * x
    return np.mean(np.sin(x) - t)


PAIRS = [
    ((5,), (5,)),  # equal shapes first: the specialization is made for them
    ((5,), (1,)),
    ((1,), (5,)),
    ((4, 3), (4, 3)),
    ((4, 3), (1, 3)),
    ((4, 3), (4, 1)),
    ((1, 3), (4, 3)),
    ((4, 1), (4, 3)),
]


@pytest.mark.parametrize("func", [difference, carried], ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_kinds_every_broadcasting_direction(func, dtype):
    for x_shape, y_shape in PAIRS:
        check_grad(func, (uniform(*x_shape, dtype=dtype), uniform(*y_shape, dtype=dtype)), wrt=(0, 1))


def check_mixed(func, args, wrt):
    """A gradient against finite differences at float32 precision, for arguments of several dtypes (where
    NumPy's promotion, not the argument's dtype, makes the gradient's: float32 * float64 is float64)."""
    rng = np.random.default_rng(3)
    for index, g in zip(wrt, s2sgrad.grad(func, wrt=wrt)(*args)):
        assert np.shape(g) == np.shape(args[index])
        for _ in range(3):
            direction = rng.standard_normal(np.shape(args[index]))
            numeric = numeric_difference(func, args, index, direction)
            assert abs(np.sum(g * direction) - numeric.value) <= 1e-4 * (abs(numeric.value) + 1.0), (index, g)


@pytest.mark.parametrize("func", [difference, carried], ids=lambda f: f.__name__)
def test_float32_with_float64_partners(func):
    for x_shape, y_shape in PAIRS:
        check_mixed(func, (uniform(*x_shape, dtype=np.float32), uniform(*y_shape)), (0, 1))


def test_a_missing_axis_broadcasts_under_the_kinds_of_its_rank():
    """(m, n) with (n,): the vector's rank differs from the matrix's, in both orders."""
    for x, y in [(uniform(4, 3), uniform(3)), (uniform(3), uniform(4, 3)), (uniform(3), uniform(3))]:
        check_grad(difference, (x, y), wrt=(0, 1))


@pytest.mark.parametrize("shapes_", [((4, 3), (4, 3)), ((4, 3), (1, 3)), ((4, 3), (4, 1)), ((1, 3), (4, 3))])
def test_keepdims_reductions(shapes_):
    z_shape, y_shape = shapes_
    check_grad(centered, (uniform(*z_shape), uniform(*y_shape)), wrt=(0, 1))


def test_keepdims_reductions_float32():
    check_grad(centered, (uniform(4, 3, dtype=np.float32), uniform(4, 3, dtype=np.float32)), wrt=0)
    check_grad(centered, (uniform(4, 3, dtype=np.float32), uniform(1, 3, dtype=np.float32)), wrt=0)
    check_mixed(centered, (uniform(4, 3, dtype=np.float32), uniform(4, 1)), (0,))


def test_branches_join_their_shapes():
    for flag in (True, False):
        check_grad(branched, (uniform(4), uniform(4), flag), wrt=(0, 1))
        check_grad(branched, (uniform(1), uniform(4), flag), wrt=(0, 1))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_integer_arrays_times_floats(dtype):
    for x_shape, k_shape in [((5,), (5,)), ((5,), (1,)), ((1,), (5,))]:
        k = RNG.integers(1, 4, k_shape)
        check_mixed(scaled, (uniform(*x_shape, dtype=dtype), k), (0,))


def test_zero_dimensional_arrays_and_numbers():
    for x, y in [(np.array(0.7), uniform(5)), (uniform(5), np.array(0.7)), (np.array(0.7), np.array(1.2))]:
        check_grad(difference, (x, y), wrt=(0, 1))
    check_grad(difference, (0.7, uniform(5)), wrt=(0, 1))


def test_empty_arrays():
    """An empty array's gradient is an empty array of its shape; against a size-1 partner, exactly zero."""

    def total(x, y):
        return np.sum(np.log1p(x * x) - x * y)

    check_grad(total, (uniform(3), uniform(3)), wrt=(0, 1))  # the specialization
    for x, y in [(uniform(0), uniform(0)), (uniform(0), uniform(1))]:
        gx, gy = s2sgrad.grad(total, wrt=(0, 1))(x, y)
        assert gx.shape == x.shape and gy.shape == y.shape and gx.dtype == x.dtype
    check_zero_grad(total, (uniform(1), uniform(0)), wrt=0)


# ----- the generated code -----


def unbroadcast_targets(source: str) -> "list[str]":
    """The names whose shapes the generated code's unbroadcast calls sum to."""
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    return [getattr(c.args[1], "id", "") for c in calls if getattr(c.func, "id", None) == "unbroadcast"]


def test_an_unbroadcast_to_a_value_of_the_results_set_is_dropped_and_no_other():
    """In ``log1p(x * x) - x * y`` the difference has x * y's set, not log1p's: only the sum of its adjoint to
    log1p's shape stays (read from x, of log1p's shape and dtype: the log1p is no longer computed)."""
    source = s2sgrad.source(difference, wrt=(0, 1), args=(uniform(5), uniform(5)))
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    summed = [c for c in calls if getattr(c.func, "id", None) == "unbroadcast"]
    assert sorted(unbroadcast_targets(source)) == ["x", "x", "y"], source
    assert len([c for c in summed if isinstance(c.args[0], ast.Name)]) == 1, source  # d_t3 to log1p's shape
    assert "log1p" not in [getattr(c.func, "attr", "") for c in calls], source


def test_keepdims_reductions_vanish_next_to_what_they_reduce():
    source = s2sgrad.source(centered, wrt=0, args=(uniform(4, 3), uniform(4, 3)))
    targets = unbroadcast_targets(source)
    assert "Z" not in targets and "shifted" not in targets, source  # Z - max(Z) has Z's shape
    assert "log_norm" in targets, source  # a sum over the reduced axis


def test_a_loop_carried_value_has_a_shape_of_its_own():
    """h + x has x's shape on the first step only: the sum to x's shape stays."""
    source = s2sgrad.source(carried, wrt=0, args=(uniform(5), uniform(5)))
    assert "x" in unbroadcast_targets(source), source


FACTS_CASE = """
def f(x, y, k):
    t0 = np.log1p(x * x)
    t1 = y * x
    t2 = t0 - t1
    m = np.max(x, axis=0, keepdims=True)
    s = x - m
    q = k * x
    for i in range(3):
        h = s * y
    return t2
"""


def facts_of(text, kinds):
    ctx = context_for(text, {"np": np})
    ctx.kinds = kinds
    tree = ctx.source.tree
    return ShapeFacts(tree, ctx), tree


def test_facts_sets_and_dtypes():
    floats = {n: Kind("array", 2) for n in ("x", "y", "t0", "t1", "t2", "m", "s", "h")}
    facts, tree = facts_of(FACTS_CASE, {**floats, "k": Kind("integer", 2), "q": Kind("array", 2), "i": SCALAR})
    env = facts.before[id(tree.body[-1])]
    assert env["t1"] == env["t2"] and env["t0"] != env["t2"]
    assert env["s"] == env["x"], "a keepdims reduction vanishes next to what it reduced"
    assert env["q"].shape == env["x"].shape | env["k"].shape and env["q"].dtype != env["x"].dtype
    assert "h" not in env, "a loop may run no step: h may be unbound"


def test_a_name_reassigned_in_a_loop_has_the_heads_own_atom():
    text = """
    def f(x, y):
        h = x
        for i in range(3):
            a = h + x
            h = a * y
        return h
    """
    facts, tree = facts_of(textwrap.dedent(text), {n: Kind("array", 1) for n in ("x", "y", "h", "a")})
    loop = tree.body[1]
    inside = facts.before[id(loop.body[0])]
    assert inside["h"] != inside["x"], "h is x only on the first step"
    assert facts.before[id(tree.body[-1])]["h"] != inside["x"]


def test_shapes_pass_reads_a_kept_array_of_the_same_sets():
    """t2 = t0 - t1 with t0 of x's set and t1 = y * x: t2's shape and dtype are t1's."""
    ctx = context_for(
        """
        def f(x, y, g):
            t0 = np.log1p(x)
            t1 = y * x
            t2 = t0 - t1
            return unreduce(g / mean_divisor(t2), t2) * t0
        """,
        {"np": np, "unreduce": s2sgrad.runtime.unreduce, "mean_divisor": s2sgrad.runtime.mean_divisor},
    )
    ctx.kinds = {n: Kind("array", 1) for n in ("x", "y", "g", "t0", "t1", "t2")}
    tree = dead_code.run(shapes.run(ctx.source.tree, ctx), ctx)
    expected = """
        def f(x, y, g):
            t0 = np.log1p(x)
            t1 = y * x
            return unreduce(g / mean_divisor(t1), t1) * t0
        """
    assert ast.dump(ast.parse(unparse_tree(tree))) == ast.dump(ast.parse(textwrap.dedent(expected)))


def test_shapes_pass_keeps_a_value_of_another_dtype():
    """``x * s`` with ``s`` a number of unknown type (a NumPy float64 scalar with float32 x): not x's dtype."""
    text = """
        def f(x, s, g):
            n = x * s
            return unreduce(g, n) + x
        """
    ctx = context_for(text, {"unreduce": s2sgrad.runtime.unreduce})
    ctx.kinds = {"x": Kind("array", 1), "g": Kind("array", 1), "n": Kind("array", 1), "s": SCALAR}
    tree = dead_code.run(shapes.run(ctx.source.tree, ctx), ctx)
    assert ast.dump(ast.parse(unparse_tree(tree))) == ast.dump(ast.parse(textwrap.dedent(text)))


def test_float32_times_a_float64_scalar_keeps_its_gradient_right():
    def f(x, s):
        n = x * s
        return np.mean(n) + np.sum(x)

    check_mixed(f, (uniform(5, dtype=np.float32), np.float64(2.5)), (0,))
    check_grad(f, (uniform(5, dtype=np.float32), 2.5), wrt=0)
