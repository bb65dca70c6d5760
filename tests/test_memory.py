"""NumPy's memory semantics (normalize/memory.py): views, aliases and in-place writes.

Every program here was silently wrong once (the soundness issue's table and its random
programs). Each now either gives f's value and the finite-difference gradient, without
changing the caller's arrays, or is rejected at its line with a TransformError.
Functions that change their own arguments are checked on fresh copies of the arguments
for every evaluation (``pure``), as the gradient is the derivative at those arguments.
"""

import copy
import functools

import numpy as np
import pytest
from gradcheck import check_arguments_unchanged, check_grad, check_structured_grad

import s2sgrad

RNG = np.random.default_rng(8)
GLOBAL_ARRAY = np.array([1.0, 2.0, 3.0])


def vector(n):
    return RNG.normal(size=n)


# ----- writes after an operation the optimizer folds (x * 1.0 is not x) -----


def written_after_times_one(x):
    y = x * 1.0
    y[0] = 10.0
    return np.sum(y * x * x)


def written_after_plus_zero(x):
    y = x + 0.0
    y[1] = 2.0
    return np.sum(y * x)


def written_after_power_one(x):
    y = x**1
    y[1] = 2.0
    return np.sum(y * x)


def view_times_one_written(x):
    y = x[:] * 1.0
    y[0] = 10.0
    return np.sum(y * x * x)


def filled(x):
    y = x / 1.0
    y.fill(2.0)
    return np.sum(y * x)


def exp_into_itself(x):
    y = x * 1.0
    np.exp(y, out=y)
    return np.sum(y * x)


def twice_computed_then_written(x):
    a = x * 2.0
    b = x * 2.0
    b[0] = 0.0
    return np.sum(a * b)


# ----- out=, copyto, fill -----


def multiply_out(x, y):
    z = np.zeros(3)
    np.multiply(x, y, out=z)
    return np.sum(z * z)


def result_of_out_call(x):
    z = np.zeros(3)
    w = np.sin(x, out=z)
    return np.sum(w * x) + np.sum(z)


def out_broadcasts_into_a_larger_array(x):
    z = np.ones((2, 3))
    np.multiply(x, 2.0, out=z)
    return np.sum(z * z)


def out_into_int_array(x):
    z = np.zeros(3)
    np.copyto(z, x * x)
    return np.sum(z * x)


def clip_out(x):
    y = np.zeros(3)
    np.clip(x * 3.0, -1.0, 1.0, out=y)
    return np.sum(y * x)


# ----- an output passed by position writes as out= does -----


def ufunc_output_by_position(W, x):
    y = np.zeros(3)
    np.tanh(W @ x, y)
    return np.sum(y * y)


def binary_ufunc_output_by_position(a, b):
    y = np.empty(3)
    w = np.add(a, b, y)
    return np.sum(y * w * a)


def reduction_output_by_position(a):
    y = np.zeros(3)
    np.sum(a * a, 0, None, y, False)  # out, then keepdims: both by position
    return np.sum(y * a[0])


def method_output_by_position(a):
    y = np.zeros(3)
    (a * a).sum(0, None, y)
    return np.sum(y * a[1])


def scaled_by(x, out):
    return x * out


def user_parameter_named_out(a, b):
    """A user's function's parameter named out is no output, by position or by name: nothing is written into b."""
    return np.sum(scaled_by(a, b) * b) + np.sum(scaled_by(a, out=b))


def zero_d_written_whole(a):
    """A 0-d array written whole, then read as a number: its adjoint is a number, not an array."""
    y = np.zeros(())
    y[...] = np.sum(a * a)
    return float(y) * 2.0 + y * a[0]


def zero_d_out(a):
    y = np.zeros(())
    np.sum(a * a, 0, None, y)
    return float(y) * 2.0


def clip_output_by_position(x):
    y = np.zeros(3)
    np.clip(x * 3.0, -1.0, 1.0, y)
    return np.sum(y * x)


# ----- fancy indices with repeated elements: the last write wins -----


def repeated_index_added(x, v):
    y = x * 1.0
    y[[0, 0]] += v
    return np.sum(y * y)


def repeated_index_assigned(x, v):
    y = x * 1.0
    y[[0, 2, 0]] = v
    return np.sum(y * y * x)


def mask_assigned(x, v):
    y = x * 2.0
    y[x > 0.0] = v
    return np.sum(y * y)


# ----- writes through views into memory that is read again -----


def view_written_base_read_before(x):
    y = x * 2.0
    s = np.sum(y * x)
    v = y[0:2]
    v[0] = 1.0
    return s + np.sum(v * v)


def parameter_view_written(x, w):
    s = np.sum(x * w)
    v = x[:2]
    v[0] = 1.0
    return s + np.sum(v * w[:2])


def reshaped_view_read_before_write(x, w):
    t = x * 1.0
    u = t.reshape(-1)
    s = np.sum(u * w)
    t[0] = 3.0
    return s + np.sum(t * w)


def row_scaled_in_place(a, b):
    a[2, :] *= b[1, 2]
    return np.sum(a * a)


def column_scaled_by_another(a, n):
    t = np.sin(a)
    t[:, 1] *= t[:, n]
    return np.sum(t)


def int_array_cuts_the_dependence(x):
    y = np.zeros(3, dtype=int)
    y[0] = x
    return y[0] * x + x


def in_place_on_a_fresh_array_in_a_loop(x):
    s = 0.0
    for i in range(3):
        t = x * (i + 1.0)
        t += np.sin(t)
        s = s + np.sum(t * x)
    return s


# ----- writes through a view change its base (written back: y[index] = v) -----


def strided_view_updated(x):
    y = x * 2.0
    v = y[::2]
    v *= 3.0
    return np.sum(y * x)


def rows_updated_in_a_loop(a):
    for row in a:
        row *= 4.0
    return np.sum(a * a)


def rows_of_a_copy_scaled(x, a):
    t = a * 1.0
    for row in t:
        row *= x
    return np.sum(t * t)


def row_view_filled(x):
    y = np.zeros((3, 3))
    for i in range(3):
        row = y[i]
        row[:] = x * i
    return np.sum(y * y)


def element_of_a_listed_array_written(x):
    ys = [x * 1.0, x * 2.0]
    y = ys[0]
    y[0] = 7.0
    return np.sum(ys[0] * x)


def view_made_in_a_while_loop(x):
    y = x * 1.0
    k = 0
    while k < 2:
        w = y[:]
        w[k] = w[k] * 3.0
        k += 1
    return np.sum(y * x)


def newaxis_view_written(x):
    y = x * 2.0
    v = y[:, np.newaxis]  # np.newaxis is None: basic indexing, a view
    v[1, 0] = 9.0 * x[2]
    return np.sum(y * x)


def copy_then_rebind_then_write(x):
    y = x * 2.0
    z = y
    y = y + 1.0
    z[0] = 3.0
    return np.sum(y * z)


def copied_onto_itself(a, x):
    np.copyto(a, a)
    return np.sum(a * a) * x


def written_into_its_repeated_elements(a, x):
    a[[0, 0, 1]] = a[:3] * x
    return np.sum(np.sin(a))


def whole_array_into_itself(x):
    t = np.ones(3) * x
    t[:] = t
    return np.sum(t * t)


def _spread(a):
    return np.var(a) * 3.0


def helper_reads_a_copy_that_is_written_later(a):
    s = _spread(a * 1.0)
    a[:, -1] = -1.0
    return np.sum(a * a) + s


# the soundness issue's reduced random programs


def min_added_in_place_then_written(x1, a1):
    for _ in range(3):
        a1 += a1.min()
        a1[-5] = x1
    return np.sum(a1)


def while_loop_reads_then_writes(x0, x1):
    t0 = np.ones((4, 4))
    k0 = 0
    while k0 < 4:
        k0 += 1
        x0 -= t0[1, k0 - 1]
        t0[1, k0 - 1] = x1
    return x0


def loop_broken_before_rebinding(a1):
    for _ in a1:
        break
        a1 = np.max(a1, axis=1, keepdims=True)  # unreachable, as the fuzzer wrote it
    return np.sum(a1)


def parameter_sorted(x, w):
    x.sort()
    return np.sum(x * w)


def scratch_written_by_helper(x):
    flags = np.zeros(3, dtype=int)
    return np.sum(x * x) * _count_positive(flags, x)


def _count_positive(flags, x):
    flags[:] = x > 0.0
    return np.sum(flags) + 1.0


def written_by_helper_then_unused(x):
    return _scaled_first(x * 1.0) + np.sum(x)


def _scaled_first(a):
    a[0] *= 3.0
    return np.sum(a * a)


PROGRAMS = [
    # y is known to be an array of the list (its elements' kind): written into a copy, then written back
    (element_of_a_listed_array_written, (vector(3),), 0),
    (written_by_helper_then_unused, (vector(3),), 0),
    (written_after_times_one, (vector(3),), 0),
    (written_after_plus_zero, (vector(3),), 0),
    (written_after_power_one, (vector(3),), 0),
    (view_times_one_written, (vector(3),), 0),
    (filled, (vector(3),), 0),
    (exp_into_itself, (vector(3),), 0),
    (twice_computed_then_written, (vector(3),), 0),
    (multiply_out, (vector(3), vector(3)), (0, 1)),
    (parameter_sorted, (vector(3), vector(3)), (0, 1)),  # x.sort() is x[...] = numpy.sort(x), x copied on entry
    (result_of_out_call, (vector(3),), 0),
    (out_broadcasts_into_a_larger_array, (vector(3),), 0),
    (out_into_int_array, (vector(3),), 0),
    (clip_out, (np.array([0.1, -0.2, 0.9]),), 0),
    (ufunc_output_by_position, (np.eye(3) * 0.5 + 0.1 * vector((3, 3)), vector(3)), (0, 1)),
    (binary_ufunc_output_by_position, (vector(3), vector(3)), (0, 1)),
    (reduction_output_by_position, (vector((2, 3)),), 0),
    (method_output_by_position, (vector((2, 3)),), 0),
    (clip_output_by_position, (np.array([0.1, -0.2, 0.9]),), 0),
    (user_parameter_named_out, (vector(3), vector(3)), (0, 1)),
    (zero_d_written_whole, (vector(3),), 0),
    (zero_d_out, (vector(3),), 0),
    (repeated_index_added, (vector(3), 1.3), (0, 1)),
    (repeated_index_assigned, (vector(3), vector(3)), (0, 1)),
    (mask_assigned, (np.array([0.5, -1.0, 2.0]), 0.7), (0, 1)),
    (view_written_base_read_before, (vector(3),), 0),
    (parameter_view_written, (vector(3), vector(3)), (0, 1)),
    (reshaped_view_read_before_write, (vector(3), vector(3)), (0, 1)),
    (row_scaled_in_place, (vector((3, 3)), vector((3, 3))), (0, 1)),
    (column_scaled_by_another, (vector((3, 3)), 2), 0),
    (int_array_cuts_the_dependence, (1.7,), 0),
    (in_place_on_a_fresh_array_in_a_loop, (vector(3),), 0),
    (scratch_written_by_helper, (vector(3),), 0),
    (strided_view_updated, (vector(4),), 0),
    (rows_updated_in_a_loop, (vector((2, 3)),), 0),
    (rows_of_a_copy_scaled, (0.5, vector((2, 3))), (0, 1)),
    (row_view_filled, (vector(3),), 0),
    (view_made_in_a_while_loop, (vector(3),), 0),
    (newaxis_view_written, (vector(3),), 0),
    (copy_then_rebind_then_write, (vector(3),), 0),
    (copied_onto_itself, (vector(3), 0.7), (0, 1)),
    (written_into_its_repeated_elements, (vector(4), 0.7), (0, 1)),
    (whole_array_into_itself, (0.5,), 0),
    (helper_reads_a_copy_that_is_written_later, (vector((3, 4)),), 0),
    (min_added_in_place_then_written, (0.7, vector(6)), (0, 1)),
    (while_loop_reads_then_writes, (0.3, 0.8), (0, 1)),
    (loop_broken_before_rebinding, (vector((3, 3)),), 0),
]


def dict_copied_then_item_replaced(p, x):
    q = dict(p)  # a new dict of the same arrays: replacing an item leaves p alone
    q["a"] = x * q["a"]
    return np.sum(q["a"] * p["a"]) + np.sum(q["b"] ** 2)


def list_copied_then_item_replaced(xs, x):
    ys = list(xs)
    ys[0] = x * ys[0]
    return np.sum(ys[0] * xs[0]) + np.sum(ys[1] * x)


def zero_d_array_written(x):
    y = np.array(x[0] * 2.0)  # 0-d: NumPy makes y * x[2] a number, and the adjoint of y with it
    y[...] = x[1] * y
    return y * x[2]


def zero_d_array_written_in_a_loop(x):
    y = np.array(x[0] * 2.0)
    for _ in range(3):
        y[...] = x[1] * y + x[2]
    return y * x[2]


PROGRAMS += [(zero_d_array_written, (vector(3),), 0), (zero_d_array_written_in_a_loop, (vector(3),), 0)]


def list_copied_by_its_method_then_appended_to(xs, x):
    ys = xs.copy()  # list.copy(): a list of the same arrays (not numpy.copy's array of them)
    ys.append(xs[0] * x)
    return np.sum(ys[0] * ys[1] * ys[2])


def dict_copied_by_its_method_gains_a_key(p, x):
    q = p.copy()
    q["c"] = q["a"] * x  # p's gradient has p's keys only
    return np.sum(q["a"] * q["b"] * q["c"])


CONTAINER_PROGRAMS = [
    (dict_copied_then_item_replaced, ({"a": vector(3), "b": vector(3)}, vector(3))),
    (list_copied_then_item_replaced, ([vector(3), vector(3)], vector(3))),
    (list_copied_by_its_method_then_appended_to, ([vector(3), vector(3)], vector(3))),
    (dict_copied_by_its_method_gains_a_key, ({"a": vector(3), "b": vector(3)}, vector(3))),
]
PROGRAMS += [(func, args, 1) for func, args in CONTAINER_PROGRAMS]


# ----- x[k] += v into a list's array item: Python changes the item itself -----


def accumulated_into_distinct_items(a, b):
    acc = [a * 0.0, a * 0.0]  # two arrays: a change to one is not seen through the other
    for i in range(2):
        acc[i] += a * b + i
    return np.sum(acc[0] * acc[1])


def item_added_to_nothing_else_reads(a, b):
    xs = [a, b]
    xs[0] += b  # changes a too, which is not read again
    return np.sum(xs[0] * xs[0] * xs[1])


def item_of_a_copy_of_distinct_items_written(a, b):
    xs = [a * 1.0, b * 1.0]
    ys = list(xs)
    t = ys[0]
    t += b
    return np.sum(ys[0] * ys[1])


def array_copied_in_fortran_order(a, b):
    c = a.copy(order="F")
    c *= b
    return np.sum(c * a)


PROGRAMS += [
    (accumulated_into_distinct_items, (vector(3), vector(3)), (0, 1)),
    (item_added_to_nothing_else_reads, (vector(3), vector(3)), (0, 1)),
    (item_of_a_copy_of_distinct_items_written, (vector(3), vector(3)), (0, 1)),
    (array_copied_in_fortran_order, (vector((2, 3)), vector((2, 3))), (0, 1)),
]


@pytest.mark.parametrize(("func", "args"), [pytest.param(*p, id=p[0].__name__) for p in CONTAINER_PROGRAMS])
def test_the_container_argument_gradient_matches_finite_differences(func, args):
    check_structured_grad(func, args, index=0)


def pure(func):
    """``func`` on copies of its arguments: what the gradient at those arguments is the derivative of."""

    @functools.wraps(func)
    def on_copies(*args):
        return func(*copy.deepcopy(args))

    return on_copies


@pytest.mark.parametrize(("func", "args", "wrt"), [pytest.param(*p, id=p[0].__name__) for p in PROGRAMS])
def test_gradient_matches_finite_differences(func, args, wrt):
    check_grad(func, args, wrt=wrt, reference=pure(func))


@pytest.mark.parametrize(("func", "args", "wrt"), [pytest.param(*p, id=p[0].__name__) for p in PROGRAMS])
def test_unoptimized_gradient_matches_too(func, args, wrt):
    check_grad(func, args, wrt=wrt, reference=pure(func), optimize=False)


@pytest.mark.parametrize(("func", "args", "wrt"), [pytest.param(*p, id=p[0].__name__) for p in PROGRAMS])
def test_the_caller_arrays_are_left_alone(func, args, wrt):
    check_arguments_unchanged(func, args, wrt=wrt)


def test_the_int_array_write_has_no_derivative():
    assert s2sgrad.grad(int_array_cuts_the_dependence)(1.7) == pytest.approx(1.0 + 1.0)


def test_the_last_of_repeated_elements_gets_the_adjoint():
    x, v = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    dv = s2sgrad.grad(repeated_index_assigned, wrt=1)(x, v)
    # y = [v[2], x[1], v[1]]: v[0] is overwritten by v[2]; f = v[2]**2 x[0] + x[1]**3 + v[1]**2 x[2]
    assert np.allclose(dv, [0.0, 2 * v[1] * x[2], 2 * v[2] * x[0]])


# ----- rejected: a write that another name would see -----


def alias_updated_in_place(a):
    b = a
    b += 1.0
    return np.sum(a * a)


def chained_assignment_written(a):
    x = y = np.zeros(3)
    x[0] = a
    return np.sum(y) * a


def transposed_view_updated(x):
    y = np.outer(x, x)
    t = y.T
    t += 1.0
    return np.sum(y * y)


def reshaped_view_written(x):
    y = x * 2.0
    r = y.reshape(-1)
    r[0] = 1.0
    return np.sum(y * x)


def asarray_alias_updated(x):
    y = x * 2.0
    z = np.asarray(y)
    z += 1.0
    return np.sum(y * x)


def global_written(x):
    a = np.sum(GLOBAL_ARRAY * x)
    GLOBAL_ARRAY[0] = 5.0
    return a


def global_alias_written(x):
    g = GLOBAL_ARRAY
    g[0] = x
    return np.sum(GLOBAL_ARRAY)


def _writes_first(a, b):
    a[0] = 5.0
    return np.sum(a * b)


def same_array_twice_to_a_writing_helper(x):
    y = x * 1.0
    return _writes_first(y, y)  # in Python, b sees the write into a


def helper_changes_what_the_caller_reads(x):
    y = x * 1.0
    s = _scaled_first(y)
    return s + np.sum(y * y)


def added_at(x):
    z = np.zeros(3)
    np.add.at(z, [0, 0], x[:2])
    return np.sum(z)


def put_into(x):
    y = x * 2.0
    np.put(y, [0], 1.0)
    return np.sum(y)


def view_made_after_the_write_in_a_loop(a, b):
    for k in range(2):
        b = np.sin(b)
        for row in a:
            a[-1 - k] = row * 2.0
            a = b[1:]
    return np.sum(b) + np.sum(np.sin(a))


def scalar_or_view_updated(a, n):
    """``a`` has no one rank (a different shape on each path), so ``x = a[-1, 3]`` may be a number that
    ``x *= ...`` only rebinds, or a view it writes through: s2sgrad cannot tell, and says so."""
    if n < 1:
        a = a.T.reshape(3, 4)
    x = a[-1, 3]
    x *= 2.0
    return x + np.mean(a)


def appended_to_the_callers_list(xs, x):
    xs.append(x)
    return xs[0] * x


def item_of_the_callers_dict_replaced(p, x):
    p["a"] = x * p["a"]
    return np.sum(p["a"])


def item_of_a_shallow_copy_written(xs, x):
    ys = list(xs)  # a new list of the caller's arrays: a holds xs[0] itself
    a = ys[0]
    a[0] = x * 2.0
    return np.sum(a * xs[0])


def dict_in_a_list_written(ps, x):
    q = ps[0]
    q["a"] = x * q["a"]
    return np.sum(ps[0]["a"])


def dict_written_through_a_list_of_it(x):
    d = {"a": x * np.ones(3)}
    q = [d][0]
    q["a"] = x * q["a"]
    return np.sum(d["a"])


def view_by_a_slice_object_written(x):
    y = x * 2.0
    s = slice(1, 3)
    v = y[s]  # a view, as y[1:3]: only an index array or a list copies
    v[0] = 9.0 * x[2]
    return np.sum(y * x)


def view_by_an_index_parameter_updated(x, index):
    y = x * 2.0
    v = y[index]  # index may be None, ..., a slice: a view
    v *= x
    return np.sum(y * x)


REJECTED = [
    (alias_updated_in_place, (vector(3),), "'a' is read afterwards"),
    (chained_assignment_written, (1.5,), "'y' is read afterwards"),
    (transposed_view_updated, (vector(3),), "'y' is read afterwards"),
    (reshaped_view_written, (vector(3),), "'y' is read afterwards"),
    (asarray_alias_updated, (vector(3),), "'y' is read afterwards"),
    (global_written, (vector(3),), "global or closure array"),
    (global_alias_written, (1.5,), "global or closure array"),
    (helper_changes_what_the_caller_reads, (vector(3),), "changes its argument 'a' in place"),
    (same_array_twice_to_a_writing_helper, (vector(3),), "changes its argument 'a' in place, which changes 'b'"),
    (added_at, (vector(3),), "changes an array in place"),
    (put_into, (vector(3),), "changes an array in place"),
    (appended_to_the_callers_list, ([1.0, 2.0], 1.5), "changes the caller's 'xs'"),
    (item_of_the_callers_dict_replaced, ({"a": vector(3)}, 1.5), "changes the caller's 'p'"),
    (item_of_a_shallow_copy_written, ([vector(3)], 1.5), "'xs' is read afterwards"),
    (dict_in_a_list_written, ([{"a": vector(3)}], 1.5), "'ps' is read afterwards"),
    (dict_written_through_a_list_of_it, (1.5,), "'d' is read afterwards"),
    (view_made_after_the_write_in_a_loop, (vector(3), vector(4)), "is read afterwards"),
    (scalar_or_view_updated, (vector((3, 4)), 3), "'a' is read afterwards"),
    (view_by_a_slice_object_written, (vector(3),), "'y' is read afterwards"),
    (view_by_an_index_parameter_updated, (vector(3), None), "'y' is read afterwards"),
]


@pytest.mark.parametrize(("func", "args", "message"), [pytest.param(*r, id=r[0].__name__) for r in REJECTED])
def test_rejected_at_the_write(func, args, message):
    wrt = len(args) - 1 if isinstance(args[-1], float) else 0
    with pytest.raises(s2sgrad.TransformError) as caught:
        s2sgrad.grad(func, wrt=wrt)(*args)
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{__file__}:{caught.value.line}:")
    assert GLOBAL_ARRAY.tolist() == [1.0, 2.0, 3.0]


# ----- the rest of the soundness table -----


def _noisy(x):
    return x * np.random.rand()


def calls_a_helper_that_draws(x):
    return _noisy(x) ** 2


def test_a_helper_that_draws_random_numbers_draws_once():
    """The helper runs once, in the caller's forward sweep: the derivative is taken at the number drawn."""
    np.random.seed(7)
    drawn, after_one_call = np.random.rand(), np.random.rand()
    np.random.seed(7)
    value, gradient = s2sgrad.value_and_grad(calls_a_helper_that_draws)(1.5)
    assert np.random.rand() == after_one_call, "the gradient call drew exactly one number"
    assert value == pytest.approx((1.5 * drawn) ** 2, rel=1e-15)
    assert gradient == pytest.approx(2 * 1.5 * drawn**2, rel=1e-15)


def test_one_array_passed_for_two_parameters_of_which_one_is_written_is_an_error():
    """f(a, a) where f writes into x: the gradient's copy of x would hide the write from y."""
    a = vector(3)
    before = a.copy()
    g = s2sgrad.value_and_grad(_writes_first, wrt=(0, 1))
    with pytest.raises(ValueError, match="'a' is written in place and 'b' shares memory with it"):
        g(a, a)
    with pytest.raises(ValueError, match="shares memory"):
        g(a, a[::-1])  # a view of it
    assert a.tolist() == before.tolist()
    check_grad(_writes_first, (a.copy(), a[::-1].copy()), wrt=(0, 1))  # separate arrays: fine


def nested_list_product(p):
    return p[0][0] * p[1] + p[0][1] ** 2


def test_nested_list_adjoints_add_element_by_element():
    g = s2sgrad.grad(nested_list_product)([[1.5, 3.0], 2.0])
    assert g == [[2.0, 6.0], 1.5]


def _chatty(x, log):
    log.append(x)
    print("chatty", x)
    return x * x


def calls_a_printing_helper(x):
    return _chatty(x, []) * 2.0


def _chatty_loop(x, n):
    for i in range(n):
        if x > 0.0:
            print("chatty in a loop", i)  # nested two blocks deep
        x = x * 1.5
    return x


def calls_a_helper_printing_in_a_loop(x):
    return _chatty_loop(x, 3) * 2.0


@pytest.mark.parametrize(
    ("func", "text", "count"),
    [(calls_a_printing_helper, "chatty", 1), (calls_a_helper_printing_in_a_loop, "chatty in a loop", 3)],
    ids=["flat", "in_a_loop"],
)
def test_a_helper_prints_once_per_gradient_call(capsys, func, text, count):
    """The caller's forward sweep runs the helper (its forward function); its reverse sweep only reads the record."""
    for transform in (s2sgrad.grad, s2sgrad.value_and_grad):
        transform(func)(1.5)
        assert capsys.readouterr().out.count(text) == count


def prints_in_a_loop_of_helper_calls(x):
    for _ in range(3):
        x = _chatty(x, []) * 0.5
    print("done")
    return x


def _square_of(x):
    return x * x


def _relays_to_a_printing_helper(x):
    y = _square_of(x) + _square_of(x)  # the second call's callee was looked at already
    return 0.5 * (2.0 * _chatty(y, []))  # nested deeper: looked at after both calls above


def drops_a_printing_helpers_value(x):
    _unused = _relays_to_a_printing_helper(x)  # dead for the gradient, yet its call prints
    return x * np.sin(x)


def test_a_helper_whose_value_is_dropped_still_prints_once(capsys):
    """Dead code elimination keeps a call of a helper that prints, here through a helper it calls."""
    s2sgrad.grad(drops_a_printing_helpers_value)(1.5)
    assert capsys.readouterr().out.count("chatty") == 1
    check_grad(drops_a_printing_helpers_value, (1.5,))


def test_each_call_prints_once_the_first_gradient_call_included(capsys):
    """The first call compiles (nothing in it runs the function); later kinds compile again, the same way."""
    for argument in (1.5, np.array([1.5, 0.5]), 0.5):
        transform = s2sgrad.grad if np.ndim(argument) == 0 else s2sgrad.value_and_grad
        transform(lambda x: np.sum(prints_in_a_loop_of_helper_calls(x)))(argument)
        out = capsys.readouterr().out
        assert (out.count("chatty"), out.count("done")) == (3, 1)


def fancy_index_then_written(x):
    y = x * 2.0
    v = y[np.array([0, 1])]  # an integer array index copies: the write leaves y as it was
    v[0] = 5.0
    return np.sum(v) * np.sum(y * x)


def view_of_the_parameter_written_in_a_branch(x):
    v = x[0:2]  # a view of the caller's array, written in another block: no write-back, a copy
    if np.sum(v) > 0:
        v[0] = 3.0
    return np.sum(v * v)


@pytest.mark.parametrize("x", [np.array([0.5, -0.3, 0.8]), np.array([-0.5, -0.3, 0.8])])
def test_writes_into_a_copy_made_by_fancy_indexing_or_into_a_view_of_a_parameter(x):
    check_grad(fancy_index_then_written, (x,))
    check_grad(view_of_the_parameter_written_in_a_branch, (x,))
    check_arguments_unchanged(view_of_the_parameter_written_in_a_branch, (x,))


def element_write_into_a_float(x):
    y = x * 2.0
    y[0] = 1.0
    return y


def test_an_element_write_into_a_float_fails_as_it_does_in_python():
    # a float shares no memory: the pass leaves the write alone, and it raises Python's own error when it runs
    with pytest.raises(TypeError, match="'float' object does not support item assignment"):
        element_write_into_a_float(0.5)
    with pytest.raises(TypeError, match="'float' object does not support item assignment"):
        s2sgrad.grad(element_write_into_a_float)(0.5)


GLOBAL_ITEMS = [np.array([1.0, 2.0]), np.array([0.5, 0.5])]


def adds_into_a_global_lists_item(x):
    items = [GLOBAL_ITEMS[0], x * 2.0]  # a list of the function's own, holding a global array
    items[0] += x  # changes the global array itself
    return np.sum(items[0] * x)


def adds_into_a_list_of_numbers(x):
    weights = [1.0, 2.0]
    weights[0] += x[0]  # a float: a new number, nothing else holds it
    return weights[0] * np.sum(x) + weights[1]


def test_an_item_update_of_a_global_lists_array_is_rejected():
    with pytest.raises(s2sgrad.TransformError, match="may be a global or closure array"):
        s2sgrad.grad(adds_into_a_global_lists_item)(np.array([0.3, 0.4]))


def test_an_item_update_of_a_list_of_numbers():
    check_grad(adds_into_a_list_of_numbers, (np.array([0.3, -0.4]),))
