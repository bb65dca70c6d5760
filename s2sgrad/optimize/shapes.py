"""Read a shape from a value that is kept anyway, so a value kept only for its shape is not computed.

The reverse sweep passes some values to helpers that read nothing but their
shape (``unreduce(g, t3)`` spreads ``g`` over ``t3``'s shape). When ``t3`` was
made by an elementwise operation of one array (``t3 = np.log1p(t2)``,
``t5 = w * w``, ``u = 0.5 * x``), it has that array's shape and dtype, and the
helper may read the array instead: ``t3`` is then dead, and the forward sweep
no longer computes it.

    before                              after
    t3 = np.log1p(t2)                   (gone)
    d_t1 = unreduce(d_out, t3) * …      d_t1 = unreduce(d_out, t2) * …

Only names assigned once (parameters never), of arrays of known rank of at
least one (a 0-d array's operations return NumPy scalars, which the helpers
treat otherwise), and operations that keep the dtype: a unary ufunc, unary
minus, or an operator between the array and itself or a literal number.
"""

from collections import Counter
from typing import Dict, Optional

import gast
import numpy

from .. import runtime
from ..context import Context
from ..nodes import names_stored, walk

# The helpers' arguments that are read only for their shape and dtype, by position.
SHAPE_ONLY = {runtime.unreduce: 1, runtime.unbroadcast: 1, runtime.mean_divisor: 0}


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    assigned = Counter(n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store))
    parameters = {a.id for a in tree.args.args}
    once = {name for name, count in assigned.items() if count == 1 and name not in parameters} | (
        parameters - names_stored(tree)
    )
    same = {}
    for node in walk(tree):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) and node.targets[0].id in once:
            source = shape_source(node.value, ctx)
            if source in once and known_array(source, ctx) and known_array(node.targets[0].id, ctx):
                same[node.targets[0].id] = source
    shape_reads = shape_only_reads(tree, ctx)
    loads = Counter(n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load))
    kept = {name for name, count in loads.items() if count > sum(1 for r in shape_reads if r.id == name)}
    for read in shape_reads:
        read.id = _kept_source(read.id, same, kept)
    return tree


def shape_only_reads(tree: gast.AST, ctx: Context) -> "list[gast.Name]":
    """The names passed to helpers at positions the helpers read only for shape and dtype."""
    return [
        node.args[position]
        for node in walk(tree)
        if isinstance(node, gast.Call)
        for position in [SHAPE_ONLY.get(ctx.resolve(node.func), -1)]
        if 0 <= position < len(node.args) and isinstance(node.args[position], gast.Name)
    ]


def _kept_source(name: str, same: Dict[str, str], kept: "set[str]") -> str:
    """The first array up ``name``'s chain of same-shape sources that is read for more than its shape."""
    source = name
    while source in same and source not in kept:
        source = same[source]
    return source if source in kept else name


def shape_source(value: gast.expr, ctx: Context) -> Optional[str]:
    """The one array an elementwise, dtype-keeping operation ``value`` has the shape of, if any."""
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub) and isinstance(value.operand, gast.Name):
        return value.operand.id
    if isinstance(value, gast.BinOp) and not isinstance(value.op, gast.MatMult):
        names = [e.id for e in (value.left, value.right) if isinstance(e, gast.Name)]
        numbers = [e for e in (value.left, value.right) if _is_number(e)]
        if (len(names) == 2 and names[0] == names[1]) or (len(names) == 1 and len(numbers) == 1):
            return names[0]
    if isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords:
        func = ctx.resolve(value.func)
        if isinstance(func, numpy.ufunc) and func.nin == 1 and isinstance(value.args[0], gast.Name):
            return value.args[0].id
    return None


def _is_number(node: gast.expr) -> bool:
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def known_array(name: str, ctx: Context) -> bool:
    """An array of floats of known rank of at least one (its operations return arrays, not NumPy scalars)."""
    kind = ctx.kinds.get(name)
    return kind is not None and kind.tag == "array" and kind.ndim is not None and kind.ndim >= 1  # of floats
