"""Dead code elimination: drop assignments whose values are never read.

After this pass every assignment's target is read later (by another
statement or the return). Side-effect statements (``print``, ``assert``) stay.
"""

from typing import List, Set

import gast

from ..context import Context
from ..nodes import names_read


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    live: Set[str] = set()
    kept: List[gast.stmt] = []
    for stmt in reversed(tree.body):
        if isinstance(stmt, gast.Assign):
            targets = {n.id for t in stmt.targets for n in gast.walk(t) if isinstance(n, gast.Name)}
            if not targets & live:
                continue
            live -= targets
        live.update(names_read(stmt))
        kept.append(stmt)
    tree.body = kept[::-1]
    return tree
