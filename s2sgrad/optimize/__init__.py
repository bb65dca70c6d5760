"""Stage 5 — optimize: small passes that make generated code what a person would write.

Each pass is ``run(tree, ctx) -> tree`` on the generated function; they repeat
until nothing changes (two or three rounds in practice); then conditions
are expressions again (``and``, a ``while`` loop's test in its header), single-use
temporaries go back into the expressions that use them, scalar accumulations are
spelled ``d_x += …``, and a loop's outer products are added up after it (outer:
it reads the code in its final form).
"""

import gast

from ..context import Context
from ..nodes import fingerprint
from . import (
    augmented,
    conditions,
    copies,
    cse,
    dead_code,
    fold,
    helpers,
    hoist,
    inline,
    outer,
    schedule,
    shapes,
    stored_shapes,
    zeros,
)

# stored_shapes last: a stack is kept for shapes only once the other passes have removed its other reads
PASSES = (
    helpers.run,
    fold.run,
    zeros.run,
    cse.run,
    copies.run,
    shapes.run,
    dead_code.run,
    hoist.run,
    schedule.run,
    stored_shapes.run,
)


def optimize(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    before = None
    while True:
        for run in PASSES:
            tree = run(tree, ctx)
        after = fingerprint(tree)  # the passes report no change themselves: compare the trees
        if after == before:
            tree = inline.run(conditions.run(tree, ctx), ctx)
            return outer.run(augmented.run(fold.run(tree, ctx), ctx), ctx)
        before = after
