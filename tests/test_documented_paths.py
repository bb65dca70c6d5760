"""Paths the design documents that no other test reaches, each checked against finite differences.

Found by mutation testing: a planted bug on each of these paths passed the rest of the suite.
"""

import numpy
import pytest
from gradcheck import check_grad, check_jvp, check_structured_grad, numeric_jvp

import s2sgrad

RNG = numpy.random.default_rng(7)


# ----- a loop's iteration count, saved when an enclosing loop runs it again (transform/storage.py) -----


def while_break_in_a_for(x, n):
    """The inner while runs a different number of times in each outer iteration."""
    total = 0.0
    for i in range(n):
        y = x * (i + 1.0)
        while y < 10.0:
            y = y * 1.5
            if y > 7.0:
                break
        total = total + y * x
    return total


def for_break_in_a_while(x, stop):
    """A for loop left by break, nested in a while: its count is pushed once per outer iteration."""
    total = x
    rounds = 0
    while rounds < stop:
        for k in range(5):
            total = total * 1.1 + x * k
            if total > 3.0 * (rounds + 1):
                break
        total = total * 0.5
        rounds = rounds + 1
    return total


def while_in_a_while(x):
    """Both loops are counted; the inner count differs per outer turn."""
    outer = 0
    s = x
    while outer < 3:
        inner = 0.0
        while inner < outer + s:
            s = s * 1.2 + 0.1
            inner = inner + 1.0
        s = s / (1.0 + inner)
        outer = outer + 1
    return s * x


@pytest.mark.parametrize(
    ("func", "args"),
    [(while_break_in_a_for, (0.9, 4)), (for_break_in_a_while, (0.4, 3)), (while_in_a_while, (0.7,))],
    ids=["while_break_in_a_for", "for_break_in_a_while", "while_in_a_while"],
)
@pytest.mark.parametrize("optimize", [True, False], ids=["optimized", "raw"])
def test_nested_loop_counts(func, args, optimize):
    check_grad(func, args, optimize=optimize)


def test_the_inner_trip_counts_differ():
    """The point above exercises the path: the inner loop runs 2, 1 and 0 times (so one saved count is wrong)."""
    trips = []
    for i in range(3):
        y, count = 0.9 * (i + 1.0), 0
        while y < 10.0:
            y, count = y * 1.5, count + 1
            if y > 7.0:
                break
        trips.append(count)
    assert len(set(trips)) == 3, trips


# ----- break inside a reversed range (transform/sweep.py) -----


def reversed_range_with_break(x, limit):
    s = 0.0
    for i in reversed(range(len(x))):
        s = s * 0.5 + x[i] * x[i]
        if s > limit:
            break
    return s * numpy.sum(x)


def reversed_range_with_break_in_a_loop(x, rounds):
    total = 0.0
    for r in range(rounds):
        s = 0.0
        for i in reversed(range(len(x))):
            s = s * 0.5 + x[i] * (r + 1.0)
            if s > 1.0 + r:
                break
        total = total + s * s
    return total


@pytest.mark.parametrize("limit", [0.8, 100.0], ids=["breaks", "runs_through"])
def test_break_inside_a_reversed_range(limit):
    x = numpy.array([0.9, -0.4, 0.7, 1.1, 0.6])
    check_grad(reversed_range_with_break, (x, limit))
    check_grad(reversed_range_with_break, (x, limit), optimize=False)


def test_break_inside_a_reversed_range_nested():
    check_grad(reversed_range_with_break_in_a_loop, (numpy.array([0.3, 0.8, -0.5, 0.9, 0.4]), 3))


# ----- runtime.py: batched matmul with a vector, dict adjoints added -----


def batched_matrix_times_vector(a, v):
    return numpy.sum(numpy.tanh(a @ v) * numpy.arange(1.0, 4.0)[:, None])


def vector_times_batched_matrix(v, a):
    return numpy.sum(numpy.sin(v @ a) * numpy.arange(1.0, 4.0)[:, None])


@pytest.mark.parametrize(
    ("func", "shapes", "wrt"),
    [
        (batched_matrix_times_vector, ((3, 2, 4), (4,)), (0, 1)),
        (vector_times_batched_matrix, ((2,), (3, 2, 4)), (0, 1)),
        (vector_times_batched_matrix, ((2,), (2, 3, 2, 4)), (0, 1)),
    ],
    ids=["nd_at_1d", "1d_at_nd", "1d_at_4d"],
)
def test_batched_matmul_with_a_vector(func, shapes, wrt):
    args = tuple(RNG.uniform(-1.0, 1.0, shape) for shape in shapes)
    check_grad(func, args, wrt=wrt)
    check_grad(func, args, wrt=wrt, optimize=False)


def scaled(params, factor):
    return {"w": params["w"] * factor, "b": params["b"] * factor}


def dict_used_twice(params, x):
    """The dict's adjoint gets two contributions, one per helper call: they add key by key."""
    first = scaled(params, x)
    second = scaled(params, x * x)
    return numpy.sum(first["w"] * second["b"]) + numpy.sum(numpy.sin(second["w"]))


def test_dict_adjoints_add_key_by_key():
    params = {"w": RNG.uniform(-1.0, 1.0, 3), "b": RNG.uniform(0.5, 1.5, 3)}
    check_structured_grad(dict_used_twice, (params, 0.8))
    check_grad(dict_used_twice, (params, 0.8), wrt=1)
    assert "add_structured(" in s2sgrad.source(dict_used_twice, args=(params, 0.8)), "the path is not exercised"


# ----- transform/instantiate.py: constant settings (None, strings) never broadcast an operand -----


def clipped_above(x):
    return numpy.sum(numpy.clip(x, None, 0.5))


def contracted(x, y):
    return numpy.sum(numpy.einsum("ij,j->i", x, y))


@pytest.mark.parametrize(
    ("func", "args"),
    [(clipped_above, (RNG.uniform(-1, 1, 4),)), (contracted, (RNG.uniform(-1, 1, (3, 4)), RNG.uniform(-1, 1, 4)))],
    ids=["clip_none", "einsum_spec"],
)
def test_a_setting_argument_needs_no_unbroadcast(func, args):
    """None and an einsum spec are not operands: the adjoint is already the argument's shape."""
    check_grad(func, args, wrt=tuple(range(len(args))))
    assert "unbroadcast(" not in s2sgrad.source(func, wrt=tuple(range(len(args))), args=args)


def squared(x):
    return numpy.sum(numpy.sin(x * x))


@pytest.mark.parametrize("optimize", [True, False], ids=["optimized", "raw"])
def test_an_array_times_itself_needs_no_unbroadcast(optimize):
    """x * x: the other operand is x itself, of x's shape (instantiate.unbroadcast_needed compares names)."""
    x = RNG.uniform(-1.0, 1.0, 4)
    check_grad(squared, (x,), optimize=optimize)
    assert "unbroadcast(" not in s2sgrad.source(squared, args=(x,), optimize=optimize)


# ----- runtime.py: a limit the helpers state raises NotImplementedError, never a wrong number -----


def pad_reflect(x, y):
    return numpy.sum(numpy.pad(x * y, 1, mode="reflect"))


def quantile_nearest(x, y):
    return numpy.quantile(x * y, 0.3, method="nearest")


def quantile_two_axes(x, y):
    return numpy.quantile(x * y, 0.3, axis=(0, 1))


def qr_complete(x, y):
    return numpy.sum(numpy.linalg.qr(x * y, mode="complete")[1])


def interp_period(x, y):
    return numpy.sum(numpy.interp(x, numpy.array([0.0, 1.0, 2.0]), y * 2.0, period=3.0))


def gradient_uneven(x, y):
    return numpy.sum(numpy.gradient(x * y, numpy.array([0.0, 1.0, 3.0, 4.0])))


def eig_rotating(x, y):
    """A real matrix near a rotation: its eigenvalues are complex."""
    return numpy.sum(numpy.abs(numpy.linalg.eig(x * y + numpy.array([[0.0, 4.0], [-4.0, 0.0]]))[0]))


@pytest.mark.parametrize(
    ("func", "shapes", "limit"),
    [
        (pad_reflect, ((4,), (4,)), "numpy.pad in mode 'constant' only, not 'reflect'"),
        (quantile_nearest, ((4,), (4,)), "quantiles with method='linear'"),
        (quantile_two_axes, ((2, 3), (2, 3)), "quantiles over one axis or all of them"),
        (qr_complete, ((3, 2), (3, 2)), "numpy.linalg.qr in mode 'reduced'"),
        (interp_period, ((3,), (3,)), "numpy.interp without period"),
        (gradient_uneven, ((4,), (4,)), r"numpy.gradient with uniform \(scalar\) spacings only"),
        (eig_rotating, ((2, 2), (2, 2)), "numpy.linalg.eig of real matrices with real eigenvalues only"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_a_stated_limit_raises(func, shapes, limit):
    args = tuple(RNG.uniform(-1.0, 1.0, shape) for shape in shapes)
    with pytest.raises(NotImplementedError, match=limit):
        s2sgrad.grad(func, wrt=(0, 1))(*args)


def test_a_stated_limit_raises_in_forward_mode_too():
    x, y = RNG.uniform(0.0, 2.0, 3), RNG.uniform(-1.0, 1.0, 3)
    with pytest.raises(NotImplementedError, match=r"numpy\.interp without period"):
        s2sgrad.jvp(interp_period, (x, y), (None, numpy.ones(3)))
    x, y = RNG.uniform(-1.0, 1.0, (2, 2)), RNG.uniform(-1.0, 1.0, (2, 2))
    with pytest.raises(NotImplementedError, match="these came out complex"):
        s2sgrad.jvp(eig_rotating, (x, y), (None, numpy.ones((2, 2))))


def integer_samples(x, y):
    return numpy.sum(numpy.linspace(x * y, 2.0 * y, 5, dtype=int) * y) + x * y


def test_integer_linspace_samples_have_no_derivative():
    """Samples cast to int are steps: away from their jumps, only the other terms move (0.21 .. 1.4: 0, 0, 0, 1, 1)."""
    check_grad(integer_samples, (0.3, 0.7), wrt=(0, 1))


# ----- runtime.zero_tangent: forward mode from a tuple argument starts from a tuple of zeros -----


def pair_model(p, x):
    a, b = p
    return numpy.sin(a * x) + b * x * x


def test_forward_jacobian_of_a_tuple_argument():
    """One block per element of the tuple, each column matching finite differences; reverse mode agrees."""
    p, x = (RNG.uniform(-1.0, 1.0, 2), RNG.uniform(-1.0, 1.0, 2)), RNG.uniform(0.5, 1.0, 2)
    forward = s2sgrad.jacobian(pair_model, wrt=0, mode="forward")(p, x)
    assert numpy.shape(forward) == (2, 2, 2)  # output element, tuple element, its element
    for k in range(2):
        for j in range(2):
            tangents = [numpy.zeros(2), numpy.zeros(2), None]
            tangents[k][j] = 1.0
            expected = numeric_jvp(lambda a, b, x: pair_model((a, b), x), (*p, x), tangents)
            assert numpy.all(numpy.abs(forward[:, k, j] - expected.value) <= expected.error), (k, j)
    assert numpy.allclose(s2sgrad.jacobian(pair_model, wrt=0, mode="reverse")(p, x), forward, rtol=1e-12, atol=0)


# ----- transform/storage.describe: the storage report, in process (test_cli runs it in a subprocess) -----


def straight_line(x):
    y = numpy.sin(x)
    return y * x


def halvings(x):
    while x > 1.0:
        x = x * 0.5  # linear: its reverse reads no x, so nothing is pushed; only the count is kept
    return x * x


def powers_in_a_for(x, n):
    s = x
    for i in range(n):
        j = 0
        while j < i:
            s = s * x  # reads the old s: pushed
            j = j + 1
    return s


def element_overwritten(x):
    a = numpy.ones(3) * x
    b = numpy.sum(a * a)
    a[0] = x[1] * 2.0  # the reverse of the line above reads the old a[0]
    return b + numpy.sum(a * x)


def line_of(func, offset: int) -> int:
    """The file line ``offset`` lines below ``func``'s ``def``: the report names the lines of the test file."""
    return func.__code__.co_firstlineno + offset


@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        (straight_line, (0.5,), ["#     nothing: no value the reverse sweep reads is overwritten"]),
        (
            halvings,
            (5.0,),
            [
                "while x > 1.0:",
                "#     0 stack pushes per iteration",
                "n_trips: iteration count, one integer kept after the loop",
            ],
        ),
        (
            powers_in_a_for,
            (0.9, 3),
            [
                "for i in range(n):\n#     0 stack pushes per iteration\n#     i: not stored (the reversed range",
                "while j < i:\n#     1 stack push per iteration\n#     s: pushed before each overwrite",
                # a stored value names the line that overwrites it, a count its loop, and both their readers
                f"s: pushed before each overwrite (line {line_of(powers_in_a_for, 5)}); read by the reverse of line "
                f"{line_of(powers_in_a_for, 5)}\n",
                "n_trips: iteration count, pushed after the loop (an enclosing loop runs it again) (the loop); read by "
                f"the reverse of line {line_of(powers_in_a_for, 4)}\n",
            ],
        ),
        (
            element_overwritten,
            (numpy.array([0.5, 1.0, 2.0]),),
            [
                "# outside loops\n#     a: the element written: its old value pushed before each write (line "
                f"{line_of(element_overwritten, 3)}); read by the reverse of line {line_of(element_overwritten, 2)}, "
                f"{line_of(element_overwritten, 4)}\n"
            ],
        ),
    ],
    ids=["nothing", "while_count", "nested_count", "outside_loops"],
)
def test_storage_report(func, args, expected):
    text = s2sgrad.source(func, args=args, report=True)
    report = text[text.index("# storage report: what the reverse sweep stores, per loop\n") :]
    for part in expected:
        assert part in report, f"{part!r} not in\n{report}"
    check_grad(func, args)  # and the stores it lists give the right gradient


# ----- transform/storage.py: a value assigned once in a loop body but read after the loop is not block-local -----


def last_value_after_the_loop(x, n):
    s = 0.0
    for i in range(n):
        y = numpy.sin(x * i)
        s = s + y * y
    return s * y  # the last iteration's y: each iteration's y is pushed for the reverse of its own line


def test_a_loop_value_read_after_the_loop_is_pushed():
    check_grad(last_value_after_the_loop, (0.7, 3))
    check_grad(last_value_after_the_loop, (0.7, 3), optimize=False)
    report = s2sgrad.source(last_value_after_the_loop, args=(0.7, 3), report=True)
    assert "y: pushed before each overwrite" in report


# ----- transform/forward.py: a scalar's tangent is spread to an array result only where no term has its shape -----

OFFSETS = numpy.array([0.5, 1.5, 2.0])


def hypot_with_constants(x):
    return numpy.hypot(x, OFFSETS)  # t = t_x * x / result: reads the result, so has its shape already


def plus_constants(x):
    return x + OFFSETS  # t = t_x: a scalar, spread to the result's shape


@pytest.mark.parametrize(("func", "spread"), [(hypot_with_constants, False), (plus_constants, True)])
def test_a_scalar_tangent_spreads_only_where_needed(func, spread):
    check_jvp(func, (0.7,))
    assert ("broadcast_tangent(" in s2sgrad.source(func, mode="forward", args=(0.7,))) == spread


# ----- transform/sweep.index_expression: an index array next to a slice, in a write that repeats a row -----

ROWS = numpy.array([0, 2, 0])  # row 0 twice: its second write is the one that stays


def rows_and_a_slice_written(x, v):
    y = x * 1.0
    y[ROWS, 1:3] = v * v
    return numpy.sum(numpy.sin(y) * numpy.arange(1.0, 13.0).reshape(3, 4))


def test_a_write_through_an_index_array_and_a_slice():
    args = (RNG.uniform(-1.0, 1.0, (3, 4)), RNG.uniform(-1.0, 1.0, (3, 2)))
    check_grad(rows_and_a_slice_written, args, wrt=(0, 1))
    assert "slice(1, 3" in s2sgrad.source(rows_and_a_slice_written, wrt=(0, 1), args=args), "the path is not exercised"


# ----- transform/forward.owned_copy: a tangent written element by element gets a buffer of its own -----


def copied_then_written(x):
    y = x + 0.0
    y[0] = y[0] * 2.0
    return numpy.sin(y)


def test_a_tangent_written_element_by_element_is_a_copy():
    x, tangent = RNG.uniform(-1.0, 1.0, 3), RNG.uniform(-1.0, 1.0, 3)
    check_jvp(copied_then_written, (x,))
    before = tangent.copy()
    s2sgrad.jvp(copied_then_written, (x,), (tangent,))
    assert numpy.array_equal(tangent, before), "the caller's tangent was written into"


# ----- transform/reverse: returned gradients never share a buffer -----


def sine_of_a_sum(x, w):
    return numpy.sum(numpy.sin(x + w))


def test_gradients_that_would_share_a_buffer_are_copies():
    """x + w: both adjoints are unbroadcast(d_t0, ...), the same array where the shapes agree (instantiate's
    _shared_buffer sees through unbroadcast); the second returned gradient is copied."""
    x, w = RNG.uniform(-1.0, 1.0, (3, 4)), RNG.uniform(-1.0, 1.0, (3, 4))
    check_grad(sine_of_a_sum, (x, w), wrt=(0, 1))
    d_x, d_w = s2sgrad.grad(sine_of_a_sum, wrt=(0, 1))(x, w)
    assert not numpy.shares_memory(d_x, d_w)


def mean_of_a_list(a, b):
    return numpy.sum(numpy.mean([a, b], axis=0) ** 2)


def sum_of_a_list(a, b):
    return numpy.sum(numpy.sum([a, b * b], axis=0) ** 2)


@pytest.mark.parametrize("func", [mean_of_a_list, sum_of_a_list])
def test_a_reduction_of_a_list_of_arrays_spreads_its_adjoint_over_the_list(func):
    # the reduced value is a list, not an ndarray: its adjoint is spread to the list's stacked shape
    check_grad(func, (numpy.array([0.3, 0.5]), numpy.array([0.7, -0.2])), wrt=(0, 1))


def p_norm(x):
    return numpy.linalg.norm(x, 3) * numpy.linalg.norm(x, ord=-1.5)


def test_second_derivatives_of_a_p_norm():
    report = s2sgrad.check_grad(p_norm, numpy.array([1.0, -2.0, 0.5]), modes=("rev", "fwd"), order=2)
    assert report.ok, report


def test_a_norm_order_without_a_derivative_is_a_clear_error():
    # numpy computes ord=nan (a nan); its derivative is not defined, and the reverse sweep says so
    with pytest.raises(NotImplementedError, match=r"no derivative of numpy\.linalg\.norm with ord=nan"):
        s2sgrad.grad(lambda x: numpy.linalg.norm(x, ord=numpy.nan))(numpy.array([1.0, 2.0]))


ROWS_COLUMNS = [0, 1]


def einsum_with_a_named_sublist(x, w):
    return numpy.sum(numpy.einsum(x, ROWS_COLUMNS, w, [1]) ** 2)


def test_einsum_in_interleaved_form_with_a_sublist_given_by_name():
    # the operand first, then a sublist that is not written out: still the interleaved form
    check_grad(
        einsum_with_a_named_sublist, (numpy.arange(6.0).reshape(2, 3) * 0.3, numpy.array([0.5, -1.0, 2.0])), wrt=(0, 1)
    )


def test_eig_of_a_numpy_that_returns_real_eigenvalues_as_complex_numbers_says_so():
    """NumPy 2.5 on: eig's eigenvalues are complex numbers even when real (the check the eig rules run first)."""
    from s2sgrad.runtime import _real_eigenvalues

    with pytest.raises(NotImplementedError, match="returns them as complex numbers"):
        _real_eigenvalues(numpy.array([1.0 + 0j, 2.0 + 0j]))
    _real_eigenvalues(numpy.array([1.0, 2.0]))  # real ones pass
