"""Calls to the user's own Python functions: which they are, and what each parameter receives.

A call to a function with Python source and no registered rule is
differentiated by differentiating that function (see transform.sweep); here
the call site's arguments are bound to the function's parameters the way
Python binds them, defaults included, so its gradient can be specialized on
the kinds the call passes.
"""

import copy
import inspect
import sys
import sysconfig
import types
from typing import Any, Callable, Dict, List, Optional, Tuple

import gast

from .. import kinds as K
from ..context import Context
from ..nodes import const, located, name
from ..parse.source import has_extra_parameters


def is_user_function(obj: Any, ctx: Context) -> bool:
    """A plain Python function (or lambda) without a derivative rule: its source is differentiated.

    s2sgrad's own functions are never: the runtime helpers generated code calls have rules or none.
    Nor are NumPy's functions (NumPy 1.x writes many in Python): a rule or nothing. Nor is
    what a transform returned (``grad(h)``): its source is s2sgrad's wrapper, not ``h``'s derivative.
    """
    return (
        isinstance(obj, types.FunctionType)
        and ctx.rules.lookup(obj) is None
        and not is_library(getattr(obj, "__module__", None) or "")
        and made_by_transform(obj) is None
    )


def is_library(module: str) -> bool:
    """NumPy, SciPy, s2sgrad itself or the standard library: never differentiated from their source.

    Their Python code is an implementation detail (and NumPy 1.x, SciPy and the standard library
    write many functions in Python): a function of theirs needs a rule, or the call is an error.
    """
    top = module.split(".")[0]
    if top in LIBRARIES:
        return True
    standard = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
    if standard is not None:
        return top in standard
    file = getattr(sys.modules.get(top), "__file__", None) or ""  # Python 3.8 and 3.9: where it lives
    return file.startswith(sysconfig.get_paths()["stdlib"]) and "site-packages" not in file


LIBRARIES = ("numpy", "scipy", "s2sgrad")


RUNTIME = "s2sgrad.runtime"
GATHERED = "__s2sgrad_gathered__"  # on the tuple (dict) display of what a callee's *args (**kwargs) gathers
MADE_BY = "__s2sgrad_transform__"  # on every function a transform returns: the transform's name
DERIVATIVE_OF_GRADIENT = "derivative of grad"  # MADE_BY of the VJP and JVP functions of grad(h)'s rule


def made_by_transform(obj: Any) -> Optional[str]:
    """``"grad"`` for what ``s2sgrad.grad`` returned, and so on; None for anything else."""
    return getattr(obj, MADE_BY, None)


def bound_arguments(
    func: types.FunctionType, args: List[gast.expr], keywords: list, ctx: Context, where: Any
) -> Dict[str, Optional[gast.expr]]:
    """Each parameter's argument node, in the parameters' order; None where the default applies.

    What ``*args`` gathers is a tuple display, what ``**kwargs`` gathers a dict display
    (the callee's generated code takes them as one tuple and one dict, see parse.source).
    """
    signature = inspect.signature(func)
    try:
        bound = signature.bind(*args, **{k.arg: k.value for k in keywords})
    except TypeError as exc:
        raise ctx.error(where, f"this call does not match {func.__name__!r}: {exc}") from None
    nodes = {}
    for parameter, param in signature.parameters.items():
        node = bound.arguments.get(parameter)
        if param.kind == param.VAR_POSITIONAL:
            node = located(gast.Tuple(elts=list(node or ()), ctx=gast.Load()), (node or [where])[0])
            setattr(node, GATHERED, "*args")
        elif param.kind == param.VAR_KEYWORD:
            items = dict(node or {})
            values = list(items.values())
            node = gast.Dict(keys=[gast.Constant(value=k, kind=None) for k in items], values=values)
            setattr(located(node, (values or [where])[0]), GATHERED, "**kwargs")
        nodes[parameter] = node
    return nodes


def display_items(node: Optional[gast.expr]) -> List[Tuple[Any, gast.expr]]:
    """The atoms a tuple or list display passes to a parameter (what ``*args`` gathers is one), by index, or
    what ``**kwargs`` gathers, by key (see bound_arguments); [] for any other argument."""
    if isinstance(node, (gast.Tuple, gast.List)):
        return list(enumerate(node.elts))
    if getattr(node, GATHERED, None) == "**kwargs":
        return [(k.value, v) for k, v in zip(node.keys, node.values)]
    return []


def passes_active(node: Optional[gast.expr], active: "set[str]") -> bool:
    """An argument that is an active name, or a display (what ``*args`` or ``**kwargs`` gathers) holding one."""
    items = display_items(node) or [(None, node)]
    return any(isinstance(v, gast.Name) and v.id in active for _, v in items)


def argument_kinds(
    func: types.FunctionType, nodes: Dict[str, Optional[gast.expr]], kind_of_node: Callable[[gast.expr], K.Kind]
) -> Dict[str, K.Kind]:
    """The kind each parameter gets: its argument's, or its default value's; what ``*args`` (``**kwargs``)
    gathers, with each item's kind, as :func:`s2sgrad.kinds.argument_kind` gives them."""
    parameters = inspect.signature(func).parameters
    kinds = {}
    for parameter, node in nodes.items():
        gathered = getattr(node, GATHERED, None)
        if gathered is not None:
            items = tuple((key, kind_of_node(value)) for key, value in display_items(node))
            tag = "dict" if gathered == "**kwargs" else "sequence"
            kinds[parameter] = K.container(tag, [kind for _, kind in items])._replace(items=items)
        elif node is not None:  # a slice of a caller's *args has its kind, not its items: only what is gathered
            kinds[parameter] = kind_of_node(node)._replace(items=None)
        else:
            kinds[parameter] = K.kind_of(parameters[parameter].default)
    return kinds


def call_arguments(
    func: types.FunctionType, op: Any, nodes: Dict[str, Optional[gast.expr]], ctx: Context
) -> Tuple[List[gast.expr], List[gast.keyword]]:
    """The arguments of a call of ``func``'s generated code: as written, or, for a function with
    ``*args``, ``**kwargs`` or keyword-only parameters (flattened by parse.source), every
    parameter's value in order, defaults included."""
    if not has_extra_parameters(func):
        return copy.deepcopy(op.args), copy.deepcopy(op.keywords)
    parameters = inspect.signature(func).parameters
    args = []
    for param, node in nodes.items():
        if node is None:
            default = parameters[param].default
            simple = default is None or type(default) in (bool, int, float, str)
            node = const(default) if simple else name(ctx.name_for(default, f"{param}_default"))
        args.append(copy.deepcopy(node))
    return args, []
