"""Costs the optimizer removes (issue 11): each case's gradient against finite differences, and the cost gone.

- a matrix product's adjoint is a plain operator when both operands' ranks are known (1 or 2);
- a scalar adjoint that a branch leaves at 0.0 is not added after the join;
- the maximum subtracted before a softmax or a log-sum-exp is not differentiated (its total adjoint is 0),
  and where it is not that (the result depends on it), it is;
- a sine or cosine the reverse sweep needs twice is computed once, and only while its operand holds.
"""

import math

import numpy as np
import pytest
from gradcheck import check_grad

import s2sgrad

RNG = np.random.default_rng(11)
MATRIX, OTHER, VECTOR = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 5)), RNG.standard_normal(3)


def _products():
    """``x @ y`` for each pair of ranks, the adjoints of both, with operands of those ranks."""
    a, b, v, w = MATRIX, OTHER, VECTOR, RNG.standard_normal(4)
    return [((a, b), "2-2"), ((a, v), "2-1"), ((w, a), "1-2"), ((v, v.copy() + 1.0), "1-1")]


def product_loss(x, y):
    return np.sum(np.tanh(x @ y))


@pytest.mark.parametrize("args", [p[0] for p in _products()], ids=[p[1] for p in _products()])
def test_matrix_product_adjoints_are_operators_for_known_ranks(args):
    check_grad(product_loss, args, wrt=(0, 1))
    text = s2sgrad.source(product_loss, wrt=(0, 1), args=args)
    assert "matmul_lhs" not in text and "matmul_rhs" not in text, text


def batched_loss(x, y):
    return np.sum(np.tanh(x @ y))


def test_batched_products_keep_the_helpers():
    """A 3-D operand broadcasts over its batch axis: the helper sums the adjoint back over it."""
    args = (RNG.standard_normal((2, 4, 3)), OTHER)
    check_grad(batched_loss, args, wrt=(0, 1))
    assert "matmul_rhs" in s2sgrad.source(batched_loss, wrt=(0, 1), args=args)


def piecewise(w, t, y, delta):
    total = 0.0
    for k in range(len(t)):
        e = w * t[k] - y[k]
        size = abs(e)
        if size > delta:
            total += 2.0 * delta * size - delta * delta
        else:
            total += e * e
    return total


def test_an_adjoint_zero_after_one_branch_is_not_added_after_the_join():
    t = np.linspace(-2.0, 2.0, 9)
    args = (1.3, t, 1.5 * t + np.array([0.1, -3.0, 0.2, 2.5, 0.0, -0.1, 4.0, 0.3, -0.2]), 0.5)
    check_grad(piecewise, args)
    text = s2sgrad.source(piecewise, args=args)
    assert "= 0.0\n" not in text.split("for k in reversed")[1], text  # no zero set in a branch
    assert text.count("sign(e)") == 1, text


def joined(x, c):
    if c > 0.0:
        y = x * x
        z = 0.0
    else:
        y = 0.0
        z = 3.0 * x
    return y + np.sin(z) * x


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_zeros_through_a_join_keep_both_paths_right(c):
    check_grad(joined, (0.7, c))


def log_softmax_loss(Z, Y):
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_norm = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * (shifted - log_norm)) / Z.shape[0]


def softmax_loss(Z, Y):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return -np.sum(Y * np.log(p))


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def attention_norm(Q, K):
    """Scores through a transposed operand: the ranks the proof needs are known through .T too."""
    S = Q @ K.T
    P = np.exp(S - np.max(S, axis=1, keepdims=True))
    P = P / np.sum(P, axis=1, keepdims=True)
    return np.sum(P * P)


Z = RNG.standard_normal((5, 4))
Y = np.eye(4)[[0, 3, 1, 2, 2]]


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (log_softmax_loss, (Z, Y)),
        (softmax_loss, (Z, Y)),
        (logsumexp, (Z[0],)),
        (attention_norm, (Z, RNG.standard_normal((3, 4)))),
    ],
    ids=lambda v: "",
)
def test_the_maximum_subtracted_for_range_is_not_differentiated(func, args):
    check_grad(func, args)
    text = s2sgrad.source(func, args=args)
    assert "extremum_share" not in text and "d_m " not in text, text


def max_shift_kept(Z, Y):
    """Not invariant: the shift is squared, so the maximum's adjoint is not 0."""
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    return np.sum(Y * shifted**2)


def max_shift_other_axis(Z, Y):
    """Normalized over the other axis than the maximum's: not invariant."""
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_norm = np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return -np.sum(Y * (shifted - log_norm))


def max_used_again(Z, Y):
    """The maximum is also part of the result: its adjoint is that part's."""
    m = np.max(Z, axis=1, keepdims=True)
    shifted = Z - m
    log_norm = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * (shifted - log_norm)) + np.sum(m * m)


def broadcast_over_a_batch(Z, B):
    """B prepends an axis: axis 1 of the difference is not the maximum's axis 1."""
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    scaled = shifted + B
    return np.sum(np.log(np.sum(np.exp(scaled), axis=1, keepdims=True)))


def normalized_with_a_dtype(Z, Y):
    """A reduction with a setting the proof does not follow (dtype=): not taken as invariant."""
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_norm = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True, dtype=np.float64))
    return -np.sum(Y * (shifted - log_norm))


def max_doubled_in_a_branch(x, c):
    """The maximum is assigned again (in a branch) and added to the result."""
    m = np.max(x)
    shifted = x - m
    if c > 0.0:
        m = m * 2.0
    return np.log(np.sum(np.exp(shifted))) + m


def shift_passed_twice(x):
    """A call reading the shifted value in two arguments is not followed."""
    shifted = x - np.max(x)
    return np.sum(np.maximum(shifted, shifted) ** 2)


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (normalized_with_a_dtype, (Z, Y)),
        (max_doubled_in_a_branch, (Z[0], 1.0)),
        (max_doubled_in_a_branch, (Z[0], -1.0)),
        (shift_passed_twice, (Z[0],)),
        (max_shift_kept, (Z, Y)),
        (max_shift_other_axis, (Z, Y)),
        (max_used_again, (Z, Y)),
        (broadcast_over_a_batch, (Z, RNG.standard_normal((2, 5, 4)))),
    ],
    ids=[
        "dtype",
        "reassigned",
        "reassigned_not_taken",
        "two_arguments",
        "squared",
        "other_axis",
        "used_again",
        "batch",
    ],
)
def test_a_maximum_the_result_depends_on_is_differentiated(func, args):
    check_grad(func, args)
    assert "extremum_share" in s2sgrad.source(func, args=args)


def shift_never_returned(x):
    shifted = x - np.max(x)
    moved = shifted + 1.0  # noqa: F841 - left over: the result does not read it
    return np.sum(x * x)


def test_a_shift_never_returned_is_differentiated_as_written():
    # the proof follows the shift to the end without meeting the return statement: it claims nothing
    check_grad(shift_never_returned, (Z[0],))


def kepler(e, M):
    E = M
    for _ in range(6):
        E = E - (E - e * math.sin(E) - M) / (1.0 - e * math.cos(E))
    return E


def test_each_sine_and_cosine_of_a_newton_step_is_computed_once_in_reverse():
    check_grad(kepler, (0.3, 0.7), wrt=(0, 1))
    reverse_loop = s2sgrad.source(kepler, wrt=(0, 1), args=(0.3, 0.7)).split("reversed(range(")[1]
    code = "\n".join(line for line in reverse_loop.splitlines() if not line.strip().startswith("#"))
    assert code.count("math.sin(E)") == 1 and code.count("math.cos(E)") == 1, reverse_loop


def operand_changes_between(x, y):
    s = 0.0
    for _ in range(3):
        s = s + math.sin(x) * y
        x = x * 1.5 + math.cos(x) * y  # the same calls, of the new x: nothing computed before may be reused
        s = s + math.cos(x) * math.sin(x)
    return s


def arrays_of_sines(a, b):
    total = 0.0
    for _ in range(2):
        c = np.sin(a) * b
        a = a + np.cos(a) * c  # an array result stays a new array
        total = total + np.sum(np.sin(a) * np.cos(a))
    return total


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (operand_changes_between, (0.4, 1.3)),
        (arrays_of_sines, (np.array([0.2, -0.5, 1.1]), np.array([0.3, 0.8, -0.4]))),
    ],
)
def test_calls_reused_only_while_their_operands_hold(func, args):
    check_grad(func, args, wrt=(0, 1))


def quadratic_form(zx, zy, rho):
    return zx * zx - 2.0 * rho * zx * zy + zy * zy


def test_like_products_merge_inside_a_longer_sum():
    """zx's adjoint sums three products, two of them d_q * zx: one multiplication by two, not two products."""
    check_grad(quadratic_form, (0.4, -1.1, 0.3), wrt=(0, 1, 2))
    text = s2sgrad.source(quadratic_form, wrt=(0, 1, 2), args=(0.4, -1.1, 0.3))
    assert "zx * d_out" not in text or "d_out * zx" not in text, text


def signed_sums(x, y, z):
    q = x * y - z * x
    return q * q - x * x * y + z * z - (x - y) * (x - y)


def products_both_ways(x, y):
    u = x * y
    v = u * x - y * u + x * x
    return v * v - u * u - x * (y * x) + (x * y) * x


@pytest.mark.parametrize(("func", "args"), [(signed_sums, (0.3, 1.2, -0.7)), (products_both_ways, (0.3, 1.2))])
def test_terms_merged_across_signs_and_operand_orders(func, args):
    check_grad(func, args, wrt=tuple(range(len(args))))


def reduced_and_permuted(x, w, v):
    a = np.sum(x, axis=0)  # (3, 4)
    b = np.mean(x, axis=(0, -1))  # (3,)
    c = np.max(x, axis=-1, keepdims=True)  # (2, 3, 1)
    d = np.moveaxis(np.transpose(x, (2, 0, 1)), 0, -1)  # x's shape again
    e = np.swapaxes(x, 0, 2)  # (4, 3, 2)
    s = np.sum(v, axis=0)  # a 1-D array reduced over its axis: a number
    return np.sum(a @ w) + b @ b + np.sum(c * x) + np.sum(d * x) + np.sum(e.T * x) + s * (v @ v)


def test_reductions_over_axes_and_permuted_axes_have_known_ranks():
    """Each result's rank follows from its operand's (so products are plain operators), and is right."""
    args = (RNG.standard_normal((2, 3, 4)), RNG.standard_normal(4), RNG.standard_normal(3))
    check_grad(reduced_and_permuted, args, wrt=(0, 1, 2))
    text = s2sgrad.source(reduced_and_permuted, wrt=(0, 1, 2), args=args)
    assert "matmul_lhs" not in text and "matmul_rhs" not in text, text
