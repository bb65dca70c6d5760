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

from ..nodes import COMMENT, comment, comment_text, copy_tree, walk
from ..parse import FunctionSource
from .scopes import restored

_COMMENT_LINE = re.compile(rf"^(\s*){COMMENT}\((.*)\)$", re.MULTILINE)


def unparse_tree(tree: gast.AST) -> str:
    node = gast.gast_to_ast(gast.fix_missing_locations(tree))
    for inner in walk(node):  # a block the passes emptied: nothing to do there
        if isinstance(inner, (ast.If, ast.For, ast.While)) and not inner.body:
            inner.body = [ast.Pass()]
    if not hasattr(ast, "unparse"):  # pragma: no cover (Python 3.8 only: measured there, not on 3.9+)
        import astunparse

        return astunparse.unparse(node).strip("\n")
    return ast.unparse(node)


def to_source(tree: gast.FunctionDef, source: Optional[FunctionSource], sections: bool = True) -> str:
    """The function as text; with ``source``, each block under a comment naming its line."""
    body = restored(copy_tree(tree.body))
    commented = gast.FunctionDef(**{f: getattr(tree, f) for f in tree._fields})
    if source is None:
        commented.body = body
        return unparse_tree(commented) + "\n"
    commented.body = _with_comments(body, source)
    text = unparse_tree(commented)
    return _COMMENT_LINE.sub(lambda m: f"{m.group(1)}# {ast.literal_eval(m.group(2))}", text) + "\n"


def _with_comments(body: List[gast.stmt], source: FunctionSource, previous: Optional[int] = None) -> List[gast.stmt]:
    """Each run of statements from one source line under a comment quoting that line.

    ``previous`` is the line of the enclosing statement (not repeated inside
    it). Section comments ("forward sweep") are kept only when both sweeps have code.
    """
    sections = [i for i, stmt in enumerate(body) if comment_text(stmt) is not None]
    drop_sections = len(sections) == 2 and sections[1] == sections[0] + 1
    out: List[gast.stmt] = []
    for stmt in body:
        if comment_text(stmt) is not None:
            if not drop_sections:
                out.append(stmt)
            previous = None
            continue
        line = getattr(stmt, "lineno", None)
        is_docstring = isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)
        if line is not None and line != previous and not is_docstring and not isinstance(stmt, gast.Return):
            out.append(comment(f"{source.line_text(line).strip()}  ({source.where(line)})"))
            previous = line
        out.append(_commented_blocks(_without_parentheses(stmt), source))
    return out


def _commented_blocks(stmt: gast.stmt, source: FunctionSource) -> gast.stmt:
    """Blocks commented like the body; ``pass`` for an empty one; ``if not t`` for an empty ``if``."""
    if isinstance(stmt, (gast.With, gast.Try)):
        line = getattr(stmt, "lineno", None)
        for block in [stmt, *getattr(stmt, "handlers", [])]:
            block.body = _with_comments(block.body, source, line) or [gast.Pass()]
        return stmt
    if not isinstance(stmt, (gast.If, gast.For, gast.While)):
        return stmt
    if isinstance(stmt, gast.If) and not stmt.body and stmt.orelse:
        stmt.test = gast.UnaryOp(op=gast.Not(), operand=stmt.test)
        stmt.body, stmt.orelse = stmt.orelse, []
    line = getattr(stmt, "lineno", None)
    stmt.body = _with_comments(stmt.body, source, line) or [gast.Pass()]
    if stmt.orelse:
        stmt.orelse = _with_comments(stmt.orelse, source, line)
    return stmt


def _without_parentheses(stmt: gast.stmt) -> gast.stmt:
    """``return d_x, d_y`` rather than the unparser's ``return (d_x, d_y)``."""
    if isinstance(stmt, gast.Return) and isinstance(stmt.value, gast.Tuple) and stmt.value.elts:
        text = ", ".join(unparse_tree(e) for e in stmt.value.elts) + ("," if len(stmt.value.elts) == 1 else "")
        return gast.Return(value=gast.Name(id=text, ctx=gast.Load(), annotation=None, type_comment=None))
    return stmt
