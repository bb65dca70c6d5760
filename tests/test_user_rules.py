"""Rules users register: templates and plain VJP functions, and their precedence over source."""

import inspect
import math
import re

import numpy as np
import pytest
from gradcheck import check_grad, numeric_jvp

import s2sgrad
from s2sgrad import d, register_adjoint, t
from s2sgrad.rules import default_rules


def log1pexp(x):
    """log(1 + exp(x)); its own source would overflow in exp for large x."""
    return np.log(1.0 + np.exp(x))


@register_adjoint(log1pexp, result="elementwise")
def log1pexp_rule(y, x):
    d[x] += d[y] / (1.0 + np.exp(-x))  # the logistic function, stable for large x


def softplus_loss(w):
    return np.sum(log1pexp(w * 3.0))


def clipped_power(x, p):
    """A function whose derivative we supply as plain Python (it has no template)."""
    return abs(x) ** p


def clipped_power_vjp(g, x, p):
    return g * p * abs(x) ** (p - 1.0) * math.copysign(1.0, x), g * abs(x) ** p * math.log(abs(x))


register_adjoint(clipped_power, vjp=clipped_power_vjp, result="scalar")


def uses_clipped_power(x, p):
    return clipped_power(x, p) * 2.0 + x


@pytest.mark.filterwarnings("ignore:overflow encountered in exp")  # the function itself overflows; its rule does not
def test_a_registered_template_wins_over_the_source():
    text = s2sgrad.source(softplus_loss, args=(np.ones(2),))
    assert "grad_log1pexp" not in text and "np.exp(" in text
    w = np.array([0.5, -2.0, 400.0])
    g = s2sgrad.grad(softplus_loss)(w)
    assert np.all(np.isfinite(g)) and np.allclose(g, 3.0 / (1.0 + np.exp(-3.0 * w)))


def test_template_rule_matches_finite_differences():
    check_grad(softplus_loss, (np.array([0.3, -1.2, 2.0]),))


def test_a_plain_vjp_function_is_a_rule():
    check_grad(uses_clipped_power, (-1.7, 2.5), wrt=(0, 1))
    text = s2sgrad.source(uses_clipped_power, wrt=(0, 1), args=(1.5, 2.0))
    assert "clipped_power_vjp(" in text and "grad_clipped_power" not in text


def test_a_vjp_for_one_argument_returns_the_adjoint_itself():
    def cube(x):
        return x * x * x

    register_adjoint(cube, vjp=lambda g, x: g * 3.0 * x * x)
    assert s2sgrad.grad(lambda x: cube(x) + 1.0)(2.0) == 12.0


# ----- templates the notation rejects, at registration, pointing at the offending line -----


def no_parameters():
    pass


def notation_as_a_parameter(z, d):
    d[d] += 1.0


def tangent_of_an_argument(z, x):
    t[x] = t[z]  # error: a tangent assigns t[z], the result


def tangent_without_a_tangent(z, x):
    t[z] = x * x  # error: a tangent is a sum of terms, each naming some t[<argument>]


def negated_term_without_a_tangent(z, x):
    t[z] = t[x] + -x  # error: a tangent is a sum of terms, each naming some t[<argument>]


def adjoint_of_the_result(z, x):
    d[z] += d[x]  # error: a '+=' or '-=' must target d[<argument>]


def scaled_adjoint(z, x):
    d[x] *= 2.0  # error: only 'd[arg] += expr', 'd[arg] -= expr', 't[result] = expr' and 'temp = expr' are allowed


def adjoint_of_an_expression(z, x):
    d[x * 2.0] += d[z]  # error: a '+=' or '-=' must target d[<argument>]


def adjoint_of_a_stranger(z, x):
    d[x] += d[w]  # error: d[w] names no parameter  # noqa: F821


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (no_parameters, "the first parameter must name the result"),
        (notation_as_a_parameter, "'d' and 't' are the notation: name the parameters otherwise"),
        (tangent_of_an_argument, None),
        (tangent_without_a_tangent, None),
        (negated_term_without_a_tangent, None),
        (adjoint_of_the_result, None),
        (scaled_adjoint, None),
        (adjoint_of_an_expression, None),
        (adjoint_of_a_stranger, None),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_an_invalid_template_is_rejected_where_it_is_wrong(template, message):
    lines, first = inspect.getsourcelines(template)
    marked = [i for i, line in enumerate(lines) if "# error: " in line]
    line = first + (marked[0] if marked else 0)
    message = message or lines[marked[0]].split("# error: ")[1].split("  # noqa")[0].strip()

    def target(x):
        return x * 2.0

    with pytest.raises(s2sgrad.TransformError, match=re.escape(message)) as raised:
        register_adjoint(target)(template)
    assert f"test_user_rules.py:{line}:" in str(raised.value)
    assert s2sgrad.grad(target)(1.5) == 2.0, "a rejected template is not registered"


def test_registering_adds_one_rule_per_callable_and_replaces_one_already_there():
    table = default_rules()
    before = len(table)

    def first(x):
        return x

    def second(x):
        return x

    register_adjoint(first, second, vjp=lambda g, x: g)
    assert len(table) == before + 2
    register_adjoint(first, vjp=lambda g, x: 2.0 * g)
    assert len(table) == before + 2
    assert s2sgrad.grad(lambda x: first(x) + second(x))(1.0) == 3.0


def test_the_notation_is_only_parsed_never_evaluated():
    with pytest.raises(TypeError, match=r"d\[...\] is rule notation"):
        d[1.0]
    with pytest.raises(TypeError, match=r"t\[...\] is rule notation"):
        t[1.0]


def cubed(x):
    return x * x * x


@register_adjoint(cubed, result="scalar")
def cubed_rule(y, x):
    """A docstring in a template is not a statement of the rule."""
    d[x] += d[y] * 3.0 * x * x


def test_a_template_may_have_a_docstring():
    check_grad(lambda x: cubed(x) * 2.0, (1.3,))


def unregistered(x, y):
    return x * y


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"vjp": lambda g, x, y: (g * y, g * x), "result": "bogus"}, "result must be one of"),
        ({"vjp": max}, "cannot read the parameters of the VJP function"),
        ({"vjp": lambda g: g}, "a VJP function takes the result's adjoint, then the function's arguments"),
        ({"vjp": lambda g, *xs: xs}, "a VJP function takes the result's adjoint, then the function's arguments"),
    ],
    ids=["bad_result", "no_signature", "no_arguments", "varargs"],
)
def test_a_malformed_vjp_function_is_rejected(keywords, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        register_adjoint(unregistered, **keywords)
    assert unregistered not in default_rules()


@pytest.mark.parametrize(
    ("jvp", "message"),
    [
        (max, "cannot read the parameters of the JVP function"),
        (lambda x, y, t_x: t_x, "a JVP function takes the function's arguments, then their tangents"),
        (lambda *xs: xs[0], "a JVP function takes the function's arguments, then their tangents"),
    ],
    ids=["no_signature", "odd_count", "varargs"],
)
def test_a_malformed_jvp_function_is_rejected(jvp, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        s2sgrad.register_tangent(unregistered, jvp=jvp)
    assert unregistered not in default_rules()


def tripled(x):
    return x * 3.0


s2sgrad.register_tangent(tripled, jvp=lambda x, t_x: 3.0 * t_x)


def test_a_tangent_rule_alone_serves_forward_mode_and_reverse_mode_says_so():
    _, tangent = s2sgrad.jvp(lambda x: tripled(x) + x, (1.0,), (1.0,))
    expected = numeric_jvp(lambda x: tripled(x) + x, (1.0,), (1.0,))
    assert abs(tangent - expected.value) <= expected.error
    with pytest.raises(s2sgrad.TransformError, match="'tripled' has a tangent rule but no adjoint rule"):
        s2sgrad.grad(lambda x: tripled(x) + x)(1.0)


class Scaled:
    """Two instances whose method has one function: a rule is for one instance's method."""

    def __init__(self, factor):
        self.factor = factor

    def apply(self, x):
        return self.factor * x**3  # its own source is never read: the rule below answers for it


TRIPLE, HALF = Scaled(3.0), Scaled(0.5)
register_adjoint(TRIPLE.apply, vjp=lambda g, x: g * 9.0 * x**2)  # the derivative of 3 x^3


def through_a_method(x):
    return TRIPLE.apply(x) * np.sin(x)


def test_a_rule_for_a_bound_method_is_found_at_each_read_and_only_for_its_instance():
    """TRIPLE.apply is a new bound method at each attribute read: the table keys it by instance and function,
    so HALF.apply, the same function on another instance, has no rule."""
    assert default_rules().lookup(TRIPLE.apply) is not None
    assert default_rules().lookup(HALF.apply) is None
    check_grad(through_a_method, (0.7,))


def test_a_tangent_registered_before_the_built_in_rule_was_read_joins_that_rule():
    table = default_rules.__wrapped__()  # a fresh table: no rule file's rule parsed yet
    built_in = default_rules().lookup(np.tanh)
    table.register([np.tanh], None, None, jvp=lambda x, t_x: t_x * (1.0 - np.tanh(x) ** 2), tangent_only=True)
    joined = table.lookup(np.tanh)
    assert joined.template is not None and joined.where == built_in.where  # the rule file's adjoint is kept
    assert joined.tangent is not None and joined.tangent != built_in.tangent  # with the tangent registered


def log_one_plus_exp(x):
    return np.log(1.0 + np.exp(x))


def log_one_plus_exp_loss(w):
    return np.sum(log_one_plus_exp(w) * w)


def test_a_rule_registered_after_a_gradient_ran_is_used_by_that_gradient():
    """The rule table's version is part of what a gradient was made with (the wrapper kept code made before)."""
    g = s2sgrad.grad(log_one_plus_exp_loss)
    w = np.array([0.5, -2.0])
    g(w)
    calls = []

    def vjp(d_y, x):
        calls.append(x)
        return d_y / (1.0 + np.exp(-x))

    register_adjoint(log_one_plus_exp, vjp=vjp, result="elementwise")
    sigmoid = 1.0 / (1.0 + np.exp(-w))
    assert np.allclose(g(w), log_one_plus_exp(w) + w * sigmoid)
    assert len(calls) == 1


WEIGHTS = np.array([1.0, 2.0])


def weighted_by_default(x, w=WEIGHTS):
    return x * w


register_adjoint(weighted_by_default, vjp=lambda g, x, w=WEIGHTS: (np.sum(g * w), g * x))


def uses_weighted_by_default(x):
    return np.sum(np.sin(weighted_by_default(x)))


def test_a_rule_whose_default_is_an_array_is_passed_it():
    """A default that is not a literal is passed as the object, by name (its repr was spelled in: NameError)."""
    check_grad(uses_weighted_by_default, (0.7,))
