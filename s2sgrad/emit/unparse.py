"""Source text from gast, with a comment naming the original line of each block.

Comments are not part of Python's AST, so the emitter inserts marker
statements where a block from a new source line starts, unparses, and turns
the markers into comments. ``ast.unparse`` does the unparsing where it exists
(Python 3.9+), the ``astunparse`` package on Python 3.8.
"""

import ast
import re
from typing import List, Optional

import gast

from ..parse import FunctionSource

MARKER = "__s2sgrad_comment__"
_MARKER_LINE = re.compile(rf"^(\s*){MARKER}\((.*)\)$", re.MULTILINE)


def unparse_tree(tree: gast.AST) -> str:
    node = gast.gast_to_ast(gast.fix_missing_locations(tree))
    if hasattr(ast, "unparse"):
        return ast.unparse(node)
    import astunparse  # Python 3.8 only

    return astunparse.unparse(node).strip("\n")


def to_source(tree: gast.FunctionDef, source: Optional[FunctionSource], sections: bool = True) -> str:
    """The function as text; with ``source``, each block under a comment naming its line."""
    if source is None:
        return unparse_tree(tree) + "\n"
    commented = gast.FunctionDef(**{f: getattr(tree, f) for f in tree._fields})
    commented.body = _with_comments(tree.body, source)
    text = unparse_tree(commented)
    return _MARKER_LINE.sub(lambda m: f"{m.group(1)}# {ast.literal_eval(m.group(2))}", text) + "\n"


def _with_comments(body: List[gast.stmt], source: FunctionSource) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    previous = None
    for stmt in body:
        line = getattr(stmt, "lineno", None)
        is_docstring = isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)
        if line is not None and line != previous and not is_docstring and not isinstance(stmt, gast.Return):
            text = f"{source.line_text(line).strip()}  ({source.where(line)})"
            out.append(_marker(text))
            previous = line
        out.append(_without_parentheses(stmt))
    return out


def _without_parentheses(stmt: gast.stmt) -> gast.stmt:
    """``return d_x, d_y`` rather than the unparser's ``return (d_x, d_y)``."""
    if isinstance(stmt, gast.Return) and isinstance(stmt.value, gast.Tuple) and stmt.value.elts:
        text = ", ".join(unparse_tree(e) for e in stmt.value.elts)
        return gast.Return(value=gast.Name(id=text, ctx=gast.Load(), annotation=None, type_comment=None))
    return stmt


def _marker(text: str) -> gast.stmt:
    call = gast.Call(func=gast.Name(id=MARKER, ctx=gast.Load(), annotation=None, type_comment=None), args=[gast.Constant(value=text, kind=None)], keywords=[])
    return gast.Expr(value=call)
