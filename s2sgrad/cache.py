"""Stage 7 — cache: each generated function is built once per specialization.

Entries live as long as the user's function (a weak reference), so
redefining a function in a notebook builds afresh, and keys hold everything
that changes the generated code: wrt, options, the rule table's version and
the argument kinds.
"""

import weakref
from typing import Any, Callable, Dict, Hashable


class TransformCache:
    def __init__(self) -> None:
        self._entries: weakref.WeakKeyDictionary[Callable, Dict[Hashable, Any]] = weakref.WeakKeyDictionary()

    def get_or_build(self, func: Callable, key: Hashable, build: Callable[[], Any]) -> Any:
        try:
            per_function = self._entries.setdefault(func, {})
        except TypeError:  # not weakly referenceable: do not cache
            return build()
        if key not in per_function:
            per_function[key] = build()
        return per_function[key]

    def clear(self) -> None:
        self._entries.clear()


CACHE = TransformCache()
