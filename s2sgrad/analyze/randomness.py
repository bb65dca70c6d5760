"""Random draws a called function would repeat when its gradient runs it again.

A callee's gradient runs the callee's forward sweep a second time (see
transform.sweep ``call_adjoint``). That is exact for a deterministic function,
but a random draw would draw again — a different number, so a silently wrong
gradient. This finds the first draw in a function or, transitively, in the
functions it calls. (A ``print`` in a callee runs twice; that changes no
number, and goes away when callees return their forward values.)
"""

import random
from typing import Any, Callable, Optional, Set

import gast
import numpy

from ..nodes import names_stored
from ..parse import parse_function
from ..parse.resolve import MISSING, resolve

RANDOM_TYPES = (numpy.random.Generator, numpy.random.RandomState, random.Random)


def random_draw(func: Callable, is_differentiated: Callable[[Any], bool], seen: Optional[Set[int]] = None) -> str:
    """``"file.py:12"``, where ``func`` (or a function it calls) first draws a random number, or "".

    ``is_differentiated`` tells the user's functions (whose source the compiler reads) from library ones.
    """
    seen = set() if seen is None else seen
    if id(func) in seen or not is_differentiated(func):
        return ""
    seen.add(id(func))
    source = parse_function(func)
    local_names = names_stored(source.tree) | {a.id for a in source.tree.args.args}
    for node in gast.walk(source.tree):
        if not isinstance(node, gast.Call):
            continue
        callee = resolve(node.func, source.namespace, local_names)
        if _draws(callee):
            return f"{source.short_filename}:{source.file_line(node)}"
        if is_differentiated(callee):
            inner = random_draw(callee, is_differentiated, seen)
            if inner:
                return inner
    return ""


def _draws(callee: Any) -> bool:
    owner = getattr(callee, "__self__", None)
    module = getattr(callee, "__module__", None) or ""
    return callee is not MISSING and (
        isinstance(owner, RANDOM_TYPES) or module.startswith("numpy.random") or module == "random"
    )
