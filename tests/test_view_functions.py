"""Functions whose rules return views: the memory model must know them, so writes through them stay sound.

A write through a view changes the array it was made from. normalize.memory tracks that only for the
callables in its VIEWS table; a function with a rule and not in the table is taken to make a new array.
So every rule's callable that NumPy lets return memory shared with an argument must be in VIEWS (checked
by calling it), and programs that write through such views are differentiated right or rejected.
"""

import numpy
import pytest
from gradcheck import check_grad

import s2sgrad
from s2sgrad.normalize.memory import VIEWS
from s2sgrad.rules import default_rules

A = numpy.arange(24.0).reshape(2, 3, 4)
M = numpy.arange(12.0).reshape(3, 4)
# (callable, arguments): each rule's callable at arguments where NumPy may return a view
CALLS = [
    (numpy.diag, (M,)),
    (numpy.diagonal, (M,)),
    (numpy.tril, (M,)),
    (numpy.triu, (M,)),
    (numpy.repeat, (M, 1)),
    (numpy.tile, (M, 1)),
    (numpy.roll, (M, 0)),
    (numpy.rollaxis, (A, 2)),
    (numpy.moveaxis, (A, 0, 2)),
    (numpy.flip, (M,)),
    (numpy.fliplr, (M,)),
    (numpy.flipud, (M,)),
    (numpy.rot90, (M,)),
    (numpy.pad, (M, 0)),
    (numpy.take, (M, [0])),
    (numpy.take_along_axis, (M, numpy.zeros((3, 1), dtype=int), 1)),
    (numpy.split, (M, 3)),
    (numpy.array_split, (M, 3)),
    (numpy.hsplit, (M, 2)),
    (numpy.vsplit, (M, 3)),
    (numpy.dsplit, (A, 2)),
    (numpy.column_stack, ([M],)),
    (numpy.append, (M, [])),
    (numpy.atleast_3d, (A,)),
    (numpy.kron, (M, 1.0)),
    (numpy.select, ([M > 3.0], [M])),
    (numpy.interp, (M, [0.0, 1.0], [0.0, 1.0])),
    (numpy.partition, (M, 1)),
    (numpy.sort, (M,)),
    (numpy.cumprod, (M, 1)),
    (numpy.nan_to_num, (M,)),
    (numpy.nan_to_num, (M, False)),
    (numpy.real, (M,)),
    (numpy.imag, (M + 0j,)),
    (numpy.conjugate, (M,)),
    (numpy.float64, (M,)),
    (numpy.full_like, (M, 1.0)),
    (numpy.median, (M, 0)),
    (numpy.linalg.pinv, (M,)),
    (numpy.linalg.qr, (M.T,)),
    (numpy.gradient, (M,)),
    (sorted, ([M[0, :1], M[1, :1]],)),
]


def _shares(result, argument) -> bool:
    parts = result if isinstance(result, (list, tuple)) else [result]
    return any(numpy.shares_memory(p, argument) for p in parts if isinstance(p, numpy.ndarray))


@pytest.mark.parametrize(("func", "args"), CALLS, ids=[f.__name__ for f, _ in CALLS])
def test_a_rule_that_may_return_a_view_is_in_the_views_table(func, args):
    assert func in default_rules()
    if _shares(func(*args), args[0]):
        assert func in VIEWS, f"numpy.{func.__name__} returned a view: add it to normalize.memory.VIEWS"


W = numpy.arange(1.0, 13.0).reshape(3, 4) / 6.0
X = numpy.random.default_rng(7).uniform(0.5, 1.5, (3, 4))


def flip_then_base(x):
    y = x * 2.0
    v = numpy.flip(y)
    v[0] = 3.0 * x[1]
    return numpy.sum(y * W)


def rot90_in_place_then_base(x):
    y = x * 1.0
    v = numpy.rot90(y)
    v *= x[0, 0]
    return numpy.sum(y * W)


def moveaxis_then_base(x):
    y = x + 1.0
    v = numpy.moveaxis(y, 0, 1)
    v[1] = x[0, :3] ** 2
    return numpy.sum(y * W)


def split_piece_then_base(x):
    y = x + 1.0
    pieces = numpy.split(y, 3)
    first = pieces[0]
    first[0] = x[2] * x[1]
    return numpy.sum(y * W)


def hsplit_piece_then_other(x):
    y = x * 1.5
    pieces = numpy.hsplit(y, 2)
    left, right = pieces[0], pieces[1]
    left[1] = x[0, :2] * 2.0
    return numpy.sum(left**2) + numpy.sum(right * W[:, :2])


def base_write_then_diagonal(x):
    y = x * 1.0
    diagonal = numpy.diag(y)
    y[0, 0] = 5.0 * x[1, 1]
    return numpy.sum(diagonal * W[0, :3]) + numpy.sum(y * W)


def write_into_parameter_then_diagonal(x):
    diagonal = numpy.diagonal(x)
    x[0, 0] = 2.0 * x[1, 1]
    return numpy.sum(x * W) + numpy.sum(diagonal)


def cast_without_copy_then_base(x):
    y = x * 2.0
    v = y.astype(float, copy=False)  # y itself
    v[0] = x[1] ** 2
    return numpy.sum(y * W)


def float64_cast_then_base(x):
    y = x * 2.0
    v = numpy.float64(y)  # y itself
    v[1] = x[0] * 3.0
    return numpy.sum(y * W)


def nan_to_num_in_place_then_base(x):
    y = x + 1.0
    v = numpy.nan_to_num(y, copy=False)  # y itself
    v[2] = x[0] ** 2
    return numpy.sum(y * W) + numpy.sum(v)


def flip_then_view(x):
    y = x * 2.0
    v = numpy.flipud(y)
    v[0] = x[1] ** 2
    return numpy.sum(v * W)


@pytest.mark.parametrize(
    "func",
    [
        flip_then_base,
        rot90_in_place_then_base,
        moveaxis_then_base,
        split_piece_then_base,
        hsplit_piece_then_other,
        base_write_then_diagonal,
        write_into_parameter_then_diagonal,
        cast_without_copy_then_base,
        float64_cast_then_base,
        nan_to_num_in_place_then_base,
        flip_then_view,
    ],
)
def test_a_write_through_a_view_is_differentiated_or_rejected(func):
    """Never a silently wrong gradient: either finite differences agree, or s2sgrad says it cannot."""
    try:
        check_grad(func, [X.copy()], reference=lambda x: func(x.copy()))
    except s2sgrad.TransformError as error:
        assert "share memory" in str(error) or "in place" in str(error), error
