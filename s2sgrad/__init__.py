"""s2sgrad: source-to-source automatic differentiation for Python and NumPy."""

from typing import Any, Callable, Optional

from .api import grad, hessian, jacobian, jvp, source, value_and_grad, vjp
from .errors import TransformError
from .rules import d, default_rules


def register_adjoint(*callables: Any, result: Optional[str] = None) -> Callable[[Callable], Callable]:
    """Register a derivative rule, written as a template, for ``callables``::

        from s2sgrad import d, register_adjoint

        @register_adjoint(scipy.special.expit)
        def expit(y, x):
            d[x] += d[y] * y * (1.0 - y)

    A registered rule takes precedence over the function's own source.
    """

    def register(template: Callable) -> Callable:
        default_rules().register(callables, template, result)
        return template

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
