"""Calls to the user's own Python functions: which they are, and what each parameter receives.

A call to a function with Python source and no registered rule is
differentiated by differentiating that function (see transform.sweep); here
the call site's arguments are bound to the function's parameters the way
Python binds them, defaults included, so its gradient can be specialized on
the kinds the call passes.
"""

import inspect
import types
from typing import Any, Callable, Dict, List, Optional

import gast

from .. import kinds as K
from ..context import Context


def is_user_function(obj: Any, ctx: Context) -> bool:
    """A plain Python function (or lambda) without a derivative rule: its source is differentiated.

    s2sgrad's own functions are never: the runtime helpers generated code calls have rules or none.
    Nor are NumPy's functions (NumPy 1.x writes many in Python): a rule or nothing. Nor is
    what a transform returned (``grad(h)``): its source is s2sgrad's wrapper, not ``h``'s derivative.
    """
    module = getattr(obj, "__module__", None) or ""
    return (
        isinstance(obj, types.FunctionType)
        and ctx.rules.lookup(obj) is None
        and module.split(".")[0] not in ("numpy", "s2sgrad")
        and made_by_transform(obj) is None
    )


RUNTIME = "s2sgrad.runtime"
MADE_BY = "__s2sgrad_transform__"  # on every function a transform returns: the transform's name
DERIVATIVE_OF_GRADIENT = "derivative of grad"  # MADE_BY of the VJP and JVP functions of grad(h)'s rule


def made_by_transform(obj: Any) -> Optional[str]:
    """``"grad"`` for what ``s2sgrad.grad`` returned, and so on; None for anything else."""
    return getattr(obj, MADE_BY, None)


def bound_arguments(
    func: types.FunctionType, args: List[gast.expr], keywords: list, ctx: Context, where: Any
) -> Dict[str, Optional[gast.expr]]:
    """Each parameter's argument node, in the parameters' order; None where the default applies."""
    signature = inspect.signature(func)
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.KEYWORD_ONLY):
            raise ctx.error(
                where,
                f"{func.__name__!r} takes *args, **kwargs or keyword-only parameters, which are not supported yet",
                "give it plain parameters.",
            )
    try:
        bound = signature.bind(*args, **{k.arg: k.value for k in keywords})
    except TypeError as exc:
        raise ctx.error(where, f"this call does not match {func.__name__!r}: {exc}") from None
    return {name: bound.arguments.get(name) for name in signature.parameters}


def argument_kinds(
    func: types.FunctionType, nodes: Dict[str, Optional[gast.expr]], kind_of_node: Callable[[gast.expr], K.Kind]
) -> Dict[str, K.Kind]:
    """The kind each parameter gets: its argument's, or its default value's."""
    parameters = inspect.signature(func).parameters
    return {
        name: kind_of_node(node) if node is not None else K.kind_of(parameters[name].default)
        for name, node in nodes.items()
    }
