"""Writes into arrays (``y[i] = v``) only into arrays the function owns.

The gradient must never change the caller's arrays, and a write into an array
that shares memory with another would change that one behind the compiler's
back. So an array written into must be a parameter — which the generated code
copies first (``x = numpy.copy(x)``; the user's function itself would change
the caller's array) — or made only by operations that return a new array:
``numpy.zeros``, ``numpy.empty``, ``x.copy()``, arithmetic, ... A view or an
alias (``y = x``, ``y = x[1:]``, ``y = x.T``, ``numpy.reshape``) is rejected,
with a hint to copy it.

    before                      after
    def f(x):                   def f(x):
        x[0] = 1.0                  x = numpy.copy(x)
        ...                         x[0] = 1.0
"""

from typing import Dict, List

import gast
import numpy

from ..analyze.ops import operation_of
from ..context import Context
from ..nodes import assign, assigned_name, call, is_element_write, name

# Calls that always return a new array (arithmetic operators and ufuncs do too).
FRESH = {
    numpy.zeros,
    numpy.ones,
    numpy.empty,
    numpy.full,
    numpy.zeros_like,
    numpy.ones_like,
    numpy.empty_like,
    numpy.full_like,
    numpy.copy,
    numpy.array,
    numpy.arange,
    numpy.linspace,
    numpy.eye,
    numpy.identity,
    numpy.stack,
    numpy.concatenate,
    numpy.outer,
}


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    writes = [s for s in _statements(tree.body) if is_element_write(s)]
    if not writes:
        return tree
    definitions: Dict[str, List[gast.Assign]] = {}
    for stmt in _statements(tree.body):
        if isinstance(stmt, gast.Assign) and not is_element_write(stmt):
            definitions.setdefault(stmt.targets[0].id, []).append(stmt)
    parameters = [a.id for a in tree.args.args]
    copied = []
    for write in writes:
        base = assigned_name(write)
        for definition in definitions.get(base, []):
            if not _is_fresh(definition, ctx):
                raise ctx.error(
                    write.targets[0],
                    f"{base!r} may share memory with another array, so writing into it is not supported",
                    f"make it a new array first: {base} = {base}.copy()",
                )
        if base in parameters and base not in copied:
            copied.append(base)
    copies = [assign(p, call(ctx.reference(numpy, "copy"), [name(p)]), tree.body[0]) for p in copied]
    tree.body = copies + tree.body
    return tree


def _statements(stmts: List[gast.stmt]):
    for stmt in stmts:
        yield stmt
        for block in (getattr(stmt, "body", []), getattr(stmt, "orelse", [])):
            yield from _statements(block)


def _is_fresh(definition: gast.Assign, ctx: Context) -> bool:
    op = operation_of(definition.value, ctx)
    if op.form == "call":
        return (
            op.func in FRESH
            or isinstance(op.func, numpy.ufunc)
            or isinstance(definition.value, (gast.BinOp, gast.UnaryOp))
        )
    return op.form in ("logic", "display") or (op.form == "copy" and not isinstance(definition.value, gast.Name))
