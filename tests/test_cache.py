"""The cache never serves a stale gradient: guards on code, defaults, globals, cells and callees."""

import __future__

import gc
import importlib
import os
import sys
import textwrap
import weakref

import numpy
import pytest
from gradcheck import check_grad, narrowed, numeric_difference

import s2sgrad
from s2sgrad import api


def run_cell(namespace: dict, path, text: str) -> dict:
    """Run ``text`` as a notebook cell would: its own file, the shared namespace."""
    path.write_text(textwrap.dedent(text))
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


@pytest.fixture
def compilations(monkeypatch):
    calls = []
    original = api.compile_reverse
    monkeypatch.setattr(api, "compile_reverse", lambda *a, **k: calls.append(1) or original(*a, **k))
    return calls


def test_redefined_helper_is_seen_by_the_existing_and_a_new_gradient(tmp_path):
    ns = run_cell({}, tmp_path / "cell1.py", "def helper(x):\n    return x * x\n\ndef f(x):\n    return helper(x)\n")
    g = s2sgrad.grad(ns["f"])
    assert g(3.0) == 6.0
    run_cell(ns, tmp_path / "cell2.py", "def helper(x):\n    return x ** 3\n")
    assert g(3.0) == pytest.approx(27.0)
    assert s2sgrad.grad(ns["f"])(3.0) == pytest.approx(27.0)
    check_grad(ns["f"], (3.0,))


def test_a_callee_of_a_callee_redefined(tmp_path):
    inner = "def inner(x):\n    return x * x\n\n"
    text = inner + "def outer(x):\n    return inner(x) + x\n\ndef f(x):\n    return outer(x)\n"
    ns = run_cell({}, tmp_path / "cell1.py", text)
    g = s2sgrad.grad(ns["f"])
    assert g(2.0) == 5.0
    run_cell(ns, tmp_path / "cell2.py", "import numpy as np\n\ndef inner(x):\n    return np.sin(x)\n")
    assert g(2.0) == pytest.approx(numpy.cos(2.0) + 1.0)
    check_grad(ns["f"], (2.0,))


def test_a_callee_whose_code_is_replaced_in_place(tmp_path):
    text = "def helper(x):\n    return x * x\n\ndef cube(x):\n    return x ** 3\n\ndef f(x):\n    return helper(x)\n"
    ns = run_cell({}, tmp_path / "cell.py", text)
    g = s2sgrad.grad(ns["f"])
    assert g(3.0) == 6.0
    ns["helper"].__code__ = ns["cube"].__code__  # the same function object runs other code
    assert g(3.0) == pytest.approx(27.0)
    check_grad(ns["f"], (3.0,))


def test_swapping_code_differentiates_the_code_that_runs():
    def f(x):
        return x * x

    def g(x):
        return numpy.sin(x) * x

    gradient = s2sgrad.grad(f)
    assert gradient(2.0) == 4.0
    f.__code__ = g.__code__
    expected = numpy.cos(2.0) * 2.0 + numpy.sin(2.0)
    assert gradient(2.0) == pytest.approx(expected)
    assert s2sgrad.grad(f)(2.0) == pytest.approx(expected)
    check_grad(f, (2.0,))


def test_changed_defaults():
    def f(x, c=2.0):
        return c * x * x

    g = s2sgrad.grad(f)
    assert g(3.0) == 12.0
    f.__defaults__ = (5.0,)
    assert g(3.0) == 30.0
    assert s2sgrad.grad(f)(3.0) == 30.0
    check_grad(f, (3.0,))


def gathering(x, *rest, **options):
    return x * x + sum(numpy.sum(r * x) for r in rest) + numpy.sum(options["a"] * x)


def test_what_args_and_kwargs_gather_is_keyed_by_its_items_kinds():
    """``*rest`` binds a tuple and ``**options`` a dict: floats first, then arrays, through one gradient."""
    g = s2sgrad.grad(gathering)
    assert g(2.0, 1.0, a=3.0) == 8.0
    row = numpy.array([1.0, 2.0])
    expected = numeric_difference(lambda x: gathering(x, row, a=row), (2.0,), 0, 1.0)
    assert abs(g(2.0, row, a=row) - expected.value) <= expected.error


def test_a_keyword_only_default_written_in_place():
    """Calls read ``__kwdefaults__`` live; writing into it keeps the dict but changes the default."""

    def f(x, *, c=2.0):
        return c * x**3

    g = s2sgrad.grad(f)
    assert g(2.0) == 24.0
    f.__kwdefaults__["c"] = 5.0
    assert g(2.0) == 60.0
    assert s2sgrad.jvp(f, (2.0,), (1.0,))[1] == 60.0
    f.__kwdefaults__["c"] = numpy.array([1.0, 2.0])
    with pytest.raises(ValueError, match="real scalar output"):
        g(2.0)
    f.__kwdefaults__["c"] = 5.0
    check_grad(f, (2.0,))


def product_of_first_two(xs):
    return numpy.sum(xs[0] * xs[1])


@pytest.mark.parametrize("make", [list, tuple, lambda items: dict(enumerate(items))])
def test_a_container_whose_items_become_arrays_gets_code_for_arrays(make):
    """A container's kind is its items' kinds: code made for floats in it is not reused for arrays
    (it returned an array as the gradient of the float item, without reducing it)."""
    g = s2sgrad.grad(product_of_first_two)
    floats = g(make([2.0, 3.0]))
    assert (floats[0], floats[1]) == (3.0, 2.0)
    xs = make([numpy.array([1.0, 2.0]), 3.0])
    grads = g(xs)
    for key in range(2):
        assert numpy.shape(grads[key]) == numpy.shape(xs[key])
        part, part_args = narrowed(product_of_first_two, (xs,), 0, key)
        direction = numpy.ones(numpy.shape(xs[key])) if key == 0 else 1.0
        numeric = numeric_difference(part, part_args, 0, direction)
        assert abs(numpy.sum(grads[key] * direction) - numeric.value) <= numeric.error


ACT = numpy.tanh
W = 2.0


def through_act(x):
    return ACT(x) * x


def weighted(x):
    return numpy.sum(W * x * x)


def test_a_global_rebound_to_another_function():
    global ACT
    g = s2sgrad.grad(through_act)
    assert g(0.5) == pytest.approx(1 / numpy.cosh(0.5) ** 2 * 0.5 + numpy.tanh(0.5))
    ACT = numpy.sin
    try:
        assert g(0.5) == pytest.approx(numpy.cos(0.5) * 0.5 + numpy.sin(0.5))
        check_grad(through_act, (0.5,))
    finally:
        ACT = numpy.tanh


def test_a_global_scalar_that_becomes_an_array():
    global W
    g = s2sgrad.grad(weighted)
    assert g(3.0) == 12.0
    W = numpy.array([1.0, 2.0, 4.0])
    try:
        assert g(3.0) == pytest.approx(42.0)
        check_grad(weighted, (3.0,))
    finally:
        W = 2.0


SCALES = [2.0, 3.0]
SETTINGS = {"w": 2.0}
ROW = numpy.array([1.0, 2.0, 3.0])


def scaled_by_a_list_item(x):
    return numpy.sum(numpy.sin(x * SCALES[0]))


def scaled_by_a_dict_item(x):
    return numpy.sum(numpy.sin(x * SETTINGS["w"]))


def scaled_by_a_row(x):
    return numpy.sum(numpy.sin(x * ROW))


@pytest.mark.parametrize(
    ("func", "container", "key"),
    [(scaled_by_a_list_item, SCALES, 0), (scaled_by_a_dict_item, SETTINGS, "w")],
    ids=["list", "dict"],
)
def test_a_global_container_whose_item_becomes_an_array_in_place(func, container, key):
    """Its kind changed without rebinding it: code made for a float item is not reused (it was, by every
    gradient of func, returning an unreduced (2, 3) array as the (3,) argument's gradient)."""
    x = numpy.array([0.1, 0.2, 0.3])
    g = s2sgrad.grad(func)
    check_grad(func, (x,))
    old = container[key]
    container[key] = numpy.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]])
    try:
        assert g(x).shape == (3,)
        check_grad(func, (x,))
    finally:
        container[key] = old


def helper_with_a_list_default(x, ws=[2.0]):  # noqa: B006 (the mutable default is the point)
    return numpy.sum(numpy.sin(x * ws[0]))


def calls_the_helper_with_its_default(x):
    return helper_with_a_list_default(x)


def test_a_callee_list_default_whose_item_becomes_an_array_in_place():
    """The caller's code is specialized on the callee's default's kind; the list is the same object after."""
    x = numpy.array([0.1, 0.2, 0.3])
    g = s2sgrad.grad(calls_the_helper_with_its_default)
    check_grad(calls_the_helper_with_its_default, (x,))
    default = helper_with_a_list_default.__defaults__[0]
    default[0] = numpy.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]])
    try:
        assert g(x).shape == (3,)
        check_grad(calls_the_helper_with_its_default, (x,))
    finally:
        default[0] = 2.0


def test_a_global_array_reshaped_in_place():
    x = numpy.array([0.1, 0.2, 0.3])
    g = s2sgrad.grad(scaled_by_a_row)
    check_grad(scaled_by_a_row, (x,))
    ROW.shape = (1, 3)
    try:
        assert g(x).shape == (3,)
        check_grad(scaled_by_a_row, (x,))
    finally:
        ROW.shape = (3,)


def test_a_global_array_with_new_values_of_the_same_kind_is_read_live(compilations):
    global W
    W = numpy.array([1.0, 2.0])
    try:
        g = s2sgrad.grad(weighted)
        assert g(1.0) == 6.0
        compiled = len(compilations)
        W = numpy.array([3.0, 4.0])  # a new array, same kind: no new compilation
        assert g(1.0) == 14.0
        assert len(compilations) == compiled
        check_grad(weighted, (1.0,))
    finally:
        W = 2.0


def test_a_closure_cell_rebound_to_another_function():
    act = numpy.tanh

    def f(x):
        return act(x)

    g = s2sgrad.grad(f)
    assert g(0.5) == pytest.approx(1 / numpy.cosh(0.5) ** 2)
    act = numpy.exp
    assert g(0.5) == pytest.approx(numpy.exp(0.5))
    check_grad(f, (0.5,))


class _Options:
    """A module-level object whose attributes a differentiated function reads."""

    activation = staticmethod(numpy.tanh)
    scale = 2.0


OPTIONS = _Options()


def through_options(x):
    return OPTIONS.activation(x) * OPTIONS.scale


def test_an_objects_attribute_rebound_to_another_function(compilations):
    """The rule was chosen for what ``OPTIONS.activation`` was: its rebinding is guarded as a global's is,
    while new data of the same kind (``scale``) is read live."""
    g = s2sgrad.grad(through_options)
    assert g(0.5) == pytest.approx(2.0 / numpy.cosh(0.5) ** 2)
    compiled = len(compilations)
    OPTIONS.scale = 3.0
    try:
        assert g(0.5) == pytest.approx(3.0 / numpy.cosh(0.5) ** 2)
        assert len(compilations) == compiled
        OPTIONS.activation = numpy.sin
        assert g(0.5) == pytest.approx(3.0 * numpy.cos(0.5))
        check_grad(through_options, (0.5,))
    finally:
        del OPTIONS.activation, OPTIONS.scale


def test_a_module_attribute_rebound_by_reload(tmp_path, monkeypatch):
    module = tmp_path / "s2sgrad_reloaded_helpers.py"
    module.write_text("def h(x):\n    return x * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    helpers = importlib.import_module("s2sgrad_reloaded_helpers")
    ns = run_cell({"helpers": helpers}, tmp_path / "cell.py", "def f(x):\n    return helpers.h(x)\n")
    g = s2sgrad.grad(ns["f"])
    assert g(3.0) == 6.0
    module.write_text("def h(x):\n    return x * x * x\n")
    os.utime(module, (1, 1))  # a new mtime, whatever the clock's resolution: reload reads the new text
    importlib.reload(helpers)
    try:
        assert g(3.0) == pytest.approx(27.0)
        check_grad(ns["f"], (3.0,))
    finally:
        del sys.modules["s2sgrad_reloaded_helpers"]


def test_a_file_edited_after_import_is_an_error_not_the_new_text(tmp_path, monkeypatch):
    module = tmp_path / "s2sgrad_edited_module.py"
    module.write_text("def f(x):\n    return x * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    edited = importlib.import_module("s2sgrad_edited_module")
    try:
        module.write_text("def f(x):\n    return x * x * x\n")
        os.utime(module, (1, 1))
        with pytest.raises(s2sgrad.TransformError, match="edited after it was imported") as caught:
            s2sgrad.grad(edited.f)(3.0)
        assert "importlib.reload" in str(caught.value)
    finally:
        del sys.modules["s2sgrad_edited_module"]


def test_an_entry_does_not_keep_its_function_alive(tmp_path):
    text = "def f(x):\n    return f_helper(x) * x\n\ndef f_helper(x):\n    return x * x\n"
    ns = run_cell({}, tmp_path / "cell.py", text)
    assert s2sgrad.grad(ns["f"])(2.0) == 12.0
    alive = weakref.ref(ns["f"])
    run_cell(ns, tmp_path / "cell2.py", "def f(x):\n    return x\n")  # redefined: the old f is unreachable
    gc.collect()
    assert alive() is None


def test_a_cell_compiled_with_a_future_flag_it_does_not_spell(tmp_path):
    """Notebooks carry ``from __future__ import annotations`` from cell to cell: f's code depends on it."""
    path = tmp_path / "cell.py"
    path.write_text(
        "def f(x):\n    def scaled(v: float) -> float:\n        return 3.0 * v\n\n    return scaled(x) * x\n"
    )
    ns = {}
    flag = __future__.annotations.compiler_flag
    exec(compile(path.read_text(), str(path), "exec", flags=flag, dont_inherit=True), ns)
    assert s2sgrad.grad(ns["f"])(2.0) == 12.0


def test_a_deleted_helper_is_not_called_through_a_stale_gradient(tmp_path):
    ns = run_cell({}, tmp_path / "cell.py", "def helper(x):\n    return x * x\n\ndef f(x):\n    return helper(x)\n")
    g = s2sgrad.grad(ns["f"])
    assert g(3.0) == 6.0
    del ns["helper"]
    with pytest.raises(s2sgrad.TransformError, match="cannot tell which function 'helper' is"):
        g(3.0)


def test_jvp_follows_swapped_code_and_rebound_globals():
    """jvp replays a checked plan per function and argument key: only while nothing it read has changed."""
    global ACT

    def f(x):
        return x * x

    def g(x):
        return numpy.sin(x) * x

    assert s2sgrad.jvp(f, (2.0,), (1.0,)) == (4.0, 4.0)
    f.__code__ = g.__code__
    assert s2sgrad.jvp(f, (2.0,), (1.0,))[1] == pytest.approx(numpy.cos(2.0) * 2.0 + numpy.sin(2.0))
    expected = 1 / numpy.cosh(0.5) ** 2 * 0.5 + numpy.tanh(0.5)
    assert s2sgrad.jvp(through_act, (0.5,), (1.0,))[1] == pytest.approx(expected)
    ACT = numpy.sin
    try:
        assert s2sgrad.jvp(through_act, (0.5,), (1.0,))[1] == pytest.approx(numpy.cos(0.5) * 0.5 + numpy.sin(0.5))
    finally:
        ACT = numpy.tanh


def test_jvp_checks_the_tangent_shape_on_every_call():
    x = numpy.ones(3)
    s2sgrad.jvp(weighted, (x,), (numpy.ones(3),))
    with pytest.raises(ValueError, match=r"the tangent of 'x' has shape \(2,\)"):
        s2sgrad.jvp(weighted, (x,), (numpy.ones(2),))


def test_a_hessian_vector_product_follows_a_redefined_function():
    def f(x):
        return numpy.sum(x**3)

    v = numpy.array([1.0, 0.0])
    x = numpy.array([1.0, 2.0])
    assert s2sgrad.jvp(s2sgrad.grad(f), (x,), (v,))[1] == pytest.approx([6.0, 0.0])
    gradient = s2sgrad.grad(f)
    s2sgrad.jvp(gradient, (x,), (v,))
    f.__code__ = (lambda x: numpy.sum(x**4)).__code__
    assert s2sgrad.jvp(gradient, (x,), (v,))[1] == pytest.approx([12.0, 0.0])


def test_jvp_of_a_gradient_with_a_default_argument_twice():
    """The second call replays the first's plan: the default must still be passed, then the seed."""

    def f(x, scale=3.0):
        return scale * numpy.sum(x**3)

    x, v = numpy.array([1.0, 2.0]), numpy.array([1.0, -1.0])
    gradient = s2sgrad.grad(f)
    for _ in range(2):
        assert s2sgrad.jvp(gradient, (x,), (v,))[1] == pytest.approx([18.0, -36.0])
        assert s2sgrad.jvp(f, (x,), (v,))[1] == pytest.approx(3.0 * (3.0 - 12.0))


# ----- the fast path: a positional call with the last call's key skips the lookup (api._FastPath) -----


def squares_scaled(x, k):
    return k * numpy.sum(x @ x)  # x @ x: a dot product of vectors, a product of matrices: code per rank


def squares_scaled_gradient(x, k):
    if x.ndim == 1:
        return 2 * k * x
    ones = numpy.ones_like(x)
    return k * (ones @ x.T + x.T @ ones)


@pytest.mark.parametrize(
    "calls",
    [
        # (x, k) in turn: a new rank, a new dtype, an int where a float was, a NumPy scalar, and back
        [(numpy.arange(3.0), 2.0), (numpy.arange(9.0).reshape(3, 3), 2.0), (numpy.arange(3, dtype="f4"), 2.0)],
        [(numpy.arange(3.0), 2.0), (numpy.arange(3.0), 2), (numpy.arange(3.0), numpy.float64(2.0))],
    ],
)
def test_the_fast_path_never_serves_another_keys_code(calls):
    g = s2sgrad.grad(squares_scaled)
    for x, k in calls * 2:  # each key twice: the second time the fast path of the other key is the last one
        for _ in range(2):
            got = g(x, k)
            assert got.shape == x.shape and got.dtype == x.dtype
            assert got == pytest.approx(squares_scaled_gradient(x, k))


def test_code_alternating_between_two_keys_makes_each_fast_path_once(monkeypatch):
    made = []
    original = api._FastPath.of
    monkeypatch.setattr(api._FastPath, "of", staticmethod(lambda *a: made.append(1) or original(*a)))
    g = s2sgrad.grad(squares_scaled)
    for _ in range(20):
        assert g(numpy.ones(2), 3.0) == pytest.approx([6.0, 6.0])
        assert g(numpy.ones(2), 3) == pytest.approx([6.0, 6.0])
    assert len(made) == 2


def test_the_fast_path_sees_every_change_after_warm_calls(tmp_path):
    cell = "SCALE = 2.0\n\ndef helper(x):\n    return x * x\n\ndef f(x):\n    return SCALE * helper(x)\n"
    ns = run_cell({}, tmp_path / "cell1.py", cell)
    g = s2sgrad.grad(ns["f"])
    for _ in range(3):
        assert g(3.0) == 12.0
    ns["SCALE"] = 3.0  # data of the same kind: read live
    assert g(3.0) == 18.0
    run_cell(ns, tmp_path / "cell2.py", "def helper(x):\n    return x ** 3\n")
    for _ in range(3):
        assert g(3.0) == pytest.approx(81.0)
    del ns["helper"]  # the fast path's test raises (a guarded name is gone): the long way says what happened
    with pytest.raises(s2sgrad.TransformError, match="cannot tell which function 'helper' is"):
        g(3.0)


def test_data_replaced_by_data_of_its_kind_makes_the_fast_path_again_once(tmp_path, monkeypatch):
    """The fast path writes the guards' check in: when they take the new value, it is made again, once."""
    made = []
    original = api._FastPath.of
    monkeypatch.setattr(api._FastPath, "of", staticmethod(lambda *a: made.append(1) or original(*a)))
    ns = run_cell({}, tmp_path / "cell.py", "SCALE = 2.0\n\ndef f(x):\n    return SCALE * x * x\n")
    g = s2sgrad.grad(ns["f"])
    for scale in (2.0, 3.0):
        ns["SCALE"] = scale
        for _ in range(5):
            assert g(3.0) == 6.0 * scale
    assert len(made) == 2


def test_a_global_named_like_a_variable_of_the_generated_code_is_not_guarded(tmp_path, compilations):
    """``x_stack`` is a local of the generated gradient: a global of that name is never read, so never guarded."""
    cell = "import math\n\nx_stack = None\n\ndef f(x, n):\n    for _ in range(n):\n        x = x * math.sin(x)\n"
    cell += "    return x\n"
    ns = run_cell({}, tmp_path / "cell.py", cell)
    g = s2sgrad.grad(ns["f"])
    assert "x_stack = []" in s2sgrad.source(ns["f"], args=(0.5, 3))
    first = g(0.5, 3)
    compilations.clear()
    for value in (len, abs, print):  # a function rebound: had it been read, a guard would compile again
        ns["x_stack"] = value
        assert g(0.5, 3) == first
    assert not compilations
    check_grad(ns["f"], (0.5, 3))


def test_an_integer_where_the_fast_path_took_a_float_is_still_refused():
    g = s2sgrad.grad(squares_scaled, wrt=1)
    for _ in range(3):
        assert g(numpy.arange(3.0), 2.0) == 5.0
    with pytest.raises(TypeError, match="'k': it is an integer"):
        g(numpy.arange(3.0), 2)
