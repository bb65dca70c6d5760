"""Effects of a call beyond its value: random draws and statements run for their effect.

A gradient call has the effects of one call of the function: the forward
sweep runs each statement once, a called function's included (its forward
function, transform.split). The optimizer must not drop them where the value is
not needed: a ``print`` still prints, and a random draw still advances the
generator, so the numbers drawn after the gradient call are the ones drawn
after a call of the function. Both are found in the function or,
transitively, in the functions it calls.
"""

import random
from typing import Any, Callable, Optional, Set

import gast
import numpy

from ..nodes import names_stored
from ..parse import parse_function
from ..parse.resolve import MISSING, resolve

RANDOM_TYPES = (numpy.random.Generator, numpy.random.RandomState, random.Random)


def effect_statement(func: Callable, is_differentiated: Callable[[Any], bool]) -> str:
    """``"file.py:12"``, where ``func`` (or a function it calls) first runs a call for its effect or draws, or "".

    ``is_differentiated`` tells the user's functions (whose source the compiler reads) from library ones.
    """
    return _first(func, is_differentiated, lambda node, callee: _is_effect(node) or draws(callee))


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


def draws(callee: Any) -> bool:
    """A function of ``numpy.random`` or ``random``, or a method of a random generator."""
    owner = getattr(callee, "__self__", None)
    module = getattr(callee, "__module__", None) or ""
    return callee is not MISSING and (
        isinstance(owner, RANDOM_TYPES) or module.startswith("numpy.random") or module == "random"
    )


def _is_effect(node: gast.AST) -> bool:
    """A call whose value is dropped: ``print(x)``, ``log.append(x)`` (a docstring is no call)."""
    return isinstance(node, gast.Expr) and isinstance(node.value, gast.Call)
