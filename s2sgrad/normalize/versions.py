"""Give every reassignment of a name a new name (straight-line SSA).

The reverse sweep reads forward values after the forward sweep has finished;
a name that is assigned twice would by then hold only its last value. In
straight-line code renaming is the whole cure, and costs nothing at run time.
After this pass every name is assigned at most once (parameters count as
assigned at entry).

    before              after
    x = x * 2           x_1 = x * 2
    y = x + 1           y = x_1 + 1
"""

from typing import Dict

import gast

from ..context import Context


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    current: Dict[str, str] = {a.id: a.id for a in tree.args.args}
    for stmt in tree.body:
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in current:
                node.id = current[node.id]
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            original = target.id
            target.id = ctx.namer.fresh(original) if original in current else original
            current[original] = target.id
    return tree
