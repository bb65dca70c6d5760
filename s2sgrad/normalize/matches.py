"""``match`` statements as the ``if``/``elif`` chains they mean (Python 3.10+).

The subject is evaluated once; each ``case`` tests it in order, and the first
whose pattern matches (and whose guard holds) runs. Value, singleton, capture,
wildcard, ``as`` and ``|`` patterns of values are tests of the subject; a
capture binds its name at the start of the case's body (a guard reads the
subject in its place). Sequence, mapping and class patterns are rejected.

    before                              after
    match mode:                         if mode == "fast":
        case "fast":                        y = x * 2.0
            y = x * 2.0                 elif mode is None or mode == "slow":
        case None | "slow":                 y = x * x
            y = x * x                   elif mode:
        case other if other:                other = mode
            y = x                           y = x
"""

import copy
from typing import List, Optional, Set, Tuple

import gast

from ..context import Context
from ..nodes import assign, const, located, name

HINT = "write the test with if/elif (isinstance, len, indexing) instead."


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    if hasattr(gast, "Match"):  # Python 3.10+
        tree.body = _block(tree.body, ctx)
    return tree


def _block(stmts: List[gast.stmt], ctx: Context) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _block(getattr(stmt, field), ctx))
        for handler in getattr(stmt, "handlers", []):
            handler.body = _block(handler.body, ctx)
        if isinstance(stmt, gast.Match):
            out += _as_ifs(stmt, ctx)
        else:
            out.append(stmt)
    return out


def _as_ifs(stmt: gast.stmt, ctx: Context) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    subject = stmt.subject
    if not isinstance(subject, gast.Name) or _assigned_in_guards(stmt, subject.id):
        temp = ctx.namer.temp()
        ctx.local_names.add(temp)
        out.append(assign(temp, subject, stmt))
        subject = name(temp)
    chain: Optional[gast.If] = None
    for case in stmt.cases:
        test, bound = _test(case.pattern, subject, ctx)
        body = [assign(n, copy.deepcopy(subject), case.pattern) for n in bound] + _block(case.body, ctx)
        if case.guard is not None:
            guard = _reading_subject(case.guard, bound, subject)
            test = guard if test is None else gast.BoolOp(op=gast.And(), values=[test, guard])
        if test is None:  # irrefutable: the rest never runs
            _attach(out, chain, body)
            return out
        branch = located(gast.If(test=located(test, case.pattern), body=body, orelse=[]), case.pattern)
        _attach(out, chain, [branch])
        chain = branch
    return out


def _attach(out: List[gast.stmt], chain: Optional[gast.If], stmts: List[gast.stmt]) -> None:
    """The next case: the ``else`` of the chain so far, or the first statement."""
    if chain is None:
        out.extend(stmts)
    else:
        chain.orelse = stmts


def _test(pattern: gast.AST, subject: gast.Name, ctx: Context) -> Tuple[Optional[gast.expr], List[str]]:
    """The test that ``pattern`` matches ``subject`` (None: always) and the names it binds to it."""
    if isinstance(pattern, gast.MatchValue):
        compare = gast.Compare(left=copy.deepcopy(subject), ops=[gast.Eq()], comparators=[pattern.value])
        return located(compare, pattern), []
    if isinstance(pattern, gast.MatchSingleton):
        compare = gast.Compare(left=copy.deepcopy(subject), ops=[gast.Is()], comparators=[const(pattern.value)])
        return located(compare, pattern), []
    if isinstance(pattern, gast.MatchAs):
        test, bound = (None, []) if pattern.pattern is None else _test(pattern.pattern, subject, ctx)
        return test, bound + ([pattern.name] if pattern.name else [])
    if isinstance(pattern, gast.MatchOr):
        alternatives = [_test(p, subject, ctx) for p in pattern.patterns]
        if any(bound for _, bound in alternatives):
            raise ctx.error(pattern, "a capture inside an alternative of '|' is not supported yet", HINT)
        if any(test is None for test, _ in alternatives):
            return None, []
        return located(gast.BoolOp(op=gast.Or(), values=[t for t, _ in alternatives]), pattern), []
    raise ctx.error(pattern, f"{_describe(pattern)} patterns are not supported yet", HINT)


def _describe(pattern: gast.AST) -> str:
    return {"MatchSequence": "sequence", "MatchMapping": "mapping", "MatchClass": "class"}.get(
        type(pattern).__name__, type(pattern).__name__
    )


def _reading_subject(guard: gast.expr, bound: List[str], subject: gast.Name) -> gast.expr:
    """The guard with each name the pattern binds read as the subject (bound only once the case runs)."""
    guard = copy.deepcopy(guard)
    for node in gast.walk(guard):
        if isinstance(node, gast.Name) and node.id in bound and isinstance(node.ctx, gast.Load):
            node.id = subject.id
    return guard


def _assigned_in_guards(stmt: gast.stmt, identifier: str) -> bool:
    """Whether a guard rebinds the subject's name (``case _ if (x := ...)``): the tests then read a copy."""
    stored: Set[str] = {
        n.id
        for case in stmt.cases
        if case.guard is not None
        for n in gast.walk(case.guard)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }
    return identifier in stored
