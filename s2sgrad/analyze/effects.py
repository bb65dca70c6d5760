"""Effects of a called function beyond its value: random draws and statements run for their effect.

A callee's gradient runs the callee's forward sweep a second time (see
transform.sweep ``call_adjoint``). That is exact for a deterministic function,
but a random draw would draw again — a different number, so a silently wrong
gradient: such calls are rejected. A statement run for its effect (``print``)
is left out of that second run (ReverseOptions.quiet), and the caller keeps
the first run, the call itself, even where its value is not needed.
Both are found in the function or, transitively, in the functions it calls.
"""

import random
from typing import Any, Callable, Optional, Set

import gast
import numpy

from ..nodes import names_stored
from ..parse import parse_function
from ..parse.resolve import MISSING, resolve

RANDOM_TYPES = (numpy.random.Generator, numpy.random.RandomState, random.Random)


def random_draw(func: Callable, is_differentiated: Callable[[Any], bool]) -> str:
    """``"file.py:12"``, where ``func`` (or a function it calls) first draws a random number, or "".

    ``is_differentiated`` tells the user's functions (whose source the compiler reads) from library ones.
    """
    return _first(func, is_differentiated, lambda node, callee: isinstance(node, gast.Call) and _draws(callee))


def effect_statement(func: Callable, is_differentiated: Callable[[Any], bool]) -> str:
    """``"file.py:12"``, where ``func`` (or a function it calls) first runs a call for its effect, or ""."""
    return _first(func, is_differentiated, lambda node, callee: _is_effect(node))


def _first(
    func: Callable, is_differentiated: Callable[[Any], bool], found: Callable, seen: Optional[Set[int]] = None
) -> str:
    seen = set() if seen is None else seen
    if id(func) in seen or not is_differentiated(func):
        return ""
    seen.add(id(func))
    source = parse_function(func)
    local_names = names_stored(source.tree) | {a.id for a in source.tree.args.args}
    for node in gast.walk(source.tree):
        callee = resolve(node.func, source.namespace, local_names) if isinstance(node, gast.Call) else MISSING
        if found(node, callee):
            return f"{source.short_filename}:{source.file_line(node)}"
        inner = _first(callee, is_differentiated, found, seen) if is_differentiated(callee) else ""
        if inner:
            return inner
    return ""


def _draws(callee: Any) -> bool:
    owner = getattr(callee, "__self__", None)
    module = getattr(callee, "__module__", None) or ""
    return callee is not MISSING and (
        isinstance(owner, RANDOM_TYPES) or module.startswith("numpy.random") or module == "random"
    )


def _is_effect(node: gast.AST) -> bool:
    """A call whose value is dropped: ``print(x)``, ``log.append(x)`` (a docstring is no call)."""
    return isinstance(node, gast.Expr) and isinstance(node.value, gast.Call)
