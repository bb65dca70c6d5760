"""Desugar statements and reject what the compiler does not handle.

After this pass the body is a sequence of ``name = expr`` assignments, opaque
side-effect statements (``print(x)``, ``assert``), and one final ``return expr``.

    before                      after
    s += x                      s = s + x
    a, b = p, q                 t0 = p; t1 = q; a = t0; b = t1
    a = b = e                   a = e; b = a
"""

from typing import List

import gast

from ..context import Context
from ..nodes import assign, located, name

# What to say about statements that are not (yet) supported, per node type.
UNSUPPORTED = {
    gast.If: "'if' statements are not supported yet",
    gast.For: "'for' loops are not supported yet",
    gast.While: "'while' loops are not supported yet",
    gast.Break: "'break' is not supported yet",
    gast.Continue: "'continue' is not supported yet",
    gast.Global: "writing a global variable cannot be differentiated",
    gast.Nonlocal: "writing a nonlocal variable cannot be differentiated",
    gast.FunctionDef: "nested function definitions are not supported yet",
    gast.ClassDef: "class definitions inside a differentiated function are not supported",
    gast.With: "'with' blocks are not supported",
    gast.Try: "'try' blocks are not supported",
    gast.Raise: "'raise' is not supported in a differentiated function",
    gast.Delete: "'del' is not supported",
    gast.Import: "imports inside a differentiated function are not supported",
    gast.ImportFrom: "imports inside a differentiated function are not supported",
}
HINT = "rewrite the function without it, or register a rule for it with s2sgrad.register_adjoint."


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    _check_signature(tree, ctx)
    body: List[gast.stmt] = []
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, gast.Return) and i != len(tree.body) - 1:
            raise ctx.error(stmt, "an early 'return' is not supported yet", "return once, at the end.")
        body.extend(_desugar(stmt, ctx))
    if not body or not isinstance(body[-1], gast.Return) or body[-1].value is None:
        last = tree.body[-1] if tree.body else tree
        raise ctx.error(last, f"{tree.name!r} must end with 'return <value>'", "return the value to differentiate.")
    tree.body = body
    return tree


def _check_signature(tree: gast.FunctionDef, ctx: Context) -> None:
    args = tree.args
    extra = args.vararg or args.kwarg or (args.kwonlyargs[0] if args.kwonlyargs else None)
    if extra is not None:
        raise ctx.error(
            extra, "*args, **kwargs and keyword-only parameters are not supported yet", "use plain parameters."
        )


def _desugar(stmt: gast.stmt, ctx: Context) -> List[gast.stmt]:
    if isinstance(stmt, (gast.Pass, gast.Assert, gast.Return)):
        return [] if isinstance(stmt, gast.Pass) else [stmt]
    if isinstance(stmt, gast.Expr):
        return [] if isinstance(stmt.value, gast.Constant) else [stmt]  # docstrings and bare literals
    if isinstance(stmt, gast.AugAssign):
        _check_target(stmt.target, ctx)
        value = gast.BinOp(left=name(stmt.target.id), op=stmt.op, right=stmt.value)
        return [assign(stmt.target.id, located(value, stmt), stmt)]
    if isinstance(stmt, gast.AnnAssign):
        return [] if stmt.value is None else _assignments([stmt.target], stmt.value, stmt, ctx)
    if isinstance(stmt, gast.Assign):
        return _assignments(stmt.targets, stmt.value, stmt, ctx)
    message = UNSUPPORTED.get(type(stmt), f"'{type(stmt).__name__}' statements are not supported")
    raise ctx.error(stmt, message, HINT)


def _assignments(targets: List[gast.expr], value: gast.expr, stmt: gast.stmt, ctx: Context) -> List[gast.stmt]:
    """``a = b = value`` and tuple unpacking as single-name assignments."""
    first, rest = targets[0], targets[1:]
    _check_target(first, ctx)
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
            if isinstance(element, gast.Starred):
                raise ctx.error(element, "starred unpacking is not supported", "unpack a fixed number of values.")
            item = gast.Subscript(value=name(source), slice=gast.Constant(value=i, kind=None), ctx=gast.Load())
            out += _assignments([element], located(item, stmt), stmt, ctx)
    for target in rest:
        out += _assignments([target], name(source), stmt, ctx)
    return out


def _check_target(target: gast.expr, ctx: Context) -> None:
    if isinstance(target, (gast.Subscript, gast.Attribute)):
        raise ctx.error(
            target,
            "writing into an array element or attribute is not supported yet",
            "build the array with numpy functions (numpy.where, numpy.concatenate) instead.",
        )
    if not isinstance(target, (gast.Name, gast.Tuple, gast.List)):
        raise ctx.error(target, f"cannot assign to {type(target).__name__}", HINT)
