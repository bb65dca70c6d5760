"""The ``if`` blocks that stand for ``with`` and ``try`` (normalize.scopes), emitted as what they were."""

from typing import List

import gast

from ..nodes import SCOPE, call, located, name


def restored(stmts: List[gast.stmt]) -> List[gast.stmt]:
    """The block with each tagged ``if`` (in nested blocks too) back as its ``with`` or ``try``."""
    out: List[gast.stmt] = []
    for stmt in stmts:
        for field in ("body", "orelse"):
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                setattr(stmt, field, restored(getattr(stmt, field)))
        scope = getattr(stmt, SCOPE, None)
        if scope is None:
            out.append(stmt)
        elif scope[0] == "with":
            out.append(located(_with(stmt, scope), stmt))
        else:
            out.append(located(_try(stmt, scope), stmt))
    return out


def _with(stmt: gast.If, scope: tuple) -> gast.With:
    _, inline, target, guard, _ = scope
    manager = inline if inline is not None else stmt.test
    if guard is not None:
        manager = call(name(guard), [manager])
    item = gast.withitem(context_expr=manager, optional_vars=target)
    return gast.With(items=[item], body=stmt.body, type_comment=None)


def _try(stmt: gast.If, scope: tuple) -> gast.Try:
    _, kind, _ = scope
    handler = gast.ExceptHandler(type=kind, name=None, body=stmt.orelse or [gast.Pass()])
    return gast.Try(body=stmt.body or [gast.Pass()], handlers=[handler], orelse=[], finalbody=[])
