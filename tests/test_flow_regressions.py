"""Control flow and optimizer bugs found by random programs (issue 14), one program each.

Each program is checked with the optimizer on and off: its value against the
function's, its gradient against central finite differences. The classes:
decisions of ``and``/``or``/conditional expressions inside loops, exits in loops
nested in branches, element writes after rebinding, computed subscripts in
reverse loops, loop iterables the body rebinds, zero-trip loops, the types of
folded constants, returns in loops, and nested functions in branches and loops.
"""

import numpy
import pytest
from gradcheck import check_grad

import s2sgrad

A3 = numpy.array([0.3, 0.7, 1.1])
ROWS = numpy.array([[0.3, 0.4], [0.5, 0.6]])


# ----- decisions of and / or / conditional expressions inside loops -----


def and_in_loop(x):
    for k in range(3):
        if x > 0.0 and k > 0:
            x = x * 1.5
    return x


def or_in_loop(x):
    for k in range(3):
        if k > 1 or x < 0.0:
            x = x * 1.5
    return x


def conditional_test_in_loop(x):
    for k in range(3):
        if (x > 0.0) if k > 0 else (x < 0.0):
            x = x * 1.5
    return x


def and_in_while(a, x):
    k = 0
    while k < 3:
        k += 1
        if x > 0.0 and k > 1:
            a = a * x
    return numpy.sum(a)


def flag_set_in_branch(x):
    m = 1.0
    for j in range(3):
        if j >= 1:
            m = 2.0
        x = x * m
    return x


def mask_written_in_branch(x):
    m = numpy.ones(3)
    for j in range(3):
        if j == 1:
            m[0] = 2.0
        x = x * m
    return numpy.sum(x)


# ----- exits in loops nested in branches -----


def break_in_for_in_if(a, x):
    if x > 0.0:
        for i in range(3):
            if i > 0:
                break
            a = a * x
    return numpy.sum(a)


def continue_in_while_in_if(x, y):
    if y > 0.0:
        k = 0
        while k < 3:
            k += 1
            x = x * y
            if k > 1:
                continue
    return x


def return_in_for(x):
    for i in range(3):  # noqa: B007 - the loop returns at once
        return x


def return_in_for_or_after(x, n):
    for i in range(n):
        if x > i:
            return x * 2.0
    return x


# ----- writes, subscripts and iterables in loops -----


def write_after_rebinding(x):
    y = numpy.zeros(2)
    for i in range(2):  # noqa: B007
        y = y + 1.0
        y[0] = y[0] * x
    return numpy.sum(y)


def write_after_rebinding_and_return(x):
    y = numpy.zeros(2)
    for i in range(3):
        y = y + 1.0
        y[0] = y[0] * x
        if i == 1:
            return numpy.sum(y)
    return x


def computed_subscript(a):
    t = numpy.ones((4, 3)) * a
    t2 = numpy.sinh(t)
    for i in range(4):
        t[i % 4, 1] -= numpy.sum(a)
    return numpy.sum(t2)


def computed_subscript_in_while(x):
    y = numpy.ones((3, 2)) * x
    k = 0
    while k < 3:
        k += 1
        y[k - 1] *= 2.0
        y[k - 1] -= numpy.mean(y, axis=1)[0]
    return y.sum()


def iterable_rebound(a, x):
    s = 0.0
    for row in a:
        a = a + 1.0
        s = s + row[0] * x
    return s


def write_into_fresh_result(a, x):
    for i in range(2):  # noqa: B007
        t = a * x
        s = numpy.var(t)
        t[1] -= s
    return s


def self_copy_between_writes(a):
    t = a * 2.0
    t[1] = numpy.sum(t * t)
    t = t  # a no-op in Python, which must stay one
    t[2] = 1.0
    return numpy.sum(t)


def written_into_itself(x):
    t = numpy.ones(3) * x
    t[:] = t
    return numpy.sum(t * t)


def parameter_written_into_itself(a):
    a[:] = a
    return a[1]


def zero_trip_copy(x, y, n):
    for i in range(n):  # noqa: B007
        x = y
    return x


def product_over_an_empty_batch(x, batch):
    """``batch * x`` is invariant, but the loop over an empty batch never broadcasts (0,) with (3,): the
    optimizer must not compute it before the loop."""
    s = numpy.sum(x * x)
    for i in range(len(batch)):
        t = batch * x
        s = s + numpy.sum(t) * batch[i]
    return s


# ----- nested functions in loops and branches -----


def def_in_loop(x, k):
    s = 0.0
    for i in range(3):

        def step(v):
            return v * k + i  # noqa: B023 - called in the iteration that defines it

        s = s + step(x)
    return s


def lambda_in_branch(x, k):
    if x > 0.0:
        sq = lambda v: v * v * k  # noqa: E731
        y = sq(x)
    else:
        y = x
    return y


PROGRAMS = [
    (and_in_loop, (0.7,), 0),
    (or_in_loop, (0.7,), 0),
    (or_in_loop, (-0.7,), 0),
    (conditional_test_in_loop, (0.7,), 0),
    (and_in_while, (A3, 0.7), (0, 1)),
    (flag_set_in_branch, (0.7,), 0),
    (mask_written_in_branch, (A3,), 0),
    (break_in_for_in_if, (A3, 0.7), (0, 1)),
    (continue_in_while_in_if, (0.7, 0.8), (0, 1)),
    (return_in_for, (0.7,), 0),
    (return_in_for_or_after, (0.7, 3), 0),
    (return_in_for_or_after, (-0.7, 3), 0),
    (write_after_rebinding, (0.7,), 0),
    (write_after_rebinding_and_return, (0.7,), 0),
    (computed_subscript, (A3,), 0),
    (computed_subscript_in_while, (0.7,), 0),
    (iterable_rebound, (ROWS, 0.7), (0, 1)),
    (write_into_fresh_result, (A3, 0.7), (0, 1)),
    (self_copy_between_writes, (A3,), 0),
    (written_into_itself, (0.5,), 0),
    (parameter_written_into_itself, (A3,), 0),
    (zero_trip_copy, (0.3, 0.5, 0), (0, 1)),
    (zero_trip_copy, (0.3, 0.5, 2), (0, 1)),
    (product_over_an_empty_batch, (A3, numpy.zeros(0)), 0),
    (product_over_an_empty_batch, (A3, A3[::-1].copy()), 0),
    (def_in_loop, (0.7, 1.3), (0, 1)),
    (lambda_in_branch, (0.7, 1.3), (0, 1)),
    (lambda_in_branch, (-0.7, 1.3), (0, 1)),
]


def _ids():
    """The program's name, and the point's position among the points of that program when there are several."""
    names = [func.__name__ for func, _, _ in PROGRAMS]
    return [f"{n}-{names[:i].count(n)}" if names.count(n) > 1 else n for i, n in enumerate(names)]


@pytest.mark.parametrize("optimize", [True, False], ids=["optimized", "raw"])
@pytest.mark.parametrize(("func", "args", "wrt"), PROGRAMS, ids=_ids())
def test_value_and_gradient(func, args, wrt, optimize):
    check_grad(func, args, wrt=wrt, optimize=optimize)


def folded_power(x):
    w = 4
    return 1.0 * w**2


@pytest.mark.parametrize("optimize", [True, False], ids=["optimized", "raw"])
def test_folded_constants_keep_the_type(optimize):
    value, gradient = s2sgrad.value_and_grad(folded_power, optimize=optimize)(0.7)
    assert type(value) is float and value == 16.0
    assert gradient == 0.0


def test_inactive_decision_is_pushed_around_its_branch():
    """An ``and`` in a loop: its decision is saved around the branches that compute it, not inside them."""
    text = s2sgrad.source(and_in_loop, args=(0.7,))
    assert text.count(".append(") == 1 and text.count(".pop()") == 1


def returns_only_in_loop(x, n):
    for i in range(n):
        if x > i:
            return x * 2.0


def test_returning_loop_that_runs_out_fails_as_python_returns_none():
    """Where no return ran, f returns None: the gradient fails rather than giving a value."""
    assert s2sgrad.value_and_grad(returns_only_in_loop, optimize=True)(0.7, 3) == (1.4, 2.0)
    for optimize in (True, False):
        with pytest.raises(AssertionError, match="returned None"):
            s2sgrad.value_and_grad(returns_only_in_loop, optimize=optimize)(-0.7, 3)
