"""A loop's outer products added up after it (optimize.outer), checked against finite differences.

Each program says whether the pass may apply to it (``outer_sum`` in the
generated code) and whether a vector had to be kept as a copy (``.copy()``);
its gradient is checked against central differences either way, so a batch that
reads a vector after the loop changed it, or a partial sum the loop still
needed, fails here.
"""

import textwrap

import numpy
import pytest
from gradcheck import check_grad, check_jvp, check_zero_grad
from test_passes import context_for

import s2sgrad
from s2sgrad import runtime
from s2sgrad.emit import unparse_tree
from s2sgrad.kinds import INTEGER, array
from s2sgrad.nodes import SCOPE
from s2sgrad.optimize import outer

RNG = numpy.random.default_rng(4242)
W = RNG.uniform(-0.6, 0.6, (3, 3))
U = RNG.uniform(-0.6, 0.6, (3, 2))
XS = RNG.uniform(-1.0, 1.0, (5, 3))


def rnn(W, U, b, xs):
    h = numpy.zeros(W.shape[0])
    for t in range(len(xs)):
        h = numpy.tanh(W @ h + U @ xs[t, :2] + b)
    return numpy.sum(h**2)


def branchy(W, xs):
    """The product in one branch only: appended only on the steps that take it."""
    h = numpy.zeros(W.shape[0]) + 0.3
    for t in range(len(xs)):
        if t % 2 == 0:  # noqa: SIM108 - a branch, as a user writes it: its reverse sweep is what is tested
            h = numpy.tanh(W @ h + xs[t])
        else:
            h = numpy.sin(h) + xs[t]
    return numpy.sum(h * h)


def nested(W, xs):
    """The product in an inner loop: summed once, after the outer loop."""
    h = numpy.zeros(W.shape[0]) + 0.1
    for _epoch in range(3):
        for t in range(len(xs)):
            h = numpy.tanh(W @ h + xs[t])
        h = h * 0.5
    return numpy.sum(h * h)


def early_exit(W, xs):
    """A ``break``: the reverse loop replays the steps that ran."""
    h = numpy.zeros(W.shape[0]) + 0.1
    for x in xs:
        if numpy.sum(h) > 0.5:
            break
        h = numpy.tanh(W @ h + x)
    return numpy.sum(h * h)


def counted(W, x, n):
    """A ``while`` loop, reversed as a loop over its trip count."""
    h = x
    k = 0
    while k < n:
        h = numpy.tanh(W @ h)
        k += 1
    return numpy.sum(h * h)


def twice(W, xs):
    """Two products into one gradient in one statement: both kept in the same lists."""
    h = numpy.zeros(W.shape[0]) + 0.2
    for x in xs:
        h = numpy.tanh(W @ h + W @ x)
    return numpy.sum(h * h)


def rewritten_in_place(W, x):
    """The reverse loop restores ``y[i]`` in place after the product read ``y``: ``y`` is kept as a copy."""
    y = x * 1.0
    acc = 0.0
    for i in range(6):
        z = W @ y
        acc = acc + numpy.sum(numpy.sin(z))
        y[i % 3] = numpy.cos(z[0])
    return acc


def added_in_place(W, V, xs):
    """The reverse loop adds into the adjoint of ``h`` in place, which a kept vector may share: a copy."""
    h = xs[0] * 0.5
    for t in range(len(xs)):
        v = h[::-1]
        h = numpy.tanh(W @ v)
        h += V @ xs[t]
    return numpy.sum(h * h)


def guarded(W, xs):
    """The forward loop is inside a ``try``; the reverse loop, after it, is not."""
    h = xs[0] * 0.5
    try:
        for x in xs:
            h = numpy.tanh(W @ h + x)
    except ValueError:
        h = xs[0] * 0.0
    return numpy.sum(h * h)


def decaying_weights(W, xs):
    """``W`` changes in the loop, so its adjoint is read there: no sum after the loop."""
    h = numpy.zeros(W.shape[0])
    for x in xs:
        W = W * 0.9
        h = numpy.tanh(W @ h + x)
    return numpy.sum(h * h)


def decaying_epochs(W, xs):
    """``W`` changes between epochs: its adjoint is read in the outer loop, so the inner loop's sum is added after
    the inner loop, once per epoch."""
    h = xs[0] * 0.5
    for _epoch in range(3):
        for t in range(len(xs)):
            h = numpy.tanh(W @ h + xs[t])
        W = W * 0.9
    return numpy.sum(h * h)


def matrix_state(W, Hs):
    """A matrix times a matrix: its adjoint is a matrix product already, left alone."""
    H = Hs[0]
    for X in Hs:
        H = numpy.tanh(W @ H + X)
    return numpy.sum(H * H)


B = RNG.uniform(-0.5, 0.5, 3)
PROGRAMS = [
    # (function, arguments, wrt, summed after the loop, a vector copied)
    (rnn, (W, U, B, XS), (0, 1, 2), True, False),
    (branchy, (W, XS), 0, True, False),
    (nested, (W, XS), 0, True, False),
    (early_exit, (W, XS), 0, True, False),
    (counted, (W, XS[0], 4), 0, True, False),
    (twice, (W, XS), 0, True, False),
    (rewritten_in_place, (W, XS[1].copy()), 0, True, True),
    (added_in_place, (W, U @ U.T, XS), (0, 1), True, True),
    (guarded, (W, XS), 0, True, False),
    (decaying_weights, (W, XS), 0, False, False),
    (decaying_epochs, (W, XS), 0, True, False),
    (matrix_state, (W, RNG.uniform(-1.0, 1.0, (4, 3, 2))), 0, False, False),
]


@pytest.mark.parametrize(("func", "args", "wrt", "summed", "copied"), PROGRAMS, ids=[p[0].__name__ for p in PROGRAMS])
def test_gradient_where_the_pass_applies_and_where_it_must_not(func, args, wrt, summed, copied):
    text = s2sgrad.source(func, wrt=wrt, args=args)
    assert ("outer_sum(" in text) == summed
    assert (".copy())" in text) == copied
    check_grad(func, args, wrt=wrt)


def test_a_loop_that_never_runs_leaves_the_gradient_exactly_zero():
    check_zero_grad(early_exit, (W, XS[:0]))
    check_zero_grad(counted, (W, XS[0], 0))


def test_float32_stays_float32():
    args = (W.astype(numpy.float32), U.astype(numpy.float32), B.astype(numpy.float32), XS.astype(numpy.float32))
    grads = s2sgrad.grad(rnn, wrt=(0, 1, 2))(*args)
    assert [g.dtype for g in grads] == [numpy.float32] * 3
    check_grad(rnn, args, wrt=(0, 1, 2))


def test_second_derivatives_through_the_summed_loop():
    """Forward mode over the generated gradient (its lists, copies and outer_sum), against differences of the
    gradient."""
    check_jvp(s2sgrad.grad(rnn, wrt=0), (W, U, B, XS), wrt=(0, 1))
    check_jvp(s2sgrad.grad(added_in_place, wrt=0), (W, U @ U.T, XS), wrt=(0, 1))


# ----- the pass on its own, on code as the transform writes it -----


HELPERS = {"zeros_like": runtime.zeros_like, "outer_sum": runtime.outer_sum}
KINDS = {"W": array(2), "hs": array(2), "n": INTEGER, "d_h": array(1), "d_t": array(1), "d_W": array(2)}


def run_both(text: str, *args):
    """The function's result as written and after the pass, and the text after the pass."""
    ctx = context_for(text, HELPERS)
    ctx.kinds = KINDS
    optimized = unparse_tree(outer.run(ctx.source.tree, ctx)).strip()
    results = []
    for source in (textwrap.dedent(text), optimized):
        namespace = dict(HELPERS)
        exec(source, namespace)
        results.append(namespace["f"](*args))
    return results, optimized


ADDED_TO_AFTER = """
def f(W, hs, n):
    d_W = zeros_like(W)
    d_h = zeros_like(hs[0]) + 1.0
    for i in range(n):
        d_t = hs[i] * 2.0
        d_W += d_t[:, None] * d_h
        d_h += d_t
    return d_W
"""


def test_a_vector_added_to_in_place_later_in_the_loop_is_kept_as_a_copy():
    (before, after), text = run_both(ADDED_TO_AFTER, W, XS, 4)
    assert "d_W_rows.append(d_h.copy())" in text
    assert "d_W_columns.append(d_t)" in text  # a new array each step, never written into
    numpy.testing.assert_allclose(after, before, rtol=1e-13)


SUBTRACTED = """
def f(W, hs, n):
    d_W = zeros_like(W)
    for i in range(n):
        d_t = hs[i] * 2.0
        d_W -= d_t[:, None] * hs[i + 1] + hs[i][:, None] * d_t
    return d_W
"""


def test_a_subtracted_sum_of_products_is_subtracted_after_the_loop():
    (before, after), text = run_both(SUBTRACTED, W, XS, 4)
    assert "d_W -= outer_sum(d_W_columns, d_W_rows)" in text
    assert text.count("d_W_columns.append(") == 2
    numpy.testing.assert_allclose(after, before, rtol=1e-13)


VIEW_OF_THE_TARGET = """
def f(W, hs, n):
    d_W = zeros_like(W)
    row = d_W[0]
    total = 0.0
    for i in range(n):
        d_t = hs[i] * 2.0
        total = total + row[1]
        d_W += d_t[:, None] * hs[i]
    return total
"""
RETURN_IN_LOOP = """
def f(W, hs, n):
    d_W = zeros_like(W)
    for i in range(n):
        d_W += hs[i][:, None] * hs[i]
        if i == 2:
            return d_W
    return d_W
"""


@pytest.mark.parametrize("text", [VIEW_OF_THE_TARGET, RETURN_IN_LOOP], ids=["view_of_the_target", "return"])
def test_left_alone_where_the_loop_sees_the_sum(text):
    (before, after), text_after = run_both(text, W, XS, 4)
    assert "outer_sum" not in text_after
    numpy.testing.assert_array_equal(after, before)


IN_A_TRY = """
def f(W, hs, n):
    d_W = zeros_like(W)
    if n:
        for i in range(n):
            d_W += hs[i][:, None] * hs[i]
    return d_W
"""


def test_a_loop_inside_a_try_is_left_alone():
    """Its handler would see the sum of the steps before the exception (the ``if`` stands for the ``try``)."""
    ctx = context_for(IN_A_TRY, HELPERS)
    ctx.kinds = KINDS
    setattr(ctx.source.tree.body[1], SCOPE, ("try", None, "no_error"))
    assert "outer_sum" not in unparse_tree(outer.run(ctx.source.tree, ctx))
    ctx = context_for(IN_A_TRY, HELPERS)
    ctx.kinds = KINDS
    assert "outer_sum" in unparse_tree(outer.run(ctx.source.tree, ctx))  # the same loop outside a try


# ----- the helper -----


def test_outer_sum_stacks_vectors_and_sums_anything_else_product_by_product():
    a, b = RNG.uniform(-1, 1, (4, 3)), RNG.uniform(-1, 1, (4, 2))
    expected = sum(x[:, None] * y for x, y in zip(a, b))
    numpy.testing.assert_allclose(runtime.outer_sum(list(a), list(b)), expected, rtol=1e-14)
    ones = [numpy.ones(1), *a[1:]]  # a row of length 1 broadcasts, as in the loop
    numpy.testing.assert_allclose(runtime.outer_sum(ones, list(b)), sum(x[:, None] * y for x, y in zip(ones, b)))
    single = runtime.outer_sum([a[0].astype(numpy.float32)], [b[0].astype(numpy.float32)])
    assert single.dtype == numpy.float32
    with pytest.raises(TypeError):
        runtime.outer_sum([[1.0, 2.0]], [b[0]])  # a list is no vector: the loop's a[:, None] raised too
    with pytest.raises(IndexError):
        runtime.outer_sum([numpy.float64(1.0)], [b[0]])


# ----- random loops of matrix-vector products, with what could make a kept vector stale -----

STEPS = (  # loop bodies' statements, as lines of the loop body
    ["h = numpy.tanh(W @ h + xs[t])"],
    ["u = W @ h", "h = numpy.sin(u) + V @ u"],  # u's adjoint gathers two contributions
    ["h[t % 3] = numpy.cos(h[0] * 0.5)"],  # the reverse loop restores h[t % 3] in place
    ["if t % 2 == 0:", "    h = numpy.tanh(V @ h)", "else:", "    h = h * 0.9"],
    ["v = h[::-1]", "h = numpy.tanh(W @ v)"],  # a view of h
    ["h = h + (W.T @ h) * 0.1"],
    ["acc = acc + numpy.sum(W @ h)"],
    ["for s in range(2):", "    h = numpy.tanh(V @ h + 0.1)"],
    ["W = W * 0.95"],  # W changes in the loop: its adjoint is read there
    ["h += V @ xs[t]"],
)


def random_program(rng: numpy.random.Generator) -> str:
    """A loop over the rows of ``xs`` (a ``for`` or a ``while``, maybe left by a ``break``) of 2-4 steps."""
    lines = [line for i in rng.choice(len(STEPS), size=rng.integers(2, 5), replace=False) for line in STEPS[i]]
    if rng.random() < 0.3:
        lines = ["if t == 3:", "    break", *lines]
    header = ["for t in range(len(xs)):"]
    if rng.random() < 0.3:
        header, lines = ["t = 0", "while t < len(xs):"], [*lines, "t += 1"]
    body = [*header[:-1], header[-1], *("    " + line for line in lines)]
    return "import numpy\n\n\ndef f(W, V, xs):\n" + "".join(
        f"    {line}\n" for line in ["h = xs[0] * 0.5", "acc = 0.0", *body, "return numpy.sum(h * h) + acc"]
    )


def test_random_loops_of_matrix_vector_products(tmp_path):
    from fuzz.check import load

    rng = numpy.random.default_rng(77)
    summed = 0
    for index in range(30):
        source = random_program(rng)
        f = load(source, str(tmp_path), f"outer_program_{index}").f
        args = (RNG.uniform(-0.6, 0.6, (3, 3)), RNG.uniform(-0.6, 0.6, (3, 3)), RNG.uniform(-1, 1, (6, 3)))
        try:
            text = s2sgrad.source(f, wrt=(0, 1), args=args)
        except s2sgrad.TransformError:
            continue  # a write the memory model rejects
        summed += "outer_sum(" in text
        check_grad(f, args, wrt=(0, 1))
    assert summed >= 15  # most programs exercise the pass
