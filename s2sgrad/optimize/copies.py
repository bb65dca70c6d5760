"""Copy propagation and copy coalescing.

After this pass no assignment copies one name into another where the copy
could be avoided: a temporary used only to be copied is computed under its
final name, and other reads of a copy read the original (so the names of the
user's variables are the ones that survive). Both work inside every block; a
copy made before a loop or branch is used inside it only if neither name is
assigned there.

    before                  after
    d_t2 = d_out            d_x = d_out * (2 * x)
    d_t0 = d_t2
    t5 = d_t0 * (2 * x)
    d_x = t5
"""

from collections import Counter
from typing import Dict, List

import gast

from ..context import Context
from ..nodes import blocks_of, header_of, names_read, names_written_in_place, reads_of, walk, writes_of


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    definitions = Counter(n for stmt in _simple_statements(tree.body) for n in writes_of(stmt))
    reads = Counter(n for stmt in _simple_statements(tree.body) for n in _reads_here(stmt))
    _coalesce(tree.body, ctx.namer.temporaries, definitions, reads)
    _propagate(tree.body, {}, names_written_in_place(tree))
    _drop_self_copies(tree.body)
    return tree


def _drop_self_copies(body: List[gast.stmt]) -> None:
    """``a = a`` (left behind by propagation) does nothing."""
    body[:] = [s for s in body if not (_is_copy(s) and s.targets[0].id == s.value.id)]
    for stmt in body:
        for block in blocks_of(stmt):
            _drop_self_copies(block)


def _simple_statements(stmts: List[gast.stmt]):
    """Every statement, with compound ones standing for their header only."""
    for stmt in stmts:
        yield stmt if not blocks_of(stmt) else gast.Expr(value=header_of(stmt)[0])
        for block in blocks_of(stmt):
            yield from _simple_statements(block)


def _reads_here(stmt: gast.stmt) -> List[str]:
    names = list(names_read(stmt))
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        names.append(stmt.target.id)
    return names


def _is_copy(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name)
    )


def _propagate(body: List[gast.stmt], copies: Dict[str, str], shared: "set[str]") -> None:
    """Replace reads of ``a`` after ``a = b`` by ``b`` until either is reassigned.

    Not where ``a`` or ``b`` is ``shared`` (written into in place): a write through one name must
    stay visible to every later read of the other, which dead-code elimination checks by name.
    """
    for stmt in body:
        if blocks_of(stmt):
            written = writes_of(stmt)
            copies = {a: b for a, b in copies.items() if not {a, b} & written}
            for node in header_of(stmt):
                _substitute(node, copies)
            for block in blocks_of(stmt):
                _propagate(block, dict(copies), shared)
            continue
        _substitute(stmt, copies)
        for target in writes_of(stmt):
            copies = {a: b for a, b in copies.items() if target not in (a, b)}
        if _is_copy(stmt) and stmt.targets[0].id != stmt.value.id and not {stmt.targets[0].id, stmt.value.id} & shared:
            copies[stmt.targets[0].id] = stmt.value.id


def _substitute(node: gast.AST, copies: Dict[str, str]) -> None:
    written = _written_arrays(node)
    for child in walk(node):
        if isinstance(child, gast.Name) and isinstance(child.ctx, gast.Load) and child.id in copies:
            child.id = child.id if id(child) in written else copies[child.id]


def _written_arrays(node: gast.AST) -> "set[int]":
    """The array names written into by ``y[i] = v``: renamed, the write would go through another
    name for the same buffer, which dead code elimination does not follow."""
    targets = [node.target] if isinstance(node, gast.AugAssign) else getattr(node, "targets", [])
    return {id(t.value) for t in targets if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}


def _coalesce(body: List[gast.stmt], temporaries: "set[str]", definitions: Counter, reads: Counter) -> None:
    """``t = expr; …; a = t`` with ``t`` a temporary read only there becomes ``a = expr``."""
    for stmt in body:
        for block in blocks_of(stmt):
            _coalesce(block, temporaries, definitions, reads)
    for i, stmt in enumerate(body):
        if stmt is None or not _is_copy(stmt) or stmt.value.id not in temporaries:
            continue
        target, source = stmt.targets[0].id, stmt.value.id
        if reads[source] == 1 and _coalesce_branches(body, i, definitions[source]):
            continue
        if definitions[source] != 1 or reads[source] != 1:
            continue
        definition = next((j for j in range(i) if _defines(body[j], source)), None)
        if definition is None:
            continue
        between = [s for s in body[definition + 1 : i] if s is not None]
        if any(target in reads_of(s) or target in writes_of(s) for s in between):
            continue
        body[definition].targets[0].id = target
        body[i] = None
    body[:] = [s for s in body if s is not None]


def _coalesce_branches(body: List[gast.stmt], i: int, definitions: int) -> bool:
    """``if c: t = a / else: t = b`` right before ``x = t`` (a conditional expression, normalized) becomes
    ``if c: x = a / else: x = b``, where those two are ``t``'s only definitions and the ``if`` does not
    read or set ``x``: the user's name, not a temporary, in the generated code."""
    copy_, branch = body[i], next((s for s in reversed(body[:i]) if s is not None), None)
    target, source = copy_.targets[0].id, copy_.value.id
    if not isinstance(branch, gast.If) or not branch.body or not branch.orelse or definitions != 2:
        return False
    ends = [branch.body[-1], branch.orelse[-1]]
    if not all(_defines(s, source) for s in ends) or target in reads_of(branch) | writes_of(branch):
        return False
    for end in ends:
        end.targets[0].id = target
    body[i] = None
    return True


def _defines(stmt: gast.stmt, source: str) -> bool:
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == source
