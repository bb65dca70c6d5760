"""Copy propagation and copy coalescing in straight-line code.

After this pass no assignment copies one name into another where the copy
could be avoided: a temporary used only to be copied is computed under its
final name, and other reads of a copy read the original (so the names of the
user's variables are the ones that survive).

    before                  after
    d_t2 = d_out            d_x = d_out * (2 * x)
    d_t0 = d_t2
    t5 = d_t0 * (2 * x)
    d_x = t5
"""

from typing import Dict, List

import gast

from ..context import Context
from ..nodes import names_read


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    tree.body = _propagate(_coalesce(tree.body, ctx.namer.temporaries))
    return tree


def _assigned(stmt: gast.stmt) -> List[str]:
    targets = stmt.targets if isinstance(stmt, gast.Assign) else []
    return [n.id for t in targets for n in gast.walk(t) if isinstance(n, gast.Name)]


def _is_copy(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name)
    )


def _propagate(body: List[gast.stmt]) -> List[gast.stmt]:
    """Replace reads of ``a`` after ``a = b`` by ``b`` until either is reassigned."""
    copies: Dict[str, str] = {}
    for stmt in body:
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in copies:
                node.id = copies[node.id]
        for target in _assigned(stmt):
            copies = {a: b for a, b in copies.items() if target not in (a, b)}
        if _is_copy(stmt) and stmt.targets[0].id != stmt.value.id:
            copies[stmt.targets[0].id] = stmt.value.id
    return body


def _coalesce(body: List[gast.stmt], temporaries: "set[str]") -> List[gast.stmt]:
    """``t = expr; …; a = t`` with ``t`` a temporary read only there becomes ``a = expr``."""
    for i, stmt in enumerate(body):
        if not _is_copy(stmt) or stmt.value.id not in temporaries:
            continue
        target, source = stmt.targets[0].id, stmt.value.id
        definition = _single_definition(body, source, i)
        if definition is None:
            continue
        between = [s for s in body[definition + 1 : i] if s is not None]
        if any(target in names_read(s) or target in _assigned(s) for s in between):
            continue
        body[definition].targets[0].id = target
        body[i] = None
    return [s for s in body if s is not None]


def _single_definition(body: List[gast.stmt], source: str, use: int):
    """Index of the only assignment of ``source``, if it precedes ``use`` and ``use`` is its only read."""
    definitions = [j for j, s in enumerate(body) if s is not None and source in _assigned(s)]
    reads = [j for j, s in enumerate(body) if s is not None and source in names_read(s)]
    if len(definitions) != 1 or reads != [use] or definitions[0] > use:
        return None
    definition = body[definitions[0]]
    if not (isinstance(definition, gast.Assign) and isinstance(definition.targets[0], gast.Name)):
        return None
    return definitions[0]
