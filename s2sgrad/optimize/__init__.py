"""Stage 5 — optimize: small passes that make generated code what a person would write.

Each pass is ``run(tree, ctx) -> tree`` on the generated function; they repeat
until nothing changes (two or three rounds in practice); then scalar
accumulations are spelled ``d_x += …``.
"""

import gast

from ..context import Context
from ..nodes import fingerprint
from . import augmented, copies, cse, dead_code, fold, helpers, hoist, inline, schedule, shapes, stored_shapes, zeros

PASSES = (helpers.run, fold.run, zeros.run, cse.run, copies.run, shapes.run, dead_code.run, hoist.run, schedule.run)
PASSES += (stored_shapes.run,)  # a stack kept for shapes only: once the other passes have removed other reads


def optimize(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    before = None
    while True:
        for run in PASSES:
            tree = run(tree, ctx)
        after = fingerprint(tree)  # the passes report no change themselves: compare the trees
        if after == before:
            return augmented.run(fold.run(inline.run(tree, ctx), ctx), ctx)
        before = after
