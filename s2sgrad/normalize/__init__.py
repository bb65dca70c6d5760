"""Stage 2 — normalize: rewrite a function into the small core language.

The passes run in this order; each is ``run(tree, ctx) -> tree`` and its
module docstring states the invariant it establishes.
"""

import gast

from ..context import Context
from . import anf, exits, lambdas, loops, matches, memory, nested, scopes, starred, statements, versions

PASSES = (
    matches.run,
    scopes.run,
    lambdas.run,
    nested.run,
    statements.run,
    starred.run,
    loops.run,
    exits.run,
    anf.run,
    memory.run,
    versions.run,
)


def normalize(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    for run in PASSES:
        tree = run(tree, ctx)
    # nodes a pass made (a loop's xs[i], a temporary) point at the statement they came from:
    # every error the later stages raise can then name the user's line
    return gast.fix_missing_locations(tree)
