"""with, try, the walrus, *args/**kwargs/keyword-only parameters, lambdas in expressions and objects,
each checked against central finite differences (tests.gradcheck)."""

import collections
import contextlib
import dataclasses
import functools
import sys
import time

import numpy
import pytest
from gradcheck import check_grad, numeric_difference

import s2sgrad

# ----- with -----


class Timer:
    """A context manager that touches no differentiated value (and swallows nothing)."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self.start


class Swallowing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


def with_errstate(x):
    with numpy.errstate(divide="ignore", invalid="ignore"):
        y = numpy.log(x) * x
        z = y / x
    return z + y


def with_timer(x):
    with Timer():
        y = numpy.sin(x) * x
    return y * x


def with_local_setting(x, mode):
    with numpy.errstate(divide=mode), Timer():
        y = numpy.exp(x) / x
    return y


def with_early_return(x):
    with numpy.errstate(all="ignore"):
        if x > 0:
            return x * x
        y = x * 3.0
    return y


def with_swallowing(x):
    with Swallowing():
        y = x * x
        if x > 1.0:
            raise ValueError("big")
    return y


def with_in_loop(x):
    s = 0.0
    for i in range(3):
        with numpy.errstate(divide="ignore"):
            s = s + numpy.log(x) * i + x * x
    return s


@pytest.mark.parametrize("x", [1.5, 0.4])
def test_with_blocks(x):
    check_grad(with_in_loop, (x,))
    check_grad(with_errstate, (x,))
    check_grad(with_timer, (x,))
    check_grad(with_local_setting, (x, "ignore"))
    check_grad(with_early_return, (x,))
    check_grad(with_early_return, (-x,))


def test_errstate_covers_the_reverse_sweep_a_timer_does_not():
    errstate = s2sgrad.source(with_errstate, args=(1.5,))
    reverse = errstate.split("# reverse sweep")[1]
    assert "with np" not in errstate and "with numpy.errstate(divide='ignore', invalid='ignore'):" in reverse
    timer = s2sgrad.source(with_timer, args=(1.5,))
    assert "with unswallowed(Timer()):" in timer and "with" not in timer.split("# reverse sweep")[1]


def errstate_array(x):
    with numpy.errstate(divide="ignore", invalid="ignore"):
        y = numpy.log(x) * x
        z = numpy.sum(y / x)
    return z


def test_errstate_applies_in_both_sweeps():
    with numpy.errstate(all="raise"):  # log(0) and 0/0 would raise FloatingPointError outside the block
        g = s2sgrad.grad(errstate_array)(numpy.array([0.0, 1.0]))
    assert numpy.isnan(g[0]) and g[1] == pytest.approx(1.0)


def test_a_manager_that_swallows_an_exception_is_an_error_not_a_gradient():
    assert s2sgrad.grad(with_swallowing)(0.5) == pytest.approx(1.0)
    with pytest.raises(RuntimeError, match="swallowed ValueError"):
        s2sgrad.grad(with_swallowing)(1.5)


# ----- try -----


def try_log(x):
    with numpy.errstate(divide="raise", invalid="raise"):
        try:
            y = numpy.log(x) * x
        except FloatingPointError:
            y = x * 2.0
    return y * x


def try_else_finally(x):
    try:
        y = numpy.sqrt(numpy.abs(x))
        if x < 0:
            raise ValueError("negative")
    except ValueError:
        y = -x * 3.0
    else:
        y = y * x
    finally:
        z = 2.0
    return y * z


def try_finally(x):
    try:
        y = x * x
    finally:
        z = y * 2.0
    return z


def try_unused_raising_value(x):
    with numpy.errstate(invalid="raise"):
        try:
            check = numpy.log(x)  # noqa: F841 (never read: kept, because it decides which block runs)
            y = x * 2.0
        except FloatingPointError:
            y = x * 3.0
    return y * x


def may_raise(v):
    if v < 0:
        raise ValueError("negative")
    return numpy.sqrt(v)


def try_returns(x):
    try:
        return may_raise(x) * x
    except ValueError:
        return x * x * x


def try_around_with(x):
    try:
        with numpy.errstate(all="ignore"):
            y = may_raise(x) * 2.0
    except ValueError:
        y = -x
    return y * x


def try_linalg(x):
    try:
        z = numpy.linalg.cholesky(numpy.outer(x, x) + numpy.diag(x))
        y = numpy.sum(z)
    except numpy.linalg.LinAlgError:
        y = numpy.sum(x**2)
    return y


def try_keeps_the_old_value(x):
    y = x * 3.0
    with numpy.errstate(invalid="raise"):
        try:  # noqa: SIM105 (try itself is under test; contextlib.suppress is the same try, tested below)
            y = numpy.log(x) * x  # the last statement: an exception leaves y as it was
        except FloatingPointError:
            pass
    return y * x


def try_element_write(x):
    a = numpy.zeros(2)
    a[0] = x
    with numpy.errstate(invalid="raise"):
        try:
            a[1] = numpy.log(x)
        except FloatingPointError:
            a[1] = -1.0
    return numpy.sum(a * x)


@pytest.mark.parametrize("x", [1.5, -1.5])
def test_an_exception_leaves_the_last_statement_undone(x):
    check_grad(try_keeps_the_old_value, (x,))
    check_grad(try_element_write, (x,))


def test_an_exception_raised_in_a_called_function_or_numpy():
    for x in (1.5, -1.5):
        check_grad(try_returns, (x,))
        check_grad(try_around_with, (x,))
    check_grad(try_linalg, (numpy.array([1.0, 2.0]),))  # positive definite: the body's path
    check_grad(try_linalg, (numpy.array([-1.0, -2.0]),))  # not: LinAlgError, the handler's


@pytest.mark.parametrize("x", [1.5, -1.5, 0.7])
def test_try_takes_the_path_that_ran(x):
    check_grad(try_unused_raising_value, (x,))
    check_grad(try_log, (x,))
    check_grad(try_else_finally, (x,))
    check_grad(try_finally, (x,))


# NumPy 1.x promotes float32 scalars with Python floats by value (before NEP 50): float32 stays float32 in NumPy 2
NEP50 = int(numpy.__version__.split(".")[0]) >= 2


@pytest.mark.skipif(not NEP50, reason="float32 promotion follows NumPy 2's rules (NEP 50)")
def test_try_float32():
    check_grad(try_log, (numpy.float32(1.5),))
    check_grad(try_log, (numpy.float32(-1.5),))


def try_log_array(x):
    with numpy.errstate(invalid="raise"):
        try:
            y = numpy.log(x) * x
        except FloatingPointError:
            y = x * 2.0
    return numpy.sum(y * x)


def test_try_float32_arrays():
    for x in ([1.5, 0.5], [-1.5, 0.5]):
        check_grad(try_log_array, (numpy.array(x, dtype=numpy.float32),))


def test_try_records_the_path():
    text = s2sgrad.source(try_log, args=(-1.5,))
    assert "except FloatingPointError:" in text and "if no_error:" in text.split("# reverse sweep")[1]


def test_raise_fails_the_gradient_as_it_fails_the_function():
    def checked(x):
        if x < 0:
            raise ValueError("negative")
        return x * x

    assert s2sgrad.grad(checked)(1.5) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="negative"):
        s2sgrad.grad(checked)(-1.5)


SHADOWED = 2.0


def reads_a_local_before_binding_it(x):
    SHADOWED = SHADOWED * x  # noqa: F823 (the point: local in the whole function, so unbound when read)
    return SHADOWED * SHADOWED


def test_a_local_read_before_it_is_bound_fails_the_gradient_as_it_fails_the_function():
    with pytest.raises(UnboundLocalError):
        reads_a_local_before_binding_it(0.7)
    with pytest.raises(UnboundLocalError):
        s2sgrad.grad(reads_a_local_before_binding_it)(0.7)


def test_print_and_fstring_of_active_values(capsys):
    def printed(x):
        y = x * x
        print(f"y={y:.2f}", y)
        width = 7
        label = f"[{y * 2:{width}.3f}|{y / 3!r}]"  # assigned: a str, with no derivative
        print(label)
        return y * x

    check_grad(printed, (1.5,))
    out = capsys.readouterr().out
    assert "y=2.25 2.25" in out and "[  4.500|0.75]" in out
    s2sgrad.grad(printed)(1.5)  # the gradient prints as the function does, once
    assert capsys.readouterr().out == "y=2.25 2.25\n[  4.500|0.75]\n"


# ----- walrus -----


def walrus_product(x):
    return (y := x * 2.0) * y


def walrus_condition(x):
    if (n := x * x) > 1.0:
        return n * x
    return n


def walrus_short_circuit(x):
    y = 1.0
    r = (x > 0 and (y := x * 3.0)) or y
    return r * x


def walrus_while(x):
    n = 3.0
    s = x
    while (n := n - 1.0) > 0:  # the test, walrus included, runs again at the end of each iteration
        s = s * x
    return s


def walrus_in_call(x):
    return numpy.sin(y := x * x) + y


@pytest.mark.parametrize("x", [1.5, -1.5, 0.5])
def test_walrus(x):
    for f in (walrus_product, walrus_condition, walrus_short_circuit, walrus_while, walrus_in_call):
        check_grad(f, (x,))


# ----- parameters -----


def keyword_only(x, *, k=2.0):
    return x * k * k


def star_args(*xs):
    return xs[0] * xs[1] * xs[1]


def scaled_product(a, *xs):
    return a * xs[0] * xs[1] ** 2


def everything(x, *rest, scale=1.0, **options):
    return scale * x * rest[0] + options["b"] * x * x


def helper_keyword_only(v, *, k=2.0):
    return v * k


def helper_star(*values, **named):
    return len(values) * named["w"]


def calls_helpers(x):
    return helper_keyword_only(x, k=3.0) + helper_keyword_only(x * x) + helper_star(1, 2, w=3.0) * x


def test_keyword_only_parameters():
    check_grad(keyword_only, (1.5,))
    assert s2sgrad.grad(keyword_only, wrt="k")(1.5, k=3.0) == pytest.approx(9.0)
    assert s2sgrad.grad(keyword_only)(1.5, k=3.0) == pytest.approx(9.0)


def positional_only(x, k, /):
    k = k * x  # a parameter reassigned: its old value's adjoint is not its new value's
    return k * k + x


def helper_positional_only(a, k=2.0, /):
    k = k * a
    return k * k


def nested_positional_only(x, a):
    def square(a, /):  # the parameter hides the enclosing function's ``a``: nothing is captured
        return a * a

    return square(x) * a + helper_positional_only(x) + helper_positional_only(x, a)


def test_positional_only_parameters_are_the_functions_own():
    check_grad(positional_only, (0.7, 1.5), wrt=(0, 1))
    check_grad(nested_positional_only, (0.7, 1.5), wrt=(0, 1))
    for func in (positional_only, nested_positional_only):  # forward mode too, compared with reverse mode
        assert not s2sgrad.check_grad(func, 0.7, 1.5, wrt=(0, 1)).skipped


def test_star_args_gradient_is_a_tuple():
    assert s2sgrad.grad(star_args)(1.5, 2.0) == pytest.approx((4.0, 6.0))
    assert isinstance(s2sgrad.grad(star_args)(1.5, 2.0), tuple)
    s2sgrad.check_grad(star_args, 1.5, 2.0)  # each gathered argument against finite differences, both modes
    s2sgrad.check_grad(scaled_product, 1.5, 2.0, 3.0, wrt=("a", "xs"))
    assert s2sgrad.jvp(star_args, (1.5, 2.0), (1.0, None)) == pytest.approx((6.0, 4.0))


def test_star_args_and_kwargs_by_name():
    assert s2sgrad.grad(everything)(1.5, 2.0, b=4.0) == pytest.approx(2.0 + 12.0)
    assert s2sgrad.grad(everything, wrt="rest")(1.5, 2.0, 3.0, b=4.0) == pytest.approx((1.5, 0.0))
    assert s2sgrad.grad(everything, wrt="options")(1.5, 2.0, b=4.0) == {"b": pytest.approx(2.25)}
    assert s2sgrad.grad(everything, wrt="scale")(1.5, 2.0, scale=2.0, b=4.0) == pytest.approx(3.0)


def test_called_helpers_with_keyword_only_and_star_parameters():
    check_grad(calls_helpers, (1.5,))


# ----- lambdas in expressions -----


def reduce_product(x):
    return functools.reduce(lambda a, b: a * b, [x, x, 2.0])


def reduce_initial(x, y):
    return functools.reduce(lambda a, b: a * b + y, (x, 2.0), 1.5)


def map_squares(x):
    return sum(map(lambda v, w: v * v * w, [x, 2.0 * x], [1.0, 3.0]))


def map_into_array(x):
    return numpy.sum(numpy.array(list(map(lambda v, w: numpy.sin(v) * w, [x, x * x], [1.0, 2.0]))))


def loop_variable_captured(x):
    s = 0.0
    for i in range(3):
        s = s + functools.reduce(lambda a, b: a * b * i, [x, x])
    return s


def sorted_by_key(x):
    ordered = sorted([x[0], x[1] * 2.0, x[2]], key=lambda v: abs(v))
    return ordered[0] * 1.0 + ordered[1] * 2.0 + ordered[2] * 3.0


def reduce_with_numpy(x):
    return numpy.sum(functools.reduce(numpy.multiply, [x, numpy.sin(x), x]))


def test_lambdas_in_expressions():
    check_grad(reduce_product, (1.5,))
    check_grad(reduce_initial, (1.5, 0.5), wrt=(0, 1))
    check_grad(map_squares, (1.5,))
    check_grad(map_into_array, (1.5,))
    check_grad(loop_variable_captured, (1.5,))
    check_grad(sorted_by_key, (numpy.array([0.3, -2.0, 1.1]),))
    check_grad(sorted_by_key, (numpy.array([0.3, -2.0, 1.1], dtype=numpy.float32),))
    check_grad(reduce_with_numpy, (numpy.array([0.5, 1.5]),))


def reduce_of_a_variable(xs):
    return functools.reduce(lambda a, b: a * b, xs)


def reduce_with_initial_in_a_loop(xs, c):
    total = 0.0
    for k in range(2):
        total = total + functools.reduce(lambda acc, v: acc + c * v * k, xs, 1.0)  # reads the loop variable
    return total * c


def map_of_variables(xs, ys, k):
    squares = list(map(lambda v: v * v * k, xs))
    return sum(squares) + sum(map(lambda a, b: a * b, xs, ys))


def reduce_over_rows(m):
    return functools.reduce(lambda a, row: a + numpy.sin(row), m, numpy.zeros(m.shape[1])).sum()


def reduce_under_a_condition(xs, flag):
    return functools.reduce(lambda a, b: a * b, xs) if flag else 0.0


@pytest.mark.parametrize("xs", [[1.5, 2.0, 3.0], numpy.array([1.5, -2.0, 0.5]), [0.7]], ids=["list", "array", "one"])
def test_reduce_and_map_over_a_variable_are_their_loops(xs):
    """Of any length: reduce is a loop before its statement, map a comprehension."""
    if isinstance(xs, numpy.ndarray):
        check_grad(reduce_of_a_variable, (xs,))
    gradient = s2sgrad.grad(reduce_of_a_variable)(xs)
    expected = [numpy.prod(numpy.delete(numpy.asarray(xs), i)) for i in range(len(xs))]  # by hand
    assert numpy.allclose(gradient, expected, rtol=1e-15)
    array = numpy.asarray(xs, dtype=float)
    check_grad(reduce_with_initial_in_a_loop, (array, 0.7), wrt=(0, 1))
    check_grad(map_of_variables, (array, array[::-1] * 0.5, 0.3), wrt=(0, 1, 2))
    check_grad(reduce_over_rows, (numpy.outer(array, [0.5, 1.0, -0.3]),))


def test_reduce_of_a_variable_where_only_some_paths_evaluate_it_is_rejected():
    with pytest.raises(s2sgrad.TransformError, match="only some paths evaluate it"):
        s2sgrad.grad(reduce_under_a_condition)([1.0, 2.0], True)


def test_grad_of_a_test_style_lambda():
    y = 3.0
    check_grad(lambda x: reduce_initial(x, y), (1.5,))


# ----- objects -----


class Model:
    def __init__(self, w, b, n):
        self.w, self.b, self.n = w, b, n

    def loss(self, x):
        return self.w * x * x + numpy.sum(numpy.tanh(self.b * x)) * self.n


@dataclasses.dataclass
class Params:
    a: float
    v: numpy.ndarray


Pair = collections.namedtuple("Pair", "a b")


def dataclass_loss(p, x):
    return p.a * numpy.sum(p.v**2) * x


def namedtuple_loss(p, x):
    return p.a * p.b * x


def _model():
    return Model(3.0, numpy.array([0.5, -1.0]), 2)


def test_method_gradient_with_respect_to_its_argument():
    model = _model()
    check_grad(model.loss, (1.5,))


def test_method_gradient_with_respect_to_the_object_is_a_dict_of_float_attributes():
    model, x = _model(), 1.5
    grads = s2sgrad.grad(Model.loss, wrt="self")(model, x)
    assert sorted(grads) == ["b", "w"]  # n is an integer: no gradient
    w_fd = (Model(3.0 + 1e-6, model.b, 2).loss(x) - Model(3.0 - 1e-6, model.b, 2).loss(x)) / 2e-6
    assert grads["w"] == pytest.approx(w_fd, rel=1e-6)
    for i in range(2):
        step = numpy.eye(2)[i] * 1e-6
        b_fd = (Model(3.0, model.b + step, 2).loss(x) - Model(3.0, model.b - step, 2).loss(x)) / 2e-6
        assert grads["b"][i] == pytest.approx(b_fd, rel=1e-6)


def test_dataclass_and_namedtuple_parameters():
    p = Params(2.0, numpy.array([1.0, 3.0]))
    grads = s2sgrad.grad(dataclass_loss)(p, 2.0)
    assert grads["a"] == pytest.approx(numpy.sum(p.v**2) * 2.0)
    assert grads["v"] == pytest.approx(2.0 * p.a * p.v * 2.0)
    assert s2sgrad.grad(namedtuple_loss)(Pair(2.0, 3.0), 2.0) == {"a": pytest.approx(6.0), "b": pytest.approx(4.0)}
    check_grad(dataclass_loss, (p, 2.0), wrt=1)


@pytest.mark.skipif(not NEP50, reason="float32 promotion follows NumPy 2's rules (NEP 50)")
def test_float32_attributes_get_float32_gradients():
    model = Model(numpy.float32(3.0), numpy.array([0.5, -1.0], dtype=numpy.float32), 2)
    grads, by_x = s2sgrad.grad(Model.loss, wrt=("self", "x"))(model, numpy.float32(1.5))
    assert grads["b"].dtype == numpy.float32 and isinstance(grads["w"], numpy.float32)
    assert isinstance(by_x, numpy.float32)
    check_grad(model.loss, (numpy.float32(1.5),))


def predict(p, x):
    return numpy.tanh(p.w * x + p.b)


class Network:
    def __init__(self):
        self.w, self.b, self.scale, self.name = numpy.array([0.3, -0.2]), 0.1, 2.0, "net"

    def predict(self, x):
        return predict(self, x) * self.scale

    def loss(self, x):
        print(self.name)
        return numpy.sum(self.predict(x) ** 2)


def _network(w, b, scale):
    net = Network()
    net.w, net.b, net.scale = w, b, scale
    return net


def test_methods_and_helpers_that_take_the_object(capsys):
    net, x = Network(), numpy.array([1.0, 2.0])
    check_grad(net.loss, (x,))  # self.predict(x) calls Network.predict, which passes self to predict
    grads = s2sgrad.grad(Network.loss, wrt="self")(net, x)
    assert sorted(grads) == ["b", "scale", "w"]  # name is a string: no gradient
    point = (net.w, net.b, net.scale)
    rebuilt = lambda w, b, scale: _network(w, b, scale).loss(x)  # noqa: E731 (the loss of the attributes)
    for index, name in enumerate(("w", "b", "scale")):
        for k, direction in enumerate(numpy.eye(2) if name == "w" else [1.0]):
            expected = numeric_difference(rebuilt, point, index, direction)
            actual = grads[name][k] if name == "w" else grads[name]
            assert abs(actual - expected.value) <= expected.error, (name, actual, expected)
    assert "net" in capsys.readouterr().out


def test_differentiated_objects_may_only_be_read():
    def passed_to_numpy(p, x):
        return numpy.sum(numpy.asarray(p.w) * x) + len(vars(p))

    with pytest.raises(s2sgrad.TransformError, match="may only read its attributes"):
        s2sgrad.grad(passed_to_numpy, wrt="p")(Params(2.0, numpy.array([1.0])), 1.5)

    class WithProperty:
        w = 2.0

        @property
        def doubled(self):
            return self.w * 2.0

    def reads_property(m, x):
        return m.doubled * x

    with pytest.raises(s2sgrad.TransformError, match="a property"):
        s2sgrad.grad(reads_property, wrt="m")(WithProperty(), 1.5)
    assert s2sgrad.grad(reads_property, wrt="x")(WithProperty(), 1.5) == pytest.approx(4.0)  # a constant: fine


def scaled_prediction(p, x):
    return p.a * numpy.sum(p.v * x)


def twice_by_keyword(p, x):
    return scaled_prediction(x=x, p=p) + scaled_prediction(p=p, x=2.0 * x)


def test_an_object_passed_by_keyword_to_one_helper_twice():
    p, x = Params(2.0, numpy.array([1.0, 3.0])), 0.5
    grads = s2sgrad.grad(twice_by_keyword)(p, x)  # the helper's attributes are collected once
    rebuilt = lambda a, v: twice_by_keyword(Params(a, v), x)  # noqa: E731 (the loss of the attributes)
    expected_a = numeric_difference(rebuilt, (p.a, p.v), 0, 1.0)
    assert abs(grads["a"] - expected_a.value) <= expected_a.error
    for k, direction in enumerate(numpy.eye(2)):
        expected_v = numeric_difference(rebuilt, (p.a, p.v), 1, direction)
        assert abs(grads["v"][k] - expected_v.value) <= expected_v.error
    check_grad(twice_by_keyword, (p, x), wrt=1)


def test_a_differentiated_object_passed_unpacked_or_to_a_library_function_is_rejected():
    def unpacked(p, x):
        return scaled_prediction(p, *[x])  # which parameter receives p is not followed past a starred argument

    def to_numpy(p, x):
        return p.a * x if numpy.isscalar(p) else x

    for func in (unpacked, to_numpy):
        with pytest.raises(s2sgrad.TransformError, match="may only read its attributes"):
            s2sgrad.grad(func, wrt="p")(Params(2.0, numpy.array([1.0])), 1.5)


def test_gradient_of_the_object_can_be_applied():
    model = _model()
    for _ in range(3):
        grads = s2sgrad.grad(Model.loss, wrt="self")(model, 1.5)
        before = model.loss(1.5)
        for name, g in grads.items():
            setattr(model, name, getattr(model, name) - 0.01 * g)
        assert model.loss(1.5) < before


def suppressed(x, table):
    y = x * 3.0
    with contextlib.suppress(KeyError, IndexError):  # the except clause of a try
        y = numpy.sin(x) * table["a"][1]
    return y * x


@pytest.mark.parametrize("table", [{"a": [0.5, 2.0]}, {"a": [0.5]}, {}], ids=["no error", "IndexError", "KeyError"])
def test_contextlib_suppress_is_the_try_it_means(table):
    """The gradient follows the path taken: the body's, or (an exception swallowed) the value from before."""
    check_grad(suppressed, (0.7, table), wrt=0)


def declared_before_assigned(x):
    total: float  # a declaration alone binds nothing
    total = x * x
    return total


def test_an_annotation_without_a_value():
    check_grad(declared_before_assigned, (1.5,))


def into_buffers(x, shape, dtype):
    """NumPy buffers made four ways: of a shape of unknown rank, a dtype by position, a dtype passed in, an int one."""
    a = numpy.zeros(shape)
    a[0] = x * x
    b = numpy.ones(2, numpy.float64)
    b[1] = x
    c = numpy.zeros(2, dtype=dtype)
    c[0] = numpy.sin(x)
    counts = numpy.zeros(2, dtype=int)
    counts[0] = x * 2.0  # cut to an integer: no derivative through it
    return numpy.sum(a) + numpy.prod(b) + numpy.sum(c) + x * numpy.sum(counts)


def test_buffers_of_every_shape_and_dtype():
    check_grad(into_buffers, (1.3, (3,), numpy.float64))


# ----- match (Python 3.10+) -----

needs_match = pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements are Python 3.10+")


@needs_match
@pytest.mark.parametrize("status", [0, 1, 2, None, 12, 5])
def test_match_is_its_if_chain(status):
    """Value, '|', singleton, capture-with-guard and wildcard cases: the gradient of the case that runs."""
    from match_programs import by_status

    check_grad(by_status, (0.7, status), wrt=0)


@needs_match
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("which", ["FAST", "SLOW"])
def test_match_on_enum_values_with_guards_and_a_return_in_a_case(which, n):
    from match_programs import Mode, by_enum

    check_grad(by_enum, (0.7, Mode[which], n), wrt=0)


@needs_match
@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_match_of_an_expression_where_no_case_may_match(n):
    from match_programs import no_case_matches

    check_grad(no_case_matches, (0.7, n), wrt=0)


@needs_match
def test_sequence_patterns_are_rejected_at_the_pattern():
    from match_programs import sequence_pattern

    with pytest.raises(
        s2sgrad.TransformError, match=r"match_programs\.py:\d+:\d+: sequence patterns are not supported"
    ):
        s2sgrad.grad(sequence_pattern)(0.7, (1.0, 2.0))


@needs_match
@pytest.mark.parametrize("n", [0, 2, 7])
def test_match_with_an_alternative_that_always_matches(n):
    from match_programs import either_or_anything

    check_grad(either_or_anything, (0.7, n), wrt=0)


@needs_match
def test_a_capture_inside_an_alternative_is_rejected():
    from match_programs import capture_in_an_alternative

    with pytest.raises(s2sgrad.TransformError, match="a capture inside an alternative"):
        s2sgrad.grad(capture_in_an_alternative)(0.7, 1)


def suppresses_nothing(x):
    with contextlib.suppress():  # noqa: B022 (no exception types: the body as it is, as Python runs it)
        y = x * x
    return y * 3.0


def reduce_of_an_expression(xs):
    return functools.reduce(lambda a, b: a * b + 1.0, xs[1:])


def test_suppress_of_nothing_and_reduce_of_an_expression():
    check_grad(suppresses_nothing, (0.7,))
    check_grad(reduce_of_an_expression, (numpy.array([0.3, 1.5, -0.7, 2.0]),))
