"""Failures the fuzzer found, each reduced to a few lines: regression tests for tests/test_fuzz.py.

Each case is (function, arguments, a note). The note of a case that still fails on the
current compiler says what goes wrong; it is None once fixed. s2sgrad must give f's value,
the finite-difference gradient, and leave the caller's arguments alone, or raise a
TransformError.
"""

from typing import Any, Callable, List, Optional, Tuple

import numpy as np


def ternary_tanh_then_written(x, a):
    a = np.ones(3) if not x else np.tanh(a)  # tanh's adjoint reads its result, which the write changed
    a[-1] -= 3.0
    return a[2]


def branch_tanh_then_written(x, a):
    if x:  # noqa: SIM108 - a branch statement, on purpose (the ternary is the case above)
        a = np.tanh(a)  # was renamed t = tanh(a); a = t: the write into a changed t
    else:
        a = np.ones(3)
    a[-1] -= 3.0
    return a[2] + np.sum(a)


def first_call_runs_f(y, a):
    t = np.sum(np.ones((4, 3)) * y, axis=0)
    a *= 2.0
    return t[-1]


def full_slice_of_itself(x):
    t = np.ones(3) * x
    t[:] = t
    return np.sum(t * t)


def copyto_itself(a):
    t = a * 2.0
    np.copyto(t, t)
    return np.sum(t * t)


def loop_iterable_rebound(x, a):
    s = 0.0
    for row in a:
        a = a + x
        s = s + row
    return s


def fancy_update_through_view_in_loop(a):
    for i in range(2):
        v = a[::-1]
        v[[2, 1]] += a[i]
    return np.sum(a * a)


def fancy_product_through_view_in_loop(x, a):
    for _ in range(1):
        v = a[1:3]
        v[[1, 0]] *= x
    return np.sum(a)


def self_rebinding_between_writes(a):
    t = a * 2.0
    t[1] = np.sum(t * t)
    t = t
    t[2] = 1.0
    return np.sum(t)


def repeated_fancy_index_from_itself(a):
    a[[1, 1, 0]] = a
    return np.sum(a * a)


def out_into_loop_rows(a):
    for row in a:
        np.sin(row, out=row)
    return np.sum(a)


def zero_trip_loop_constant(x):
    k = 0
    while k < 0:
        k += 1
        x = -1.0
    return x * x


def or_with_a_constant_in_a_loop(x, n):
    for i in range(n):
        if not 3.0 or i > 0:
            x = min(x, 1.0)
    return x


def ternary_into_loop_rows(x, a):
    for row in a:
        row[0] += x if row[1] > 0.0 else 1.0
    return np.sum(a * a)


def folded_copy_then_column_view_written(x, a):
    t = a + 0.0
    v = a[:, 1]
    v += x
    return np.sum(a) + np.sum(t * t)


# Found on 458aa06 and fixed since: kept so that they stay fixed.


def alias_written_in_place(x, a):
    b = a
    b *= x
    return np.sum(b)


def loop_rows_written(a):
    for row in a:
        row *= 4.0
    return np.sum(a * a)


def fill_parameter(x, a):
    a += x
    a.fill(1.0)
    return np.sum(a) + x * np.sum(a)


def out_into_local(x, a):
    t = np.zeros(3)
    np.add(a, x, out=t)
    return np.sum(t * t)


def repeated_fancy_update(a):
    t = a * 2.0
    t[[0, 0]] += 2.0
    return np.sum(t * t)


def float_into_int_array(x):
    z = np.zeros(3, dtype=int)
    z[0] = x
    return np.sum(z) * x


def slice_updated_in_place(x, a):
    t = a * 2.0
    t[1:3] *= x
    return np.sum(t)


def folded_copy_written(a):
    a = a * 1.0
    a[1] = np.sum(a)
    return np.sum(a)


def folded_power_written(a):
    t = a**1
    t[0] -= 1.0
    return np.sum(t * a)


def _exp_of(w):
    return np.exp(np.ones(3) * w)  # exp's adjoint reads its result: the gradient's record keeps it


def returned_value_written(x):
    a = _exp_of(x)  # the caller's write went into the callee's record too
    a[0] += 5.0
    return np.sum(a * a)


def returned_value_written_through_a_view_in_a_loop(x):
    s = 0.0
    for i in range(3):
        a = _exp_of(x * i)
        v = a[1:]
        v[0] = v[0] * x
        s = s + np.sum(a * a)
    return s


def _v(*values: float) -> Any:
    return np.array(values)


NUMPY_2 = int(np.__version__.split(".")[0]) >= 2
# Open on NumPy 1.x (Python 3.8 in CI): the adjoint of a repeated fancy-index write whose value is the array
# itself disagrees with finite differences there; NumPy 2 is right.
OLD_NUMPY_REPEATS = "NumPy 1.x: a[[1, 1, 0]] = a, the adjoint of the repeated element differs"

CASES: List[Tuple[Callable, Tuple, Optional[str]]] = [
    (ternary_tanh_then_written, (-0.3, _v(-0.1, -1.3, 0.77)), None),
    (branch_tanh_then_written, (-0.3, _v(-0.1, -1.3, 0.77)), None),
    (first_call_runs_f, (0.5, _v(1.0, 2.0)), None),
    (full_slice_of_itself, (0.5,), None),
    (copyto_itself, (_v(1.0, 2.0, 3.0),), None),
    (loop_iterable_rebound, (0.5, _v(1.0, 2.0, 3.0)), None),
    (fancy_update_through_view_in_loop, (_v(1.0, 2.0, 3.0, 4.0),), None),
    (fancy_product_through_view_in_loop, (0.5, _v(1.0, 2.0, 3.0, 4.0)), None),
    (self_rebinding_between_writes, (_v(1.0, 2.0, 3.0),), None),
    (repeated_fancy_index_from_itself, (_v(1.0, 2.0, 3.0),), None if NUMPY_2 else OLD_NUMPY_REPEATS),
    (out_into_loop_rows, (_v(1.0, 2.0) * _v(1.0, 3.0)[:, None],), None),
    (zero_trip_loop_constant, (0.5,), None),
    (or_with_a_constant_in_a_loop, (-0.5, 3), None),
    (ternary_into_loop_rows, (0.5, _v(1.0, 2.0) * _v(1.0, -3.0)[:, None]), None),
    (folded_copy_then_column_view_written, (0.5, _v(1.0, 2.0) * _v(1.0, 3.0)[:, None]), None),
    (alias_written_in_place, (0.5, _v(1.0, 2.0)), None),
    (loop_rows_written, (_v(1.0, 2.0) * _v(1.0, 3.0)[:, None],), None),
    (fill_parameter, (0.5, _v(1.0, 2.0, 3.0)), None),
    (out_into_local, (0.5, _v(1.0, 2.0, 3.0)), None),
    (repeated_fancy_update, (_v(1.0, 2.0, 3.0),), None),
    (float_into_int_array, (2.5,), None),
    (slice_updated_in_place, (0.5, _v(1.0, 2.0, 3.0)), None),
    (folded_copy_written, (_v(1.0, 2.0, 3.0),), None),
    (folded_power_written, (_v(1.0, 2.0, 3.0),), None),
    (returned_value_written, (0.3,), None),
    (returned_value_written_through_a_view_in_a_loop, (0.3,), None),
]
