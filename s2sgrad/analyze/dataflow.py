"""Which names a block may read before it sets them, and which it surely sets.

Two classic analyses over statement lists of the core language (``if``,
``for``, ``while`` and simple statements), used where code is cut apart:
normalize.memory asks what is read after a write; a callee's split gradient
(transform.split) asks what its reverse sweep reads of the forward sweep's
names (live at the cut) and which of those the forward sweep may leave unset.
"""

from typing import Dict, List, Set

import gast

from ..nodes import is_in_place, names_read, names_stored, reads_of


def live_after(tree: gast.FunctionDef) -> Dict[int, Set[str]]:
    """For each statement (by id), the names that may be read after it (loops to a fixpoint)."""
    found: Dict[int, Set[str]] = {}
    _live_block(tree.body, set(), found)
    return found


def live_before(stmts: List[gast.stmt], live: Set[str] = frozenset()) -> Set[str]:
    """The names ``stmts`` may read before setting them, ``live`` being what is read after them."""
    return _live_block(stmts, set(live), {})


def surely_assigned(stmts: List[gast.stmt]) -> Set[str]:
    """The names every path through ``stmts`` assigns (a loop's body may run zero times)."""
    found: Set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            found |= surely_assigned(stmt.body) & surely_assigned(stmt.orelse)
        elif isinstance(stmt, (gast.Assign, gast.AugAssign)):
            found |= names_stored(stmt)
    return found


def _live_block(stmts: List[gast.stmt], live: Set[str], found: Dict[int, Set[str]]) -> Set[str]:
    for stmt in reversed(stmts):
        found[id(stmt)] = live | found.get(id(stmt), set())
        live = _live_statement(stmt, found[id(stmt)], found)
    return live


def _live_statement(stmt: gast.stmt, live: Set[str], found: Dict[int, Set[str]]) -> Set[str]:
    if isinstance(stmt, gast.If):
        body = _live_block(stmt.body, live, found)
        return body | _live_block(stmt.orelse, live, found) | set(names_read(stmt.test))
    if isinstance(stmt, (gast.For, gast.While)):
        header = set(names_read(stmt.iter if isinstance(stmt, gast.For) else stmt.test))
        target = names_stored(stmt.target) if isinstance(stmt, gast.For) else set()
        top = live | header
        while True:  # what the body reads flows around the loop (and out of it); each pass sets the target first
            after = (_live_block(stmt.body, top, found) - target) | _live_block(stmt.orelse, live, found)
            if after <= top:
                return top
            top |= after
    reads = reads_of(stmt)
    if isinstance(stmt, gast.Assign) and not is_in_place(stmt) and _names_only(stmt.targets[0]):
        return (live - names_stored(stmt.targets[0])) | reads
    return live | reads


def _names_only(target: gast.expr) -> bool:
    """A target that rebinds names (``x``, ``a, b``) rather than writing into an object."""
    if isinstance(target, gast.Name):
        return True
    return isinstance(target, gast.Tuple) and all(isinstance(e, gast.Name) for e in target.elts)
