"""Loops that keep a shape, not an array, for values the reverse sweep reads only for their shape.

The reverse sweep of ``h = np.tanh(W @ h + U @ x[t] + b)`` reads ``W @ h`` and
``U @ x[t]`` only to sum adjoints back to their shapes (optimize/stored_shapes.py):
their stacks keep ``shape_of(...)``, arrays without data. Each program here is
checked against finite differences, including broadcasting that stretches an axis
inside the loop, float32, scalars and 0-d arrays, loops that never run, nested and
``while`` loops, and values read for their shape and their value (which keep the array).
"""

import re
import sys
import textwrap
import tracemalloc

import gast
import numpy as np
import pytest
from gradcheck import check_grad
from test_passes import context_for

import s2sgrad
from s2sgrad import runtime
from s2sgrad.emit import unparse_tree
from s2sgrad.kinds import Kind
from s2sgrad.optimize import stored_shapes

RNG = np.random.default_rng(11)


def uniform(*shape):
    return RNG.uniform(-1.0, 1.0, shape)


def rnn(W, U, b, xs):
    """A tanh RNN over the rows of ``xs``, its states' sum of squares for a loss."""
    h = np.zeros(len(b))
    total = 0.0
    for x in xs:
        h = np.tanh(W @ h + U @ x + b)
        total = total + np.sum(h * h)
    return total


def rnn_steps(W, b, x, n):
    h = x
    for _ in range(n):
        h = np.tanh(W @ h + x + b)
    return np.sum(h**2) + np.sum(x)


def stretched_in_the_loop(x, c, col):
    """``h * c`` with ``c`` of shape (1,), ``q + a`` with ``q`` of shape (n, 1): adjoints summed over axes."""
    h = x
    for _ in range(3):
        a = h * c  # c stretched to h's length
        q = col * np.sum(h)
        s = q + a  # q stretched along axis 1, a along axis 0
        h = np.sum(np.sin(s), axis=0) * 0.5
    return np.sum(h**2)


def summed_each_step(x, w):
    """``np.sum(h * w)`` reads ``h * w`` for its shape and dtype only (a float32 sum stays float32)."""
    total = 0.0
    h = x
    for _ in range(4):
        p = h * w
        total = total + np.sum(p)
        h = np.tanh(p)
    return total


def mixed_with_scalars(W, x, s, z):
    """A float and a 0-d array in the loop: their adjoints sum to scalars, ``W @ h``'s keeps its shape."""
    h = x
    for _ in range(3):
        h = np.tanh(W @ h + x * s + z)
    return np.sum(h * h)


def zero_dim(x, s, z):
    """Operations of 0-d arrays give NumPy scalars: their stacks keep them as they are."""
    h = x
    for _ in range(3):
        h = np.tanh(s * h + z) + s
    return np.sum(h * h)


def nested(W, x):
    h = x
    for _ in range(2):
        for _step in range(3):
            h = np.tanh(W @ h + x)
        h = h * 0.5 + x
    return np.sum(h**2)


def counted_while(W, x, n):
    h = x
    k = 0
    while k < n:
        h = np.tanh(W @ h + x)
        k = k + 1
    return np.sum(h**2)


def shape_and_value(W, x):
    """``W @ h`` is read for its shape by one adjoint and for its value by another: its array is kept."""
    h = x
    for _ in range(3):
        a = W @ h
        h = np.tanh(a + x) * a
    return np.sum(h**2)


def value_in_one_branch(W, x):
    h = x
    for i in range(4):
        a = W @ h
        if i % 2 == 0:  # noqa: SIM108 (a branch statement, on purpose)
            h = np.tanh(a + x)
        else:
            h = np.sin(a * x)  # reads a's value
    return np.sum(h**2)


N = 5
RNN_ARGS = (0.5 * uniform(N, N), uniform(N, 3), uniform(N), uniform(6, 3))
PROGRAMS = [
    pytest.param(rnn, RNN_ARGS, (0, 1, 2), id="rnn"),
    pytest.param(rnn, tuple(a.astype(np.float32) for a in RNN_ARGS), (0, 1, 2), id="rnn_float32"),
    pytest.param(rnn_steps, (0.5 * uniform(N, N), uniform(N), uniform(N), 4), (0, 1, 2), id="rnn_steps"),
    pytest.param(rnn_steps, (0.5 * uniform(N, N), uniform(N), uniform(N), 0), (0, 1, 2), id="zero_trip"),
    pytest.param(stretched_in_the_loop, (uniform(4), uniform(1), uniform(3, 1)), (0, 1, 2), id="stretched"),
    pytest.param(summed_each_step, (uniform(N), uniform(N)), (0, 1), id="summed"),
    pytest.param(
        summed_each_step, (uniform(N).astype(np.float32), uniform(N).astype(np.float32)), (0, 1), id="float32"
    ),
    pytest.param(mixed_with_scalars, (0.5 * uniform(N, N), uniform(N), 0.7, np.array(0.9)), (0, 1, 2, 3), id="scalars"),
    pytest.param(zero_dim, (np.array(0.2), 0.7, np.array(0.3)), (0, 1, 2), id="zero_dim"),
    pytest.param(nested, (0.5 * uniform(N, N), uniform(N)), (0, 1), id="nested"),
    pytest.param(counted_while, (0.5 * uniform(N, N), uniform(N), 3), (0, 1), id="while"),
    pytest.param(counted_while, (0.5 * uniform(N, N), uniform(N), 0), (0, 1), id="while_zero_trip"),
    pytest.param(shape_and_value, (0.5 * uniform(N, N), uniform(N)), (0, 1), id="shape_and_value"),
    pytest.param(value_in_one_branch, (0.5 * uniform(N, N), uniform(N)), (0, 1), id="value_in_a_branch"),
]


@pytest.mark.parametrize(("func", "args", "wrt"), PROGRAMS)
def test_gradient_matches_finite_differences(func, args, wrt):
    check_grad(func, args, wrt=wrt)


rnn_slope = s2sgrad.grad(rnn_steps, wrt=(0, 1))


def squared_rnn_slope(W, b, x):
    """Forward mode over the gradient (its adjoint is a Hessian-vector product): through ``shape_of`` too."""
    d_W, d_b = rnn_slope(W, b, x, 3)
    return np.sum(d_W**2) + np.sum(d_b * x)


def test_a_hessian_vector_product_through_kept_shapes():
    check_grad(squared_rnn_slope, (0.5 * uniform(N, N), uniform(N), uniform(N)), wrt=(0, 1, 2))


def kept_shapes(func, args, wrt):
    """The names whose stacks keep ``shape_of(name)`` in the generated gradient."""
    return set(re.findall(r"\.append\(shape_of\((\w+)\)\)", s2sgrad.source(func, wrt=wrt, args=args)))


def test_a_loop_keeps_the_shapes_of_values_read_only_for_their_shapes():
    args = (uniform(N, N), uniform(N, 3), uniform(N), uniform(6, 3))
    text = s2sgrad.source(rnn, wrt=(0, 1, 2), args=args)
    assert text.count("_shape_stack.append(shape_of(") == 4, text  # W @ h, U @ x, their sum, and h * h
    stacked = re.findall(r"(\w+)_stack\.append\(\w+\)", text)
    assert stacked == ["h"], text  # h only: the reverse sweep reads its value (not counting outer sums' lists)
    forward = [line for line in text.split("# reverse sweep")[0].splitlines() if not line.strip().startswith("#")]
    assert any("shape_of(h)" in line for line in forward), text
    assert not any("h * h" in line for line in forward), text  # h * h has h's shape: not computed
    assert re.search(r"d_\w+ = unbroadcast\(d_\w+, \w+_shape\)", text), text


def test_the_storage_report_says_which_values_keep_their_shape_only():
    report = s2sgrad.source(rnn, wrt=(0, 1, 2), args=RNN_ARGS, report=True).split("# storage report")[1]
    assert report.count("its shape only") == 4, report
    assert re.search(r"#     h: pushed before each overwrite \(", report), report


@pytest.mark.parametrize(
    ("func", "args", "wrt"),
    [
        (shape_and_value, (uniform(N, N), uniform(N)), 0),
        (value_in_one_branch, (uniform(N, N), uniform(N)), (0, 1)),  # d_x reads a in one branch
        (zero_dim, (np.array(0.2), 0.7, np.array(0.3)), 0),
    ],
)
def test_a_value_read_for_more_than_its_shape_keeps_its_array(func, args, wrt):
    assert not kept_shapes(func, args, wrt)


def test_a_stand_in_has_the_shape_and_dtype_and_no_data():
    x = np.ones((3, 4), dtype=np.float32)
    stand_in = runtime.shape_of(x)
    assert (stand_in.shape, stand_in.dtype, stand_in.strides) == ((3, 4), np.float32, (0, 0))
    assert not stand_in.flags.writeable
    assert runtime.shape_of(np.ones((3, 4), dtype=np.float32)) is stand_in  # one per shape and dtype
    assert runtime.shape_of(np.ones((3, 4))).dtype == np.float64  # the same shape, another dtype
    assert runtime.shape_of(x).dtype == np.float32
    zero_dim = np.array(2.5)  # NumPy 1 casts by a 0-d array's value: kept as it is, as a scalar is
    assert runtime.shape_of(2.5) == 2.5 and runtime.shape_of(zero_dim) is zero_dim
    g = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(runtime.unbroadcast(g, runtime.shape_of(np.ones((1, 4)))), g.sum(axis=0, keepdims=True))
    assert runtime.unreduce(np.float32(2.0), stand_in).dtype == np.float32


def peak_bytes(func, *args):
    func(*args)  # the first call transforms
    tracemalloc.start()
    try:
        func(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def elementwise_rnn(w, b, xs):
    h = np.zeros(len(b))
    total = 0.0
    for x in xs:
        h = np.tanh(w * h + x + b)
        total = total + np.sum(h * h)
    return total


def test_the_gradient_of_a_loop_keeps_one_array_per_step_not_four():
    """An elementwise recurrence: no outer products, whose sums after the loop (optimize.outer) keep vectors too."""
    hidden, steps = 64, 256
    args = (0.5 * uniform(hidden), uniform(hidden), uniform(steps, hidden))
    stack = steps * sys.getsizeof(np.empty(hidden))  # one array object per step: h's stack
    peak = peak_bytes(s2sgrad.grad(elementwise_rnn, wrt=(0, 1, 2)), *args)
    # h's stack, the gradients (xs's is a stack's worth) and a step's temporaries fit in three stacks' worth;
    # the pushes before stored_shapes (w * h, the sum with x, h * h: 4.9 stacks' worth in all) would not
    assert peak < 3 * stack, (peak, stack)


def stored_shapes_applied(text):
    """The pass alone on ``text``, with ``t`` an ndarray of rank 1."""
    ctx = context_for(text)
    ctx.kinds = {"t": Kind("array", 1), "d": Kind("array", 1)}
    return unparse_tree(stored_shapes.run(ctx.source.tree, ctx)).strip()


FORWARD = """
def f(x, d):
    t_stack = []
    for i in range(3):
        t = x * i
        t_stack.append(t)
"""


def program(reverse):
    """The forward loop above, then ``reverse`` (its own indentation one level in)."""
    return FORWARD + textwrap.indent(textwrap.dedent(reverse).strip(), "    ")


RENAMED = program(
    """
    for i in range(3):
        t = t_stack.pop()
        g = unbroadcast(d, t)
        t = x + g
        d = d * t
    return d
    """
)
KEPT = {
    "read again at the next turn before the pop": """
        for i in range(3):
            g = unbroadcast(d, t)
            t = t_stack.pop()
            d = unbroadcast(d, t) + g
        return d
        """,
    "read after its loop": """
        for i in range(3):
            t = t_stack.pop()
            d = unbroadcast(d, t)
        return d * t
        """,
    "assigned in a branch after the pop": """
        for i in range(3):
            t = t_stack.pop()
            if i:
                t = x
            d = unbroadcast(d, t)
        return d
        """,
    "the stack returned": """
        for i in range(3):
            t = t_stack.pop()
            d = unbroadcast(d, t)
        return d, t_stack
        """,
}


def test_the_pass_renames_what_a_pop_reaches_up_to_a_reassignment():
    out = stored_shapes_applied(RENAMED)
    assert "t_shape_stack.append(shape_of(t))" in out and "t_shape = t_shape_stack.pop()" in out, out
    # t's reassignment: its own value (Python 3.8's unparser adds parentheses)
    assert "g = unbroadcast(d, t_shape)" in out and re.search(r"d = \(?d \* t\)?\n", out), out


@pytest.mark.parametrize("reverse", KEPT.values(), ids=KEPT.keys())
def test_the_pass_keeps_an_array_a_pop_may_pass_on_to_another_read(reverse):
    text = program(reverse)
    assert stored_shapes_applied(text) == unparse_tree(gast.parse(text).body[0]).strip()
