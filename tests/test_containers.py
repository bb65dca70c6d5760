"""Lists, tuples and dicts of parameters: wrt may select them, the gradient has their structure."""

import operator

import numpy as np
import pytest
from gradcheck import check_grad, check_structured_grad

import s2sgrad

RNG = np.random.default_rng(11)


def dense_model(params, x, y):
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum((h - y) ** 2) + params["decay"] * np.sum(params["W"] ** 2)


def line_fit(coefficients, t, y):
    slope, intercept = coefficients
    return np.sum((slope * t + intercept - y) ** 2)


def split_and_rejoin(x):
    parts = (x * 2.0, np.sin(x))
    first, second = parts
    return np.sum(first * second)


def test_a_dict_of_parameters_gets_a_dict_gradient():
    params = {"W": RNG.normal(size=(2, 3)), "b": RNG.normal(size=2), "decay": 0.1}
    args = (params, RNG.normal(size=3), RNG.normal(size=2))
    check_structured_grad(dense_model, args)


def test_a_tuple_of_parameters_gets_a_tuple_gradient():
    t = np.linspace(0.0, 1.0, 5)
    args = ((0.5, -0.2), t, 2.0 * t + 0.3)
    check_structured_grad(line_fit, args)


def test_a_tuple_made_and_unpacked_in_the_function():
    x = RNG.normal(size=4)
    expected = 2.0 * np.sin(x) + 2.0 * x * np.cos(x)
    assert np.allclose(s2sgrad.grad(split_and_rejoin)(x), expected)


def test_the_parameter_dict_is_not_changed():
    params = {"W": np.ones((2, 3)), "b": np.zeros(2), "decay": 0.1}
    before = {k: np.copy(v) for k, v in params.items()}
    s2sgrad.grad(dense_model)(params, np.ones(3), np.zeros(2))
    assert all(np.array_equal(params[k], before[k]) for k in params)


def squared_norms(pair):
    a, b = pair
    return np.sum(a * a) + np.sum(b * b)


def tuple_used_twice(pair, x):
    """The tuple's adjoint gets a contribution from the helper and one from pair[0]: added element-wise."""
    first = pair[0]
    return squared_norms(pair) * x + np.sum(first * x)


def test_a_tuple_adjoint_accumulates_element_by_element():
    pair = (np.array([1.0, 2.0]), np.array([3.0]))
    gradient = s2sgrad.grad(tuple_used_twice)(pair, 2.0)
    assert isinstance(gradient, tuple)
    assert np.allclose(gradient[0], 4.0 * pair[0] + 2.0) and np.allclose(gradient[1], 4.0 * pair[1])


def states_of_a_recurrence(x, n):
    """Append arrays to a list in a loop, then stack them."""
    states = []
    h = x
    for i in range(n):
        h = np.tanh(h * 1.5 + 0.1 * i)
        states.append(h)
    return np.sum(np.stack(states) ** 2)


def pieces_summed_and_joined(x, n):
    """Append in a loop, then the builtin sum and numpy.concatenate of the list."""
    parts = []
    for i in range(n):
        parts.append(np.sin(x * i))
    return np.sum(sum(parts)) + np.sum(np.concatenate(parts) ** 2)


def test_appending_arrays_in_a_loop_then_stacking_them():
    check_grad(states_of_a_recurrence, (RNG.normal(size=3), 4))
    check_grad(pieces_summed_and_joined, (RNG.normal(size=3), 3))


def layer_with_stats(W, x):
    z = W @ x
    return {"out": np.tanh(z), "norm": np.sum(z * z)}


def loss_of_dicts(W, x):
    """A helper returning a dict, and a dict made in the function."""
    result = layer_with_stats(W, x)
    stats = {"a": result["norm"], "b": np.sum(result["out"])}
    return stats["a"] * 0.1 + stats["b"]


def string_and_flag_arguments(x, activation, squared):
    """Strings and booleans steer the computation and never get adjoints."""
    y = np.tanh(x) if activation == "tanh" else np.maximum(x, 0.0)
    return np.sum(y * y) if squared else np.sum(y)


def test_dicts_as_locals_and_helper_results():
    check_grad(loss_of_dicts, (RNG.normal(size=(2, 3)), RNG.normal(size=3)), wrt=(0, 1))


def test_string_and_boolean_arguments_are_inactive():
    x = RNG.normal(size=4)
    for activation in ("tanh", "relu"):
        for squared in (True, False):
            check_grad(string_and_flag_arguments, (x, activation, squared))


def dict_items_rewritten(x, w):
    q = {"a": x, "b": w}
    q["a"] = x * q["a"]
    q["b"] = q["b"] * q["a"]
    q["a"] = np.sum(q["b"]) + q["a"]
    return q["a"] * np.sum(q["b"])


def test_writes_into_a_local_dict_by_key():
    """A dict's index is a key, not an index array that could repeat an element."""
    check_grad(dict_items_rewritten, (0.7, np.array([1.0, -2.0])), wrt=(0, 1))


def read_before_and_through_an_alias(p):
    y = p["a"] * 2.0
    q = p
    return q["a"] * q["b"] + y


def test_a_dict_parameter_read_before_and_through_an_alias():
    check_structured_grad(read_before_and_through_an_alias, ({"a": 0.5, "b": 1.5},))


def reduced_list_with_constants(x):
    values = [1, x[0] * x[1], 2.5, np.sin(x[2])]
    return np.mean(values) * np.sum(values) + np.max(values)


def test_a_list_of_constants_and_active_values_reduced_as_an_array():
    """numpy reads the list as an array: its adjoint is spread over the list's length (not a dtype spec)."""
    check_grad(reduced_list_with_constants, (np.array([1.5, 2.5, 0.3]),))


def weighted(params):
    return params["w"] * params[0] + params["b"]


def dict_built_by_calls(x, w):
    keywords = dict({"w": w}, b=np.sin(x))
    pairs = dict([("w", x * w), (0, 2.0)], b=w)  # a keyword after the pairs
    listed = dict([["w", x * x], ["b", w]])  # pairs written as lists
    return keywords["w"] * keywords["b"] * weighted(pairs) + listed["w"] * listed["b"]


def test_dict_called_with_keywords_or_pairs_is_a_dict_display():
    check_grad(dict_built_by_calls, (0.7, -1.3), wrt=(0, 1))


def appended_to_a_list(values, b):
    return np.sum(np.append(values, b) ** 2) * np.mean(np.concatenate([np.ravel(values), [b]]))


def test_a_list_read_by_numpy_as_an_array_gets_a_list_gradient():
    """numpy.append(list, b) differentiates the list element by element: its gradient is a list, b's a float."""
    for values in ([1.5, -0.5, 2.0], [[1.5, -0.5], [2.0, 0.3]], (0.7, -1.2)):
        check_structured_grad(appended_to_a_list, (values, 0.8))
        check_grad(appended_to_a_list, (values, 0.8), wrt=1)


def sliced_list(values):
    head = values[slice(None, -1, None)]
    return head[0] * head[1] ** 2


def test_a_list_sliced_by_a_slice_object_gets_a_list_gradient():
    check_structured_grad(sliced_list, ([1.5, -0.7, 2.0],))


def subtracted_from_twice(a, b):
    xs = [a, b * a]
    return np.sum(np.subtract(1.0, xs) ** 2) + np.sum(np.subtract(2.0, xs) ** 3)


def test_a_list_subtracted_from_twice_adds_both_negated_adjoints():
    # np.subtract's adjoint for its second argument is a `-=`: into the list's adjoint, defined by the first use
    check_grad(subtracted_from_twice, (np.array([0.3, 0.5]), np.array([0.7, -0.2])), wrt=(0, 1))


def dict_copied_and_updated(x):
    p = {"a": x, "b": 2.0 * x}
    q = dict(p)
    q["a"] = q["a"] * x
    return q["a"] + q["b"]


def dict_of_pairs_in_a_variable(x):
    pairs = [("a", x)]
    return dict(pairs)["a"] * 2.0


def test_a_dict_copy_differentiates_and_pairs_in_a_variable_are_a_stated_limit():
    check_grad(dict_copied_and_updated, (0.7,))
    check_grad(dict_copied_and_updated, (0.7,), optimize=False)
    with pytest.raises(NotImplementedError, match=r"dict\(\) of key-value pairs held in a variable"):
        s2sgrad.grad(dict_of_pairs_in_a_variable)(0.5)


def ranked_energy(params):
    total = 0.0
    for rank, (_, w) in enumerate(sorted(params.items(), key=operator.itemgetter(0))):  # by name
        total = total + (rank + 1.0) * np.sum(w**2)
    first = list(params.values())[0]  # noqa: RUF015 (a list of the values, as users write it)
    return total + np.sum(first) * len(params.keys()) + sum(np.sum(np.sin(v)) for v in params.values())


def test_dict_views_passed_to_a_call_are_the_lists_they_iterate_as():
    """sorted(d.items(), key=...), list(d.values()), len(d.keys()): read at once, in the dict's order."""
    params = {"b": np.array([0.5, 1.0]), "a": np.array([-0.3, 2.0]), "c": np.array([1.2, 0.1])}
    check_structured_grad(ranked_energy, (params,))
