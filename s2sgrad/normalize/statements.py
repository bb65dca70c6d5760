"""Desugar statements and reject what the compiler does not handle.

After this pass every block (the body, and the blocks of ``if``/``for``/
``while``) holds ``name = expr`` assignments, opaque side-effect statements
(``print(x)``, ``assert``), ``if``/``for``/``while`` statements, ``break``,
``continue`` and ``return``.

    before                      after
    s += x                      s = s + x       (flagged in place: on an array it changes
                                                 the object, see normalize.memory)
    a, b = p, q                 t0 = p; t1 = q; a = t0; b = t1
    a = b = e                   a = e; b = a
"""

import copy
from typing import List

import gast

from ..context import Context
from ..nodes import IN_PLACE, assign, located, name

# What to say about statements that are not supported, per node type.
UNSUPPORTED = {
    gast.Global: "writing a global variable cannot be differentiated",
    gast.Nonlocal: "writing a nonlocal variable cannot be differentiated",
    gast.FunctionDef: "nested function definitions are not supported yet",
    gast.ClassDef: "class definitions inside a differentiated function are not supported",
    gast.Delete: "'del' is not supported",
    gast.Import: "imports inside a differentiated function are not supported",
    gast.ImportFrom: "imports inside a differentiated function are not supported",
}
HINT = "rewrite the function without it, or register a rule for it with s2sgrad.register_adjoint."
KEPT = (gast.Assert, gast.Raise, gast.Return, gast.Break, gast.Continue)  # raise: as assert, the call fails


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    _reject_generators(tree, ctx)
    tree.body = _block(tree.body, ctx)
    return tree


def _reject_generators(tree: gast.FunctionDef, ctx: Context) -> None:
    for node in gast.walk(tree):
        if isinstance(node, (gast.Yield, gast.YieldFrom, gast.Await)):
            raise ctx.error(
                node,
                "a function with 'yield' is a generator, which cannot be differentiated",
                "return a value instead.",
            )


def _block(stmts: List[gast.stmt], ctx: Context) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        out.extend(_desugar(stmt, ctx))
    return out


def _desugar(stmt: gast.stmt, ctx: Context) -> List[gast.stmt]:
    if isinstance(stmt, gast.Pass):
        return []
    if isinstance(stmt, KEPT):
        return [stmt]
    if isinstance(stmt, gast.Expr):
        return [] if isinstance(stmt.value, gast.Constant) else [stmt]  # docstrings and bare literals
    if isinstance(stmt, (gast.If, gast.While)):
        stmt.body, stmt.orelse = _block(stmt.body, ctx), _block(stmt.orelse, ctx)
        return [stmt]
    if isinstance(stmt, gast.For):
        _check_loop_target(stmt.target, ctx)
        stmt.body, stmt.orelse = _block(stmt.body, ctx), _block(stmt.orelse, ctx)
        return [stmt]
    if isinstance(stmt, gast.AugAssign):
        _check_target(stmt.target, ctx, element=True)
        if isinstance(stmt.target, gast.Subscript):  # y[i] += v is y[i] = y[i] + v
            read = gast.Subscript(
                value=copy.deepcopy(stmt.target.value), slice=copy.deepcopy(stmt.target.slice), ctx=gast.Load()
            )
            value = gast.BinOp(left=located(read, stmt.target), op=stmt.op, right=stmt.value)
            write = _element_write(stmt.target, located(value, stmt), stmt)
            setattr(write, IN_PLACE, True)  # on a list's or dict's array item, Python changes the item itself
            return [write]
        value = gast.BinOp(left=name(stmt.target.id), op=stmt.op, right=stmt.value)
        updated = assign(stmt.target.id, located(value, stmt), stmt)
        setattr(updated, IN_PLACE, True)  # on an array or list, Python changes the object itself
        return [updated]
    if isinstance(stmt, gast.AnnAssign):
        return [] if stmt.value is None else _assignments([stmt.target], stmt.value, stmt, ctx)
    if isinstance(stmt, gast.Assign):
        return _assignments(stmt.targets, stmt.value, stmt, ctx)
    message = UNSUPPORTED.get(type(stmt), f"'{type(stmt).__name__}' statements are not supported")
    raise ctx.error(stmt, message, HINT)


def _check_loop_target(target: gast.expr, ctx: Context) -> None:
    """Names, possibly unpacked (``for k, (a, b) in enumerate(pairs)``)."""
    if isinstance(target, (gast.Tuple, gast.List)):
        for element in target.elts:
            _check_loop_target(element, ctx)
    elif not isinstance(target, gast.Name):
        raise ctx.error(target, "a loop variable must be a plain name", "unpack inside the loop body.")


def _assignments(targets: List[gast.expr], value: gast.expr, stmt: gast.stmt, ctx: Context) -> List[gast.stmt]:
    """``a = b = value`` and tuple unpacking as single-name assignments."""
    first, rest = targets[0], targets[1:]
    _check_target(first, ctx, element=not rest)
    if isinstance(first, gast.Subscript):
        return [_element_write(first, value, stmt)]
    if isinstance(first, gast.Name):
        source, out = first.id, [assign(first.id, value, stmt)]
    elif not rest and isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(first.elts):
        # a, b = b, a: every right-hand value is read before any name is written
        temps = [ctx.namer.temp() for _ in value.elts]
        out = [assign(t, v, stmt) for t, v in zip(temps, value.elts)]
        for element, temp in zip(first.elts, temps):
            out += _assignments([element], name(temp), stmt, ctx)
        return out
    else:
        source = ctx.namer.temp()
        out = [assign(source, value, stmt)]
        for i, element in enumerate(first.elts):
            item = gast.Subscript(value=name(source), slice=gast.Constant(value=i, kind=None), ctx=gast.Load())
            out += _assignments([element], located(item, stmt), stmt, ctx)
    for target in rest:
        out += _assignments([target], name(source), stmt, ctx)
    return out


def _element_write(target: gast.Subscript, value: gast.expr, stmt: gast.stmt) -> gast.stmt:
    write = gast.Subscript(value=target.value, slice=target.slice, ctx=gast.Store())
    return located(gast.Assign(targets=[located(write, target)], value=value, type_comment=None), stmt)


def _check_target(target: gast.expr, ctx: Context, element: bool = False) -> None:
    """Names, tuples of names, and (alone, not unpacked into) ``y[index]`` of a named array."""
    if isinstance(target, gast.Subscript) and element and isinstance(target.value, gast.Name):
        return
    if isinstance(target, gast.Subscript):
        raise ctx.error(
            target,
            "this write into an array element is not supported",
            "write into a named array alone: y[i] = v, not a, y[i] = ... or y.attr[i] = v.",
        )
    if isinstance(target, gast.Attribute):
        raise ctx.error(target, "writing an attribute cannot be differentiated", "use a local variable instead.")
    if isinstance(target, gast.Starred):  # the last target kind Python allows: a Name, Tuple or List is left
        raise ctx.error(target, "starred unpacking is not supported", "unpack a fixed number of values.")
