"""Conditions as the source wrote them: ``and``/``or`` in one expression, a ``while`` loop's test in its header.

Normalization spells ``a and b`` as a branch, so that ``b`` runs only when it
would, and computes a ``while`` loop's test into temporaries before the loop and
again at the end of its body. Once the transform is done, each is an expression
again, and CPython runs one test where it ran four statements:

    before                          after
    t0 = abs(step)                  n_trips = 0
    t1 = t0 > 1e-10                 while abs(step) > 1e-10 and n < 50:
    if t1:                              n_trips = n_trips + 1
        t2 = n < 50                     ...
    else:
        t2 = t1
    n_trips = 0
    while t2:
        n_trips = n_trips + 1
        ...
        (the four statements again)

``if t: x = b`` / ``else: x = t`` is ``x = t and b`` by Python's own semantics:
``t``'s truth is tested once, ``b`` is evaluated only when it is true. A test
moves into the header only when it is made of temporaries that nothing else
reads, computed by the same pure statements before the loop and at the end of
its body, with nothing between the first copy and the loop changing what they
read: then evaluating it at the head of each trip computes the same values.
"""

from collections import Counter
from typing import Dict, List, Optional

import gast

from ..context import Context
from ..nodes import blocks_of, copy_tree, fingerprint, located, name, names_read, walk, writes_of
from .inline import is_pure


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    temporaries = ctx.namer.temporaries
    _short_circuits(tree.body, temporaries)
    reads = Counter(n for n in names_read(tree))
    _loop_tests(tree.body, reads, temporaries, ctx)
    return tree


def _short_circuits(stmts: List[gast.stmt], temporaries: "set[str]") -> None:
    """``if t: x = b else: x = t`` becomes ``x = t and b`` (``or`` the other way round), in every block."""
    for i, stmt in enumerate(stmts):
        for block in blocks_of(stmt):
            _short_circuits(block, temporaries)
        if isinstance(stmt, gast.If):
            joined = _joined(stmt, temporaries)
            if joined is not None:
                stmts[i] = located(joined, stmt)


def _joined(stmt: gast.If, temporaries: "set[str]") -> Optional[gast.Assign]:
    if not (isinstance(stmt.test, gast.Name) and len(stmt.body) == len(stmt.orelse) == 1):
        return None
    sides = [_assigned(s) for s in (stmt.body[0], stmt.orelse[0])]
    if None in sides or sides[0][0] != sides[1][0] or sides[0][0] not in temporaries:
        return None
    (target, then), (_, otherwise) = sides
    test = stmt.test.id
    if _is_name(otherwise, test):
        operator, operand = gast.And(), then
    elif _is_name(then, test):
        operator, operand = gast.Or(), otherwise
    else:
        return None
    value = gast.BoolOp(op=operator, values=[name(test), operand])
    return gast.Assign(targets=[name(target, True)], value=value, type_comment=None)


def _assigned(stmt: gast.stmt) -> Optional[tuple]:
    """``(target, value)`` of ``target = value`` to one name."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
        return stmt.targets[0].id, stmt.value
    return None


def _is_name(node: gast.expr, identifier: str) -> bool:
    return isinstance(node, gast.Name) and node.id == identifier


def _loop_tests(stmts: List[gast.stmt], reads: Counter, temporaries: "set[str]", ctx: Context) -> None:
    """Each ``while t:`` of this block and the blocks in it whose test can move into its header."""
    i = 0
    while i < len(stmts):
        stmt = stmts[i]
        for block in blocks_of(stmt):
            _loop_tests(block, reads, temporaries, ctx)
        if isinstance(stmt, gast.While) and isinstance(stmt.test, gast.Name):
            i -= _fold_test(stmts, i, reads, temporaries, ctx)
        i += 1


def _fold_test(stmts: List[gast.stmt], index: int, reads: Counter, temporaries: "set[str]", ctx: Context) -> int:
    """Move the test of ``stmts[index]`` (a while loop) into its header if it can; how many statements went
    from before the loop."""
    loop = stmts[index]
    tail = _test_statements(loop.body, loop.test.id, temporaries, ctx)
    if not tail:
        return 0
    targets = {s.targets[0].id for s in tail}
    inside = Counter(n for s in tail for n in names_read(s))
    if any(reads[t] != 2 * inside[t] + (t == loop.test.id) for t in targets):
        return 0  # read elsewhere: after the loop, or by the reverse sweep
    start = _first_copy(stmts[:index], tail, targets)
    if start is None:
        return 0
    test = _expression(tail)
    del loop.body[len(loop.body) - len(tail) :]
    del stmts[start : start + len(tail)]
    loop.test = test
    return len(tail)


def _test_statements(body: List[gast.stmt], test: str, temporaries: "set[str]", ctx: Context) -> List[gast.Assign]:
    """The statements at the end of ``body`` that compute ``test``: pure assignments to temporaries."""
    tail: List[gast.Assign] = []
    for stmt in reversed(body):
        assigned = _assigned(stmt)
        if assigned is None or assigned[0] not in temporaries or not is_pure(assigned[1], ctx):
            break
        tail.insert(0, stmt)
    if not tail or tail[-1].targets[0].id != test or len(tail) == len(body):
        return []  # the test is not computed last, or the body would be left empty
    return tail


def _first_copy(before: List[gast.stmt], tail: List[gast.Assign], targets: "set[str]") -> Optional[int]:
    """Where the same statements compute the test before the loop, if nothing after them changes what they
    read or reads what they set."""
    operands = {n for s in tail for n in names_read(s.value)}
    pattern = [fingerprint(s) for s in tail]
    for start in range(len(before) - len(tail), -1, -1):
        if [fingerprint(s) for s in before[start : start + len(tail)]] == pattern:
            between = before[start + len(tail) :]
            if any(writes_of(s) & (operands | targets) or set(names_read(s)) & targets for s in between):
                return None
            return start
    return None


def _expression(tail: List[gast.Assign]) -> gast.expr:
    """The test's value as one expression: each temporary replaced by the value assigned to it."""
    values: Dict[str, gast.expr] = {}

    def substituted(node: gast.expr) -> gast.expr:
        return copy_tree(values[node.id]) if isinstance(node, gast.Name) and node.id in values else node

    for stmt in tail:
        value = substituted(copy_tree(stmt.value))
        for node in walk(value):
            for field, child in gast.iter_fields(node):
                if isinstance(child, list):
                    child[:] = [substituted(c) for c in child]
                elif isinstance(child, gast.expr):
                    setattr(node, field, substituted(child))
        values[stmt.targets[0].id] = value
    return values[tail[-1].targets[0].id]
