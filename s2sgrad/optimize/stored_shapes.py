"""Store a shape, not an array, for a value the reverse sweep reads only for its shape.

A loop's reverse sweep often pops a value only to pass it to a helper that
reads its shape and dtype (``unbroadcast(d_t6, t3)``, see shapes.SHAPE_ONLY),
and its stack then holds every step's array. Here such a stack holds
``shape_of(t3)`` instead: an array of ``t3``'s shape and dtype without data,
which the helpers read as they read ``t3``.

    before                              after
    t3_stack.append(t3)                 t3_shape_stack.append(shape_of(t3))
    …                                   …
    t3 = t3_stack.pop()                 t3_shape = t3_shape_stack.pop()
    d_t3 = unbroadcast(d_t6, t3)        d_t3 = unbroadcast(d_t6, t3_shape)

Only for a stack used for nothing else (made empty, appended ``t3``, popped
into ``t3``, by no other stack), of an array of floats not of rank 0
(``shape_of`` keeps anything but an ndarray of rank at least one as it is: a
Dask array, a NumPy scalar), and only when every read a pop's value can
reach is shape-only: the reads after the pop in its block up to a plain
reassignment of ``t3`` (a write in a branch or loop there is no shape-only
read: the array is kept), with ``t3`` dead after the block if nothing
reassigns it there. ``shape_of(t3)`` is a shape-only read like the helpers':
where an array kept anyway has ``t3``'s shape and dtype, shapes.run has it
read that array instead, and ``t3`` is no longer computed.
"""

from collections import Counter, defaultdict
from typing import Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

import gast

from .. import runtime
from ..analyze.dataflow import live_after
from ..context import Context
from ..nodes import blocks_of, call, is_in_place, name, walk
from .shapes import shape_only_reads


class _Stack(NamedTuple):
    var: str  # the value it keeps
    pushes: List[Tuple[List[gast.stmt], int]]  # ``stack.append(var)``: its block and index there
    pops: List[Tuple[List[gast.stmt], int]]  # ``var = stack.pop()``: its block and index there
    names: List[gast.Name]  # every occurrence of the stack's name


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    stacks = {s: stack for s, stack in _stacks(tree).items() if _may_be_array(stack.var, ctx)}
    if not stacks:
        return tree
    occurrences: Dict[str, int] = {}
    for node in walk(tree):
        if isinstance(node, gast.Name) and node.id in stacks:
            occurrences[node.id] = occurrences.get(node.id, 0) + 1
    shape_reads = {id(n) for n in shape_only_reads(tree, ctx)}
    live = live_after(tree)
    for stack_name, stack in stacks.items():
        # the stack's every use is one of its three forms (not returned, not passed to a callee's reverse)
        if occurrences[stack_name] != len(stack.names):
            continue
        reads = _reached_reads(stack, live)
        if reads is not None and all(id(read) in shape_reads for read in reads):
            _keep_shapes(stack, reads, ctx)
    return tree


def _stacks(tree: gast.FunctionDef) -> Dict[str, _Stack]:
    """The stacks made empty in ``tree`` whose appends and pops all keep one name, kept by no other stack."""
    made: Dict[str, List[gast.Name]] = defaultdict(list)
    pushes: Dict[str, List[Tuple[List[gast.stmt], int]]] = defaultdict(list)
    pops: Dict[str, List[Tuple[List[gast.stmt], int]]] = defaultdict(list)
    for block, index, stmt in _statements(tree.body):
        if _is_made_empty(stmt):
            made[stmt.targets[0].id].append(stmt.targets[0])
        elif _pushed(stmt):
            pushes[stmt.value.func.value.id].append((block, index))
        elif _popped(stmt):
            pops[stmt.value.func.value.id].append((block, index))
    found = {}
    for stack, names in made.items():
        kept = {b[i].value.args[0].id for b, i in pushes[stack]} | {b[i].targets[0].id for b, i in pops[stack]}
        if len(kept) == 1 and pushes[stack] and pops[stack]:
            names += [b[i].value.func.value for b, i in pushes[stack] + pops[stack]]
            found[stack] = _Stack(kept.pop(), pushes[stack], pops[stack], names)
    # a name two stacks keep is left alone: the pops of each would end the other's reads
    keeping = Counter(stack.var for stack in found.values())
    return {s: stack for s, stack in found.items() if keeping[stack.var] == 1}


def _may_be_array(name: str, ctx: Context) -> bool:
    """An array of floats, of a rank other than 0 (unknown from an ``np.ndarray`` annotation): ``shape_of``
    stands in for an ndarray of rank at least one only, and keeps anything else (a NumPy scalar) as it is."""
    kind = ctx.kinds.get(name)
    return kind is not None and kind.tag == "array" and kind.ndim != 0


def _reached_reads(stack: _Stack, live: Dict[int, Set[str]]) -> Optional[List[gast.Name]]:
    """The reads of ``stack.var`` that a pop's value reaches, or None if one may be reached elsewhere."""
    reads: List[gast.Name] = []
    for block, index in stack.pops:
        region = _region_reads(block[index + 1 :], stack.var, stack.var in live[id(block[-1])])
        if region is None:
            return None
        reads += region
    return reads


def _region_reads(stmts: List[gast.stmt], var: str, live_at_end: bool) -> Optional[List[gast.Name]]:
    """The occurrences of ``var`` in ``stmts`` up to its first plain reassignment (any other write, in a branch,
    a loop's target, a ``del``, is among them: never a shape-only read, it keeps the array); None if nothing
    reassigns it and it is read after ``stmts`` (around a loop, or after it)."""
    reads = []
    for stmt in stmts:
        if _is_rebinding(stmt, var):
            return reads + _occurrences(stmt.value, var)
        reads += _occurrences(stmt, var)
    return None if live_at_end else reads


def _is_rebinding(stmt: gast.stmt, var: str) -> bool:
    """``var = value``, a new binding of the name (not ``var = var + v`` that updates it in place)."""
    return (
        isinstance(stmt, gast.Assign)
        and isinstance(stmt.targets[0], gast.Name)
        and stmt.targets[0].id == var
        and not is_in_place(stmt)
    )


def _occurrences(node: gast.AST, var: str) -> List[gast.Name]:
    return [n for n in walk(node) if isinstance(n, gast.Name) and n.id == var]


def _keep_shapes(stack: _Stack, reads: List[gast.Name], ctx: Context) -> None:
    """Push ``shape_of(var)``, pop it into ``var_shape``, and read that where the pops' values were read."""
    var, shape_of = stack.var, ctx.name_for(runtime.shape_of, "shape_of")
    renamed, kept = ctx.namer.fresh(f"{var}_shape_stack"), ctx.namer.fresh(f"{var}_shape")
    for occurrence in stack.names:
        occurrence.id = renamed
    for block, index in stack.pushes:
        block[index].value.args[0] = call(name(shape_of), [name(var)])
    for block, index in stack.pops:
        block[index].targets[0].id = kept
    for read in reads:
        read.id = kept
    ctx.kinds[kept] = ctx.kinds[var]  # the stand-in's kind: an array of the same rank
    for stored in ctx.storage:  # for the storage report
        stored.shape_only = stored.shape_only or (stored.var == var and stored.how in ("push", "save"))


def _statements(block: List[gast.stmt]) -> Iterator[Tuple[List[gast.stmt], int, gast.stmt]]:
    """Every statement in ``block`` and the blocks of its ``if``, ``for`` and ``while``, with its place."""
    for index, stmt in enumerate(block):
        yield block, index, stmt
        for inner in blocks_of(stmt):
            yield from _statements(inner)


def _is_made_empty(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.List)
        and not stmt.value.elts
    )


def _pushed(stmt: gast.stmt) -> bool:
    """``stack.append(var)``."""
    return (
        isinstance(stmt, gast.Expr)
        and _method_call(stmt.value, "append")
        and len(stmt.value.args) == 1
        and isinstance(stmt.value.args[0], gast.Name)
    )


def _popped(stmt: gast.stmt) -> bool:
    """``var = stack.pop()``."""
    return (
        isinstance(stmt, gast.Assign)
        and isinstance(stmt.targets[0], gast.Name)
        and _method_call(stmt.value, "pop")
        and not stmt.value.args
    )


def _method_call(value: gast.expr, method: str) -> bool:
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == method
        and isinstance(value.func.value, gast.Name)
        and not value.keywords
    )
