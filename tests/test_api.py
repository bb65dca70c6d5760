"""The public API: call and decorator forms, wrt, errors on wrong use, cache, generated functions."""

import inspect
import linecache
import math
import os
import subprocess
import sys
import textwrap
import typing

import numpy
import pytest
from gradcheck import check_grad, numeric_directional

import s2sgrad
from s2sgrad import kinds, pipeline


def seed(x, y):
    return x**2 + y**2


SCALE = 2.0


def uses_global(x):
    return SCALE * x * x


# ----- call and decorator forms -----


def test_seed_example_value_and_gradient():
    assert s2sgrad.grad(seed, wrt=(0, 1))(2.0, 3.0) == (4.0, 6.0)
    assert s2sgrad.value_and_grad(seed, wrt=("x", "y"))(2.0, 3.0) == (13.0, (4.0, 6.0))


def test_decorator_without_and_with_arguments():
    @s2sgrad.grad
    def first(x, y):
        return x * y

    @s2sgrad.grad(wrt=("x", "y"))
    def both(x, y):
        return x * y

    assert first(2.0, 5.0) == 5.0
    assert both(2.0, 5.0) == (5.0, 2.0)


@pytest.mark.parametrize(
    "wrt, expected", [(0, 4.0), (1, 6.0), ("y", 6.0), (-1, 6.0), ((1,), (6.0,)), (("y", "x"), (6.0, 4.0))]
)
def test_wrt_by_position_name_and_tuple(wrt, expected):
    assert s2sgrad.grad(seed, wrt=wrt)(2.0, 3.0) == expected


def test_the_other_transforms_as_decorators_with_arguments():
    @s2sgrad.value_and_grad(wrt="y")
    def value_and_dy(x, y):
        return x * y * y

    @s2sgrad.jacobian(wrt=0, mode="forward")
    def scaled(x):
        return 3.0 * x

    @s2sgrad.hessian(wrt=0)
    def cube(x):
        return numpy.sum(x**3)

    assert value_and_dy(2.0, 3.0) == (18.0, 12.0)
    numpy.testing.assert_array_equal(scaled(numpy.ones(2)), 3.0 * numpy.eye(2))
    numpy.testing.assert_array_equal(cube(numpy.array([1.0, 2.0])), numpy.diag([6.0, 12.0]))


def test_keyword_and_default_arguments():
    def f(x, scale=3.0, power=2):
        return scale * x**power

    g = s2sgrad.grad(f)
    assert g(2.0) == pytest.approx(12.0)
    assert g(2.0, power=3) == pytest.approx(36.0)
    assert g(x=2.0, scale=1.0) == pytest.approx(4.0)


def test_keywords_bind_as_python_binds_them():
    """Keywords bind without inspect.Signature.bind where they can (the wrapper's fast path); a call
    Python would reject is rejected with Python's message."""

    class Model:
        def loss(self, x, scale=3.0):
            return scale * x * x

    g = s2sgrad.grad(Model().loss)  # a bound method: the instance comes first
    assert g(2.0, scale=1.0) == pytest.approx(4.0) and g(scale=2.0, x=1.0) == pytest.approx(4.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'power'"):
        g(2.0, power=3)
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        g(2.0, x=1.0)
    with pytest.raises(TypeError, match="missing a required argument: 'x'"):
        g(scale=1.0)
    with pytest.raises(TypeError, match="too many positional arguments"):
        g(2.0, 1.0, 5.0, power=3)


def test_a_positional_only_parameter_is_not_bound_by_its_name():
    def f(x, /, scale=3.0):
        return scale * x * x

    g = s2sgrad.grad(f)
    assert g(2.0, scale=1.0) == pytest.approx(4.0)
    with pytest.raises(TypeError, match="positional"):
        f(x=2.0, scale=1.0)
    with pytest.raises(TypeError, match="positional"):  # inspect's wording varies with the Python version
        g(x=2.0, scale=1.0)


def test_gradient_has_the_type_and_shape_of_its_argument():
    def f(x, w):
        return numpy.sum(x * w) * w

    dx, dw = s2sgrad.grad(f, wrt=(0, 1))(numpy.ones((2, 3)), 1.5)
    assert isinstance(dx, numpy.ndarray) and dx.shape == (2, 3)
    assert isinstance(dw, float)


def test_lambda():
    square = lambda x: x * x  # noqa: E731 - the lambda is the point of the test
    assert s2sgrad.grad(square)(3.0) == 6.0


# ----- wrong use -----


def test_wrt_naming_no_argument():
    with pytest.raises(ValueError, match=r"wrt='z' names no argument of seed\(x, y\)"):
        s2sgrad.grad(seed, wrt="z")
    with pytest.raises(ValueError, match="wrt=2"):
        s2sgrad.grad(seed, wrt=2)


def test_wrt_naming_nothing():
    with pytest.raises(ValueError, match=r"wrt=\(\) names no argument"):
        s2sgrad.grad(seed, wrt=())


def test_wrt_naming_an_argument_twice():
    with pytest.raises(ValueError, match=r"wrt=\(0, 'x'\) names an argument twice"):
        s2sgrad.grad(seed, wrt=(0, "x"))


def test_a_mode_or_stage_that_does_not_exist():
    with pytest.raises(ValueError, match="mode must be 'reverse' or 'forward', not 'sideways'"):
        s2sgrad.jacobian(seed, mode="sideways")
    with pytest.raises(ValueError, match="mode must be 'reverse' or 'forward', not 'sideways'"):
        s2sgrad.source(seed, mode="sideways")
    with pytest.raises(ValueError, match=r"stage must be one of .*, not 'final'"):
        s2sgrad.source(seed, stage="final")


def test_debug_nans_of_a_gradient_of_a_gradient():
    with pytest.raises(ValueError, match="debug_nans is not available for grad of grad"):
        s2sgrad.grad(s2sgrad.grad(seed), debug_nans=True)


def integers_only(n, m):
    return n * m


def test_vjp_and_jvp_with_nothing_to_differentiate():
    with pytest.raises(TypeError, match="vjp of 'integers_only': no primal is a float"):
        s2sgrad.vjp(integers_only, 2, 3)
    with pytest.raises(TypeError, match="jvp of 'seed': no primal is a float or a float array with a tangent"):
        s2sgrad.jvp(seed, (2.0, 3.0), (None, None))
    with pytest.raises(ValueError, match="jvp of 'seed': 2 primals but 1 tangents"):
        s2sgrad.jvp(seed, (2.0, 3.0), (1.0,))


def pair(x):
    return x * 2.0, numpy.sum(x)


def test_jvp_of_a_ufunc_says_what_it_can_differentiate():
    """A ufunc cannot key the remembered plans (no weak reference): the call goes on to say why it cannot run."""
    with pytest.raises(TypeError, match=r"cannot differentiate <ufunc 'sin'>: it is not a Python function"):
        s2sgrad.jvp(numpy.sin, (1.5,), (1.0,))


def gathers(*xs):
    return xs[0] * xs[0]


def jvp_of_gathers(x):
    return s2sgrad.jvp(gathers, (x,), (1.0,))[1]


def test_differentiating_jvp_of_a_function_with_star_args():
    with pytest.raises(TypeError, match=r"s2sgrad\.jvp of 'gathers', which has \*args"):
        s2sgrad.grad(jvp_of_gathers)(1.5)


def annotated(x: numpy.ndarray, n: int, w: float, flag: bool) -> float:
    s = 0.0
    for i in range(n):
        s = s + numpy.sum(x * w) * i
    return s if flag else -s


def test_source_without_arguments_reads_the_kinds_of_the_annotations():
    by_example = s2sgrad.source(annotated, wrt=(0, 2), args=(numpy.ones(3), 2, 1.5, True))
    assert s2sgrad.source(annotated, wrt=(0, 2)) == by_example


@pytest.mark.parametrize("annotation", [list, tuple, typing.List[float], typing.Tuple[float, float]])
def test_a_list_or_tuple_annotation_promises_a_sequence(annotation):
    assert kinds.kind_of_annotation(annotation) == kinds.SEQUENCE


def either_int_or_float(x, n):
    s = 1
    if n <= 2:
        s = x
    return s * x


def test_a_name_that_holds_an_int_on_one_path_and_a_float_on_the_other():
    check_grad(either_int_or_float, (1.5, 1))
    check_grad(either_int_or_float, (1.5, 3))


def unknown_annotation(x: "NotAType") -> float:  # noqa: F821
    return x * x


def test_source_without_arguments_ignores_an_annotation_that_does_not_evaluate():
    assert "def grad_unknown_annotation(x" in s2sgrad.source(unknown_annotation)


def test_a_cotangent_without_the_outputs_structure():
    _, vjp_fn = s2sgrad.vjp(pair, numpy.ones(3))
    with pytest.raises(ValueError, match="the cotangent of the output must be a tuple of 2 values, one per output"):
        vjp_fn(numpy.ones(3))
    with pytest.raises(ValueError, match=r"the cotangent of the output\[0\] has shape \(2,\), the value \(3,\)"):
        vjp_fn((numpy.ones(2), 1.0))


def test_complex_inputs_are_rejected():
    with pytest.raises(TypeError, match="argument 'x' is complex"):
        s2sgrad.grad(lambda x: numpy.sum(x * x))(numpy.array([1.0 + 1j, 2.0]))
    with pytest.raises(TypeError, match="argument 'y' is complex"):
        s2sgrad.grad(seed)(1.0, 2j)
    with pytest.raises(TypeError, match="argument 'x' is complex"):
        s2sgrad.grad(lambda x: x[0] * x[1], wrt=0)([1.0, numpy.complex128(2.0)])


def test_integer_input_asked_to_be_differentiated():
    with pytest.raises(TypeError, match=r"with respect to 'x': it is an integer.*2\.0, not 2"):
        s2sgrad.grad(seed)(2, 3.0)


def test_non_scalar_output_of_grad():
    def f(x):
        return x * 2.0

    with pytest.raises(ValueError, match=r"needs a real scalar output.*shape \(3,\).*vjp"):
        s2sgrad.grad(f)(numpy.ones(3))


def test_a_list_tuple_or_dict_output_of_grad_says_so():
    """(Its reverse sweep, seeded with 1.0, failed with "'float' object is not subscriptable".)"""

    def pair(x):
        return numpy.sum(x), 2.0 * numpy.sum(x)

    def listed(x):
        return [numpy.sum(x)]

    for func in (pair, listed):
        with pytest.raises(ValueError, match=r"needs a real scalar output.*list, tuple or dict.*vjp"):
            s2sgrad.grad(func)(numpy.ones(3))


def test_the_output_check_does_not_run_the_function_again():
    calls = []

    def f(x):
        calls.append(1)
        return numpy.sum(x * x) if numpy.ndim(x) else x * x  # its result kind is only known when it runs

    for args in ((3.0,), (numpy.ones(2),)):
        calls.clear()
        _, gradient = s2sgrad.value_and_grad(f)(*args)
        assert calls == [1]
        assert numpy.allclose(gradient, 2.0 * numpy.asarray(args[0]))

    def vector(x):
        calls.append(1)
        return x * numpy.ones(2)

    calls.clear()
    with pytest.raises(ValueError, match="needs a real scalar output"):
        s2sgrad.grad(vector)(3.0)
    assert calls == [1]


def test_function_without_source():
    namespace = {}
    exec("def f(x):\n    return x * x\n", namespace)
    with pytest.raises(s2sgrad.TransformError, match=r"cannot read the source of 'f'.*\n.*register_adjoint"):
        s2sgrad.grad(namespace["f"])(1.0)


def _defined_by_exec(text: str, filename: str):
    namespace = {}
    exec(compile(text, filename, "exec"), namespace)
    return namespace["f"]


def test_a_function_without_source_gets_a_hint_by_where_it_was_defined():
    piped = _defined_by_exec("def f(x):\n    return x * x\n", "<stdin>")  # python - names its code so
    with pytest.raises(s2sgrad.TransformError, match=r"(?s)cannot read the source.*piped to python -"):
        s2sgrad.grad(piped)(1.0)
    gone = _defined_by_exec("def f(x):\n    return x * x\n", os.path.join("no", "such", "module.py"))
    with pytest.raises(s2sgrad.TransformError, match=r"(?s)cannot read the source.*define it in a \.py file"):
        s2sgrad.grad(gone)(1.0)


def test_source_that_no_longer_parses():
    """The text read for ``f`` changed after it was defined, and is not Python now: an error, not a wrong gradient."""
    filename = "<edited after its definition>"
    f = _defined_by_exec("def f(x):\n    return x * x\n", filename)
    linecache.cache[filename] = (24, None, ["def f(x):\n", "    return x *\n"], filename)
    try:
        with pytest.raises(s2sgrad.TransformError, match="cannot parse the source of 'f': invalid syntax"):
            s2sgrad.grad(f)(1.0)
    finally:
        del linecache.cache[filename]


def test_source_edited_to_leave_a_bracket_open_to_its_end():
    """Reading ``f``'s block stops at the end of the text inside a bracket: the same error, not tokenize's."""
    filename = "<edited to leave a bracket open>"
    f = _defined_by_exec("def f(x):\n    return x * x\n", filename)
    linecache.cache[filename] = (26, None, ["def f(x):\n", "    return x * (x\n"], filename)
    try:
        with pytest.raises(s2sgrad.TransformError, match="cannot parse the source of 'f'") as caught:
            s2sgrad.grad(f)(1.0)
        assert caught.value.line == 1
    finally:
        del linecache.cache[filename]


SQUARE_AND_DOUBLE = (lambda x: x * x, lambda x: x + x)


def test_two_lambdas_of_one_line_and_parameters():
    with pytest.raises(s2sgrad.TransformError, match="cannot tell which lambda on this line") as caught:
        s2sgrad.grad(SQUARE_AND_DOUBLE[0])(1.0)
    assert caught.value.line == SQUARE_AND_DOUBLE[0].__code__.co_firstlineno


# ----- other transforms -----


def test_vjp_of_a_vector_function_against_finite_differences():
    def f(x, w):
        return numpy.tanh(x * w) + x

    x, w = numpy.array([0.5, -1.0, 2.0]), 0.7
    out, vjp_fn = s2sgrad.vjp(f, x, w)
    assert numpy.allclose(out, f(x, w))
    cotangent = numpy.array([1.0, 2.0, -0.5])
    dx, dw = vjp_fn(cotangent)
    direction = numpy.array([0.3, -0.2, 0.9])
    expected = numeric_directional(lambda x_: numpy.dot(cotangent, f(x_, w)), (x,), 0, direction)
    assert numpy.dot(dx, direction) == pytest.approx(expected, rel=1e-6)
    assert dw == pytest.approx(numeric_directional(lambda w_: numpy.dot(cotangent, f(x, w_)), (w,), 0, 1.0), rel=1e-6)


def _writes_in_a_loop(x, n):
    print("ran")
    y = x * 1.0
    for i in range(n):
        y[i % 3] = numpy.sin(y[i % 3]) * x[0]  # the reverse sweep restores y's elements in place
    return y * 2.0


def test_vjp_runs_the_function_once_and_its_pullback_any_number_of_times(capsys):
    """The forward function runs in vjp; each vjp_fn call runs the backward on a copy of its record."""
    x = numpy.array([0.3, 0.5, 0.9])
    out, vjp_fn = s2sgrad.vjp(_writes_in_a_loop, x, 4)
    cotangent = numpy.array([1.0, -2.0, 0.5])
    first, second = vjp_fn(cotangent)[0], vjp_fn(cotangent)[0]
    assert capsys.readouterr().out.count("ran") == 1
    assert numpy.array_equal(out, _writes_in_a_loop(x, 4)) and numpy.array_equal(first, second)
    direction = numpy.array([0.3, -0.2, 0.9])
    expected = numeric_directional(lambda x_: numpy.dot(cotangent, _writes_in_a_loop(x_, 4)), (x,), 0, direction)
    assert numpy.dot(first, direction) == pytest.approx(expected, rel=1e-6)


def test_reverse_jacobian_runs_the_function_once(capsys):
    x = numpy.array([0.3, 0.5, 0.9])
    jac = s2sgrad.jacobian(_writes_in_a_loop)(x, 4)
    assert capsys.readouterr().out.count("ran") == 1
    for i in range(3):
        row = [numeric_directional(lambda x_, i=i: _writes_in_a_loop(x_, 4)[i], (x,), 0, d) for d in numpy.eye(3)]
        assert numpy.allclose(jac[i], row, rtol=1e-6, atol=1e-9)


def test_jacobian_reverse_mode():
    def f(x):
        return numpy.sin(x) * x[0]

    x = numpy.array([0.3, 1.2, -0.7])
    jac = s2sgrad.jacobian(f)(x)
    expected = numpy.diag(numpy.cos(x) * x[0])
    expected[:, 0] += numpy.sin(x)
    assert jac.shape == (3, 3) and numpy.allclose(jac, expected)


def test_register_adjoint_for_a_function_without_python_source():
    class Softplus:
        """A callable with no Python source, like a C extension's function."""

        def __call__(self, x):
            return numpy.log1p(numpy.exp(x))

    softplus = Softplus()

    @s2sgrad.register_adjoint(softplus, result="elementwise")
    def softplus_rule(y, x):
        s2sgrad.d[x] += s2sgrad.d[y] / (1.0 + numpy.exp(-x))

    def loss(x):
        return numpy.sum(softplus(x) ** 2)

    check_grad(loss, (numpy.array([-1.0, 0.2, 3.0]),))


def test_a_vjp_rule_returning_too_few_adjoints_names_the_rule():
    def two(x, y):
        return x * y

    def short_vjp(g, x, y):
        return g * y  # one adjoint for two arguments

    s2sgrad.register_adjoint(two, vjp=short_vjp)
    with pytest.raises(TypeError, match=r"VJP rule .*short_vjp \(test_api.py:\d+\) returned float; .* 2 adjoints"):
        s2sgrad.grad(lambda a: two(a, 3.0))(2.0)


# ----- the generated function -----


def test_generated_code_is_cached_per_argument_kinds(monkeypatch):
    calls = []
    original = pipeline.compile_reverse
    monkeypatch.setattr(s2sgrad.api, "compile_reverse", lambda *a, **k: calls.append(1) or original(*a, **k))

    def f(x):
        return x * x

    g = s2sgrad.grad(f)
    g(1.0), g(2.0), g(3.0)
    assert len(calls) == 1
    g(numpy.float64(2.0))  # another kind of scalar, same kind: no new compilation
    assert len(calls) == 1
    s2sgrad.grad(lambda x: numpy.sum(x * x))(numpy.ones(2))
    assert len(calls) == 2
    s2sgrad.grad(f)(4.0)  # a new wrapper of the same function reuses the cache
    assert len(calls) == 2
    g(numpy.ones((2, 2)).sum())
    assert len(calls) == 2


def test_redefining_a_function_gives_a_fresh_gradient(tmp_path):
    for body, expected in (("x * x", 6.0), ("x * x * x", 27.0)):
        path = tmp_path / "notebook_cell.py"
        path.write_text(f"def f(x):\n    return {body}\n")
        linecache.checkcache(str(path))
        namespace = {}
        exec(compile(path.read_text(), str(path), "exec"), namespace)
        assert s2sgrad.grad(namespace["f"])(3.0) == expected


def test_generated_function_reads_live_globals():
    global SCALE
    g = s2sgrad.grad(uses_global)
    assert g(1.0) == 4.0
    SCALE = 3.0
    try:
        assert g(1.0) == 6.0
    finally:
        SCALE = 2.0


def test_closure_variables_are_read_live():
    factor = 2.0

    def f(x):
        return factor * x

    g = s2sgrad.grad(f)
    assert g(1.0) == 2.0
    factor = 5.0
    assert g(1.0) == 5.0


def test_a_deleted_closure_variable_is_a_name_error_as_in_the_function():
    factor = 2.0

    def f(x):
        return factor * x  # noqa: F821 (deleted below, on purpose)

    g = s2sgrad.grad(f)
    assert g(1.0) == 2.0
    del factor  # the guard finds the cell empty: the gradient compiles again, and reads it as f does
    for call in (f, g):
        with pytest.raises(NameError, match="free variable 'factor'"):
            call(1.0)


def test_generated_source_is_visible_to_inspect_and_tracebacks():
    def f(x):
        return math.log(x)

    with pytest.raises(ZeroDivisionError) as caught:
        s2sgrad.grad(f)(0.0)
    tb = caught.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    assert code.co_filename.startswith("<s2sgrad grad_f")
    assert "d_out / x" in linecache.getline(code.co_filename, tb.tb_lineno)
    assert inspect.getsource(code).lstrip().startswith("def grad_f(x, d_out=1.0):")
    assert tb.tb_frame.f_globals is globals()  # the user's live module globals


def test_generated_source_does_not_depend_on_hash_seed():
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, "examples")
        sys.path.insert(0, "tests/cases")
        import s2sgrad, stack_concatenate, seed
        print(s2sgrad.source(stack_concatenate.f, wrt=("a", "b")))
        print(s2sgrad.source(seed.f, wrt=("x", "y")))
        """
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed_value, "PYTHONDONTWRITEBYTECODE": "1"},
        ).stdout
        for seed_value in ("1", "2")
    }
    assert len(outputs) == 1


def _affine(p, x):
    return p["w"] * x**2 + p["b"] * x


def test_vjp_of_a_dict_primal_is_a_dict():
    """Not None: a dict of floats is differentiated, as grad and jvp do."""
    p, x = {"w": 1.3, "b": -0.4}, numpy.array([0.5, -1.0])
    cotangent = numpy.array([1.0, 2.0])
    d_p, d_x = s2sgrad.vjp(_affine, p, x)[1](cotangent)
    for key in p:
        along = numeric_directional(lambda v, k=key: numpy.dot(cotangent, _affine({**p, k: v}, x)), (p[key],), 0, 1.0)
        assert d_p[key] == pytest.approx(along, rel=1e-7)
    assert d_x == pytest.approx(cotangent * (2 * p["w"] * x + p["b"]), rel=1e-12)


def _identity(x):
    return x


def test_a_gradient_equal_to_the_cotangent_is_a_copy_of_it():
    """d_x is d_out itself in the reverse sweep: the caller's cotangent must not come back as the gradient."""
    cotangent = numpy.array([1.0, 2.0])
    gradient = s2sgrad.vjp(_identity, numpy.zeros(2))[1](cotangent)[0]
    gradient[0] = 99.0
    assert cotangent[0] == 1.0
