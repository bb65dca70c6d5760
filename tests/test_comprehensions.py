"""Comprehensions, loops over containers, variable indexing of lists, builtin max/min: against finite differences."""

import numpy as np
import pytest
from gradcheck import check_grad, check_structured_grad

import s2sgrad

RNG = np.random.default_rng(23)


# ----- comprehensions and generator expressions -----


def list_comprehension_summed(x):
    return sum([x * i for i in range(3)])


def generator_summed(x):
    return sum(np.sin(x * i) for i in range(1, 4))


def comprehension_stacked(x):
    return np.sum(np.array([x**i for i in range(3)]) * np.arange(1.0, 4.0))


def dict_comprehension(x, pairs):
    d = {k: x * v for k, v in pairs}
    return d["a"] * d["b"]


def filtered_and_nested(x):
    """Two ``for``s and an ``if``: the loops nest in the order written."""
    return sum(a * b for a in [x, -x, 2.0 * x] if a > 0 for b in (x, 3.0))


def list_of_lists(x):
    m = [[x * i + j for j in range(3)] for i in range(2)]
    return sum(sum(r) * r[0] for r in m) + m[1][2] ** 2


def rows_of_a_matrix(X, w):
    """A comprehension over an array's rows."""
    return np.sum(np.stack([np.tanh(row @ w) for row in X]) ** 2)


def extrema_of_generators(x):
    return max(x * i for i in range(-1, 3)) + min(np.cos(x * i) for i in range(1, 4))


def built_as_tuple_and_list(x):
    t = tuple(x * i for i in range(3))
    s = list(np.exp(v) for v in t)
    return t[1] * t[2] + s[2]


@pytest.mark.parametrize(
    "func",
    [list_comprehension_summed, generator_summed, comprehension_stacked, filtered_and_nested, list_of_lists],
)
def test_comprehensions_of_a_scalar(func):
    for x in (0.7, -1.3):
        check_grad(func, (x,))


def test_a_dict_comprehension():
    check_grad(dict_comprehension, (1.3, [("a", 1.0), ("b", -2.0)]))


def test_a_comprehension_over_an_arrays_rows():
    check_grad(rows_of_a_matrix, (RNG.normal(size=(4, 3)), RNG.normal(size=3)), wrt=(0, 1))


def test_max_min_tuple_and_list_of_generators():
    check_grad(extrema_of_generators, (0.8,))
    check_grad(extrema_of_generators, (-0.6,))
    check_grad(built_as_tuple_and_list, (0.4,))


def polynomial(x, coeffs):
    return sum(c * x**i for i, c in enumerate(coeffs))


def test_a_polynomial_from_enumerate_of_its_coefficients():
    coeffs = [0.5, -1.0, 2.0, 0.25]
    for x in (0.3, -1.7):
        check_grad(polynomial, (x, coeffs))
    check_structured_grad(polynomial, (0.9, coeffs), index=1)


def any_all_decide(x):
    if any(x * i > 2.0 for i in range(4)) and all(x * i > -5.0 for i in range(3)):
        return x * x
    return 3.0 * x


def stops_early(x, xs):
    """Evaluated to the end, the generator would index past xs: Python stops at the first true element."""
    if any(xs[i] * x > 0.0 for i in range(len(xs) + 5)):
        return x * x
    return x


def test_any_and_all_stop_at_the_first_decisive_element():
    check_grad(any_all_decide, (1.5,))
    check_grad(any_all_decide, (0.5,))
    check_grad(stops_early, (1.5, [1.0, 2.0]))


def shadowing(x):
    """The comprehension's i is its own: the outer i keeps its value."""
    i = 2.0
    s = sum(x * i for i in range(3))
    return s * i + sum([i * x for x in (x, 2.0 * x)])


def test_a_comprehension_variable_does_not_leak():
    check_grad(shadowing, (0.9,))
    assert s2sgrad.grad(shadowing)(0.9) == pytest.approx(3.0 * 2.0 + 2.0 * 3.0)


def empty_comprehension(x, n):
    return sum([x * i for i in range(n)], 0.5 * x) + sum(x * v for v in [])


def test_an_empty_comprehension_and_a_zero_trip_loop():
    check_grad(empty_comprehension, (1.2, 0))
    check_grad(empty_comprehension, (1.2, 3))


def in_float32(x):
    return np.sum(sum(np.tanh(x * w) for w in (0.5, -1.5, 2.0))) + max(np.sum(x * v) for v in [x, 2 * x])


def test_float32_stays_float32():
    check_grad(in_float32, (RNG.normal(size=3).astype(np.float32),))


def test_a_set_of_differentiated_values_is_rejected_at_its_line():
    def f(x):
        return sum({x * i for i in range(3)})  # of equal values a set keeps one: no derivative

    with pytest.raises(s2sgrad.TransformError, match=r"test_comprehensions\.py:\d+:\d+: a set of differentiated"):
        s2sgrad.grad(f)(1.0)


def chosen_rows(x, skip):
    chosen = {i for i in range(len(x)) if i != skip}  # a set of indices: no derivative needed
    extra = {0, skip}
    return sum(np.sum(x[i] ** 2) for i in sorted(chosen)) + sum(x[i, 0] for i in list(extra)) * (1 in chosen)


@pytest.mark.parametrize("skip", [0, 1])
def test_sets_of_indices_for_membership_and_sorted_or_listed_loops(skip):
    check_grad(chosen_rows, (RNG.normal(size=(3, 2)), skip), wrt=0)


def test_a_generator_for_numpy_is_rejected_with_a_hint():
    def f(x):
        return np.sum(np.array(x * i for i in range(3)))

    with pytest.raises(s2sgrad.TransformError, match=r"generator expression.*\n.*\n.*\nhint: write a list compre"):
        s2sgrad.grad(f)(1.0)


# ----- loops over containers, and indexing them by a variable -----


def over_containers(x, y):
    s = 0.0
    for i, v in enumerate([x, 2.0 * y]):
        s = s + (i + 1.0) * v * v
    for a, b in zip([x, y], (1.0, -2.0, 5.0)):
        s = s + a * b
    for v in (x, y * y):
        s = s * 0.5 + v
    for v in reversed([x, x * y]):
        s = s * 1.5 + v
    return s


def over_dicts(x, y):
    d = {"a": x, "b": 2.0 * y}
    s = 0.0
    for _k, v in d.items():
        s = s + v * v
    for k in d:
        s = s + d[k] * x
    for v in d.values():
        s = s * v
    for k in d.keys():  # noqa: SIM118 (the keys view is what is tested)
        s = s + 3.0 * d[k]
    for pair in d.items():
        s = s + pair[1] * y
    return s


def dict_views_combined(x, y):
    d = {"a": x, "b": x * y}
    s = 0.0
    for i, (_k, v) in enumerate(d.items()):
        s = s + (i + 1) * v
    for _k, v in reversed(d.items()):
        s = s * 2.0 + v
    for k, w in zip(d, [y, 2.0]):
        s = s + d[k] * w
    return s


def indexed_by_a_variable(x, y):
    xs = [x, x * y, np.sin(y)]
    s = 0.0
    for i in range(len(xs)):
        s = s + xs[i] * xs[len(xs) - 1 - i]
    return s + sum(xs[1:]) * xs[0] + sum(xs[::2])


@pytest.mark.parametrize("func", [over_containers, over_dicts, dict_views_combined, indexed_by_a_variable])
def test_loops_over_lists_tuples_and_dicts(func):
    check_grad(func, (0.7, -1.1), wrt=(0, 1))
    check_grad(func, (0.7, -1.1), wrt=(0, 1), optimize=False)


def sorted_loops(x, w):
    d = {"b": x, "a": 2.0 * x}
    s = 0.0
    for k in sorted(d):
        s = s * 2.0 + d[k] * w[k]
    for v in sorted([x, -x, 3.0]):
        s = s * 1.5 + v
    return s


def test_loops_over_sorted_keys_and_a_sorted_list():
    for x in (0.7, -0.7):
        check_grad(sorted_loops, (x, {"a": 1.0, "b": -2.0}))


def looked_up(p, x):
    d = {"a": x}
    return np.sum(p.get("W", x) * x + d.get("a") * d.get("z", 3.0 * x)) + p.get("c", 2.0) * np.sum(p.get("b") ** 2)


def test_dict_get_with_and_without_the_key():
    p = {"W": RNG.normal(size=2), "b": RNG.normal(size=2)}
    x = RNG.normal(size=2)
    check_structured_grad(looked_up, (p, x))
    check_grad(looked_up, (p, x), wrt=1)


def weighted(params, weights):
    s = 0.0
    for name, w in params.items():
        s = s + weights[name] * np.sum(w**2)
    return s


def test_a_loop_over_a_parameter_dicts_items():
    params = {"W": RNG.normal(size=(2, 3)), "b": RNG.normal(size=2)}
    check_structured_grad(weighted, (params, {"W": 0.5, "b": 2.0}))


def aliased_then_written(x):
    """The list holds the array y, which is written afterwards: the list would see the change."""
    y = x * 2.0
    xs = [y, x]
    y[0] = 5.0
    return np.sum(xs[0] * xs[1])


def read_then_written(x):
    """The list is read before the write: the reverse sweep must still see the old y through it."""
    y = x * 2.0
    xs = [y, x]
    s = np.sum(xs[0] * xs[1] * xs[0])
    y[0] = 5.0
    return s + np.sum(y * x)


def test_a_list_aliasing_an_array_that_is_later_written():
    with pytest.raises(s2sgrad.TransformError, match=r":\d+:\d+: this changes 'y' in place, which also changes 'xs'"):
        s2sgrad.grad(aliased_then_written)(RNG.normal(size=3))
    check_grad(read_then_written, (RNG.normal(size=3),))


def loop_variable_shadows(x, v):
    """The loop's v replaces the parameter v, as in Python."""
    s = 0.0
    for v in [x, 3.0 * x]:
        s = s + v * v
    return s + v


def test_a_loop_variable_shadowing_an_outer_name():
    check_grad(loop_variable_shadows, (0.6, 10.0), wrt=(0, 1))


def empty_loops(x, xs):
    s = x
    for v in xs:
        s = s + v * x
    for _k, v in {}.items():
        s = s * v
    return s


def test_zero_trip_loops_over_empty_containers():
    check_grad(empty_loops, (0.8, []))
    check_grad(empty_loops, (0.8, [1.0, 2.0]))


# ----- builtin max and min -----


def extremum_of_several(x, y):
    return max(x, y, 0.25) * 2.0 + min([x * y, y, 3.0])


def test_builtin_max_min_of_several_values_and_a_list():
    check_grad(extremum_of_several, (0.9, 0.4), wrt=(0, 1))
    check_grad(extremum_of_several, (-0.9, 1.4), wrt=(0, 1))


def first_wins(x):
    return max(x, 3.0) + min([x, 3.0]) * 2.0


def constant_wins(x):
    return max(3.0, x) + min((3.0, x)) * 2.0


def test_at_a_tie_the_first_of_equal_values_gets_the_adjoint():
    """Python's max and min return the first of equal items: that one alone is differentiated."""
    assert s2sgrad.grad(first_wins)(3.0) == 3.0
    assert s2sgrad.grad(constant_wins)(3.0) == 0.0
    assert s2sgrad.grad(first_wins)(2.0) == 2.0 and s2sgrad.grad(constant_wins)(4.0) == 1.0


# ----- realistic programs -----


def trained_loss(params, x, y, lr):
    """Unrolled gradient descent on a dict of arrays (gradients written out), updated by a dict comprehension."""
    for _step in range(3):
        r = np.tanh(params["W"] @ x + params["b"]) - y
        delta = r * (1.0 - (r + y) ** 2)
        grads = {"W": np.outer(delta, x), "b": delta}
        params = {k: params[k] - lr * grads[k] for k in params}
    r = np.tanh(params["W"] @ x + params["b"]) - y
    return 0.5 * np.sum(r**2) + 0.01 * sum(np.sum(p * p) for p in params.values())


def test_a_dict_of_arrays_updated_by_a_comprehension_in_a_training_step():
    params = {"W": RNG.normal(size=(2, 3)) * 0.5, "b": RNG.normal(size=2) * 0.1}
    args = (params, RNG.normal(size=3), np.array([0.3, -0.2]), 0.2)
    check_structured_grad(trained_loss, args)
    check_grad(trained_loss, args, wrt=3)
    before = {k: v.copy() for k, v in params.items()}
    s2sgrad.grad(trained_loss)(*args)
    assert all(np.array_equal(params[k], before[k]) for k in params)  # the caller's dict is untouched
