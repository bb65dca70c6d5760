"""s2sgrad: source-to-source automatic differentiation for Python and NumPy."""

from typing import Any, Callable, Optional

from .api import grad, hessian, jacobian, jvp, source, value_and_grad, vjp
from .disk_cache import cache_dir, set_cache_dir
from .errors import TransformError
from .implicit import custom_root
from .rules import d, default_rules, t
from .tools.check import GradCheckReport, GradientCheckError, check_grad
from .tools.graph import graph
from .tools.html_view import html_view
from .tools.nans import NonFiniteError


def register_adjoint(*callables: Any, result: Optional[str] = None, vjp: Optional[Callable] = None) -> Callable:
    """Register a derivative rule for ``callables``, written as a template::

        from s2sgrad import d, register_adjoint

        @register_adjoint(scipy.special.expit, result="elementwise")
        def expit(y, x):
            d[x] += d[y] * y * (1.0 - y)

    or as a plain VJP function, ``vjp(d_result, *args)`` returning the adjoint of
    each argument (a tuple when there are several)::

        register_adjoint(scipy.special.expit, vjp=lambda g, x: g * expit(x) * (1.0 - expit(x)))

    A registered rule takes precedence over differentiating the function's own source.
    """

    def register(template: Callable) -> Callable:
        default_rules().register(callables, template, result)
        return template

    if vjp is not None:
        default_rules().register(callables, None, result, vjp)
        return vjp
    return register


def register_tangent(*callables: Any, result: Optional[str] = None, jvp: Optional[Callable] = None) -> Callable:
    """Register the tangent rule (forward mode) of ``callables``, written as a template::

        from s2sgrad import register_tangent, t

        @register_tangent(scipy.special.expit, result="elementwise")
        def expit(y, x):
            t[y] = t[x] * y * (1.0 - y)

    or as a plain JVP function, ``jvp(*args, *tangents)`` returning the result's
    tangent (an argument that is not differentiated passes a zero tangent)::

        register_tangent(scipy.special.expit, jvp=lambda x, t_x: t_x * expit(x) * (1.0 - expit(x)))

    The tangent joins the adjoint rule the callables already have, if any; an
    adjoint template may also give the tangent itself, as a ``t[result] = …`` line.
    """

    def register(template: Callable) -> Callable:
        default_rules().register(callables, template, result, tangent_only=True)
        return template

    if jvp is not None:
        default_rules().register(callables, None, result, jvp=jvp, tangent_only=True)
        return jvp
    return register


__version__ = "0.1.0"
__all__ = [
    "GradCheckReport",
    "GradientCheckError",
    "NonFiniteError",
    "TransformError",
    "cache_dir",
    "check_grad",
    "custom_root",
    "d",
    "grad",
    "graph",
    "hessian",
    "html_view",
    "jacobian",
    "jvp",
    "register_adjoint",
    "register_tangent",
    "set_cache_dir",
    "source",
    "t",
    "value_and_grad",
    "vjp",
]
