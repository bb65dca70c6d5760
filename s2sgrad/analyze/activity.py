"""Activity analysis: which values get an adjoint.

A value is *varied* if it depends, through differentiable operations, on a
``wrt`` parameter, and *useful* if the returned value depends on it. Only
values that are both are active. Integers, booleans, shapes, comparisons and
non-``wrt`` parameters are never varied. Anything active that the compiler
cannot differentiate is reported here, at its source line. Both sets are
found at a fixpoint over every assignment, nested ones included, so values
carried around loops and out of branches are covered; a branch condition
never makes anything active (its derivative is zero almost everywhere).

    def f(x, n):           wrt = x
        k = len(x)         k: not varied (len has a zero derivative)
        y = x * n          y: active
        z = x + 1          z: varied but not useful (never reaches the return)
        return y * k       active: {x, y}
"""

import builtins
from typing import Dict, List, Optional, Set

import gast

from ..context import Context
from ..errors import TransformError
from ..kinds import Kind
from ..nodes import assigned_name, constant_value, is_element_write
from .calls import DERIVATIVE_OF_GRADIENT, RUNTIME, is_library, is_user_function, made_by_transform
from .kinds import assignments
from .ops import operand_names, operation_of


def active_names(tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind]) -> Set[str]:
    statements = [s for s in assignments(tree.body) if isinstance(s, gast.Assign)]
    varied = _varied(statements, ctx, kinds)
    useful = _useful(statements, tree.body[-1])
    active = varied & useful
    for stmt in statements:
        if is_element_write(stmt):
            _check_list_write(stmt, ctx, kinds)
        elif assigned_name(stmt) in active:
            _check_differentiable(stmt, ctx)
    return active


def _check_list_write(stmt: gast.Assign, ctx: Context, kinds: Dict[str, Kind]) -> None:
    """``items[...] = v`` is what ``items.sort()`` (and ``fill``) become, written for arrays: no list operation."""
    target = stmt.targets[0]
    if not (isinstance(target.value, gast.Name) and kinds.get(target.value.id, Kind("unknown")).tag == "sequence"):
        return
    index = target.slice.elts if isinstance(target.slice, gast.Tuple) else [target.slice]
    if any(constant_value(i, None) is Ellipsis for i in index):
        raise ctx.error(
            target,
            f"this changes the list {target.value.id!r} in place as a whole (as list.sort() does), "
            "which s2sgrad cannot differentiate yet",
            f"make a new list: {target.value.id} = sorted({target.value.id}).",
        )


def _varied(statements: List[gast.Assign], ctx: Context, kinds: Dict[str, Kind]) -> Set[str]:
    varied = set(ctx.wrt)
    size = -1
    while size != len(varied):
        size = len(varied)
        for stmt in statements:
            if _varies(stmt, varied, ctx, kinds):
                varied.add(assigned_name(stmt))
    return varied


def _varies(stmt: gast.Assign, varied: Set[str], ctx: Context, kinds: Dict[str, Kind]) -> bool:
    target = assigned_name(stmt)
    if not set(operand_names(stmt.value)) & varied:
        return False
    if is_element_write(stmt):
        return not kinds.get(target, Kind("unknown")).is_integer  # y[i] = v: y varies with v
    op = operation_of(stmt.value, ctx)
    if op.form == "logic" or kinds.get(target, Kind("unknown")).is_integer or _gathered_setting(stmt.value, kinds):
        return False
    rule = ctx.rules.lookup(op.func) if op.form == "call" else None
    return op.form != "call" or rule is None or rule.differentiable


def _gathered_setting(value: gast.expr, kinds: Dict[str, Kind]) -> bool:
    """``args[0]`` where what ``*args`` gathered holds no number there: ``einsum_of(*args)`` called with
    ``("ij,j->", a, b)`` reads the string, never differentiated (kinds.Kind.items)."""
    if not (isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name)):
        return False
    base = kinds.get(value.value.id, Kind("unknown"))
    return base.items is not None and base.item_kind(constant_value(value.slice, None)).tag == "other"


def _useful(statements: List[gast.Assign], returned: gast.Return) -> Set[str]:
    useful: Set[str] = set(operand_names(returned.value))
    size = -1
    while size != len(useful):
        size = len(useful)
        for stmt in statements:
            if assigned_name(stmt) in useful:
                useful.update(operand_names(stmt.value))
    return useful


def _check_differentiable(stmt: gast.Assign, ctx: Context) -> None:
    op = operation_of(stmt.value, ctx)
    if op.form != "call" or ctx.rules.lookup(op.func) is not None or is_user_function(op.func, ctx):
        return
    call = stmt.value
    where = call.func if isinstance(call, gast.Call) else call
    if op.func in (builtins.set, builtins.frozenset):
        raise ctx.error(
            call, "a set of differentiated values has no derivative: of equal values it keeps one", "use a list."
        )
    name = getattr(op.func, "__qualname__", getattr(op.func, "__name__", repr(op.func)))
    module = getattr(op.func, "__module__", None) or ""
    made_by = made_by_transform(op.func)
    if made_by or (module.startswith("s2sgrad.") and module != RUNTIME):  # the runtime's helpers: no rule below
        raise _calls_s2sgrad(where, made_by, name, ctx)
    if callable(op.func) and hasattr(op.func, "__code__") and not is_library(module):
        raise ctx.error(
            where,
            f"calls to Python functions such as {name!r} are not supported yet",
            f"register a rule with s2sgrad.register_adjoint({name}) or inline it.",
        )
    raise ctx.error(
        where,
        f"no derivative rule for {name!r}",
        f"register one with s2sgrad.register_adjoint({name}), or keep the value out of the differentiated path.",
    )


def _calls_s2sgrad(where: gast.AST, made_by: Optional[str], name: str, ctx: Context) -> TransformError:
    """Why a call of one of s2sgrad's own functions (or of what they made) has no derivative."""
    if made_by == DERIVATIVE_OF_GRADIENT:
        return ctx.error(
            where,
            "this is the derivative of a call of s2sgrad.grad: a third derivative through it is not supported",
            "take the derivatives of one function instead: s2sgrad.hessian, or jvp(grad(f), ...).",
        )
    if made_by in ("grad", "value_and_grad"):
        return ctx.error(
            where,
            f"this calls s2sgrad.{made_by}({name}), whose parameters are not all positional: its derivative "
            "binds the call's arguments by position",
            f"wrap {name} in a function of positional parameters and take the gradient of that.",
        )
    called = f"s2sgrad.{made_by}({name})" if made_by else f"s2sgrad.{name}"
    return ctx.error(
        where,
        f"this calls {called}: differentiating a function that calls it is not supported yet "
        "(s2sgrad.grad, value_and_grad and jvp are)",
        "for second derivatives use s2sgrad.hessian, grad(grad(f)) or jvp(grad(f), ...) on f itself.",
    )
