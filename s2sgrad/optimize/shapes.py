"""Read a shape from a value that is kept anyway, so a value kept only for its shape is not computed.

The reverse sweep passes some values to helpers that read nothing but their
shape and dtype (``unreduce(g, t2)`` spreads ``g`` over ``t2``'s shape). When
another array of the same shape and dtype is kept anyway (its shape and dtype
sets are ``t2``'s, see analyze.shapes), the helper may read it instead: ``t2``
is then dead, and the forward sweep no longer computes it.

    before                              after
    t1 = y * z                          t1 = y * z
    t2 = t0 - t1                        (gone: t0 has z's set, a subset of t1's)
    d_t2 = unreduce(g, t2)              d_t2 = unreduce(g, t1)

Only for a name assigned once (a parameter costs nothing), read for nothing
but its shape, when every such read finds a stand-in: an array of floats of
rank at least 1 (a 0-d array's operations return NumPy scalars, which the
helpers treat otherwise) that is read for more than its shape, and is live
where the name is assigned (so the stand-in is kept no longer than the name
was).
"""

from collections import Counter
from typing import Dict, List, Optional, Set, Tuple

import gast

from .. import runtime
from ..analyze.dataflow import live_after
from ..analyze.shapes import ShapeFacts, is_opaque
from ..context import Context
from ..nodes import blocks_of, names_read, walk

# The helpers' arguments that are read only for their shape and dtype, by position.
SHAPE_ONLY = {runtime.unreduce: 1, runtime.unbroadcast: 1, runtime.mean_divisor: 0, runtime.shape_of: 0}


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    nodes = walk(tree)
    reads = shape_only_reads(tree, ctx)
    loads = Counter(n.id for n in nodes if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load))
    shape_loads = Counter(read.id for read in reads)
    kept = [name for name, count in loads.items() if count > shape_loads[name]]
    definitions = _single_definitions(tree, nodes, {read.id for read in reads} - set(kept))
    # a value the model knows nothing of (a stack's pop) has no stand-in: not worth the analysis
    wanted = {var for var, stmt in definitions.items() if not is_opaque(stmt.value, ctx)}
    if not wanted:
        return tree
    facts, live = ShapeFacts(tree, ctx), live_after(tree)
    reads_in = _shape_reads_by_statement(tree.body, ctx)
    for var in sorted(wanted):
        definition = definitions[var]
        near = live[id(definition)] | set(names_read(definition.value))  # live where var is assigned
        mine = [(stmt, read) for stmt, read in reads_in if read.id == var]
        stand_ins = [_stand_in(var, stmt, facts, [k for k in kept if k in near]) for stmt, _ in mine]
        if all(stand_ins):
            for (_, read), stand_in in zip(mine, stand_ins):
                read.id = stand_in
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


def _shape_reads_by_statement(stmts: List[gast.stmt], ctx: Context) -> List[Tuple[gast.stmt, gast.Name]]:
    """Each shape-only read, with the simple statement it is in (none in an ``if`` test or a loop's iterable)."""
    found = []
    for stmt in stmts:
        blocks = blocks_of(stmt)
        for block in blocks:
            found += _shape_reads_by_statement(block, ctx)
        if not blocks:
            found += [(stmt, read) for read in shape_only_reads(stmt, ctx)]
    return found


def _single_definitions(tree: gast.FunctionDef, nodes: List[gast.AST], names: Set[str]) -> Dict[str, gast.Assign]:
    """Those of ``names`` assigned by one ``name = value`` and nothing else, with that assignment."""
    stores = Counter(n.id for n in nodes if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store))
    parameters = {a.id for a in tree.args.args}
    return {
        node.targets[0].id: node
        for node in nodes
        if isinstance(node, gast.Assign)
        and isinstance(node.targets[0], gast.Name)
        and node.targets[0].id in names - parameters
        and stores[node.targets[0].id] == 1
    }


def _stand_in(var: str, stmt: gast.stmt, facts: ShapeFacts, candidates: List[str]) -> Optional[str]:
    """A candidate with ``var``'s shape and dtype sets just before ``stmt``: the same shape and dtype."""
    env = facts.before.get(id(stmt), {})
    fact = env.get(var)
    if fact is None or not fact.dtype:  # an array of floats of rank >= 1
        return None
    return next((c for c in candidates if c != var and env.get(c) == fact), None)
