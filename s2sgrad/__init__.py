"""s2sgrad: source-to-source automatic differentiation for Python and NumPy."""

from typing import Any, Callable, Optional

from .api import grad, hessian, jacobian, jvp, source, value_and_grad, vjp
from .errors import TransformError
from .rules import d, default_rules


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


def register_tangent(*callables: Any) -> Callable[[Callable], Callable]:
    """Not implemented yet: tangent rules come with forward mode."""
    raise NotImplementedError("forward mode (and so register_tangent) is not implemented yet")


__version__ = "0.1.0"
__all__ = [
    "TransformError",
    "d",
    "grad",
    "hessian",
    "jacobian",
    "jvp",
    "register_adjoint",
    "register_tangent",
    "source",
    "value_and_grad",
    "vjp",
]
