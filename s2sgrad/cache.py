"""Stage 7 — cache: each generated function is built once per specialization, and never used stale.

Entries live as long as the user's function (a weak reference); keys hold
everything chosen at the call (wrt, options, the rule table's version, the
argument kinds). Everything else a compilation depended on is checked by
*guards* on every use, the way a JIT guards its compiled frames: the
function's ``__code__``, ``__defaults__`` and ``__kwdefaults__``, and each
global, builtin, closure cell and module attribute the compiler resolved, of
this function and (transitively) of every function it calls. A guard is an
identity check; a value that is data (a float, an array, a list) may change
while its kind stays the same, because generated code reads it live, as
``func`` does. A list, dict or array can change its kind in place (an item
replaced by an array, a new shape): its guard compares its kind too. When a
guard fails, the entry is rebuilt.

Compilation holds one re-entrant lock: concurrent first calls compile once,
and a recursive gradient (or two mutually recursive ones) finds its own entry
under construction in the same thread. One lock, not one per key: per-key locks
deadlock when two threads start compiling two mutually recursive functions
from opposite ends, and compilation is pure Python, so the GIL serializes it
anyway. Cache hits and guard checks take no lock.
"""

import threading
import weakref
from types import CellType, FunctionType
from typing import Any, Callable, Dict, Hashable, Iterable, Iterator, List, Tuple

import numpy

from . import kinds as K
from .parse.resolve import MISSING

# How a guard reads its value now: from a dict (globals, builtins, a module's
# __dict__), from a closure cell, as an attribute, or as an attribute of a
# function held by a weak reference.
DICT, CELL, ATTR, FUNC = "dict", "cell", "attr", "func"

# [how, where, key, expected, data, weak]: ``data``, the kind compiled against, when ``expected`` may be
# replaced by a value of that kind (a list, so that the new value is kept and the next check is an
# identity check again), else None; ``weak`` when ``expected`` is a weak reference to a function.
# Functions are held weakly so that an entry never keeps its own key (the function) alive: a
# redefined function is freed.
Guard = List[Any]
_DEAD = object()  # what a dead weak reference compares as: identical to nothing


def _now(how: str, where: Any, key: Any) -> Any:
    if how is DICT:
        return where.get(key, MISSING)
    if how is CELL:
        try:
            return where.cell_contents
        except ValueError:  # an empty cell
            return MISSING
    return getattr(where() if how is FUNC else where, key, MISSING)


def _expected(guard: Guard) -> Any:
    return (guard[3]() or _DEAD) if guard[5] else guard[3]


def _data_kind(value: Any) -> Any:
    """The kind of a value generated code reads live (a number, an array, a container), else None."""
    kind = K.kind_of(value)
    return None if kind.tag in ("function", "other") else kind


class Guards:
    """What a compilation read, checked on each use of what it built."""

    __slots__ = ("_guards", "expression", "identical")

    def __init__(self, guards: Iterable[Guard] = ()) -> None:
        self._guards: List[Guard] = []
        seen = set()
        for guard in guards:
            place = (guard[0], id(guard[1]), guard[2])
            if place not in seen:
                seen.add(place)
                self._guards.append(guard)
        # Every value read is the very one compiled against: one expression, which raises when a name is
        # gone; hold() tells that, and data replaced by data of the same kind, from a change.
        self.expression, self.identical = _compiled_check(self._guards)

    def __iter__(self) -> Iterator[Guard]:
        return iter(self._guards)

    def hold(self) -> bool:
        """True while every value read is the one compiled against (or, for data, of the same kind)."""
        try:
            if self.identical():  # the common case
                return True
        except (KeyError, AttributeError, ValueError):  # a name deleted, a function freed, a cell emptied
            pass
        for guard in self._guards:
            how, where, key, _, data, _ = guard
            now = _now(how, where, key)
            if now is _expected(guard) and not (data and _changes_in_place(now)):
                continue
            if not (data and _same_data_kind(guard, now)):
                return False
        self.expression, self.identical = _compiled_check(self._guards)  # data was replaced: check the new values
        return True


def _compiled_check(guards: List[Guard]) -> Tuple[Tuple[str, Dict[str, Any]], Callable[[], bool]]:
    """``lambda: w0['np'] is e0 and ...``: one expression, a fraction of a loop's cost; and the expression's
    text with the names it reads (``w``, ``e``, ``k``, ``f`` and a number; ``M``, ``D``, ``K``), for a
    caller that tests it inline."""
    names: Dict[str, Any] = {"M": MISSING, "D": _DEAD, "K": _data_kind}
    terms = []
    functions: Dict[int, str] = {}  # a function's guards read it through one weak reference, called once
    for i, (how, where, key, expected, data, weak) in enumerate(guards):
        names[f"w{i}"], names[f"e{i}"], names[f"k{i}"] = where, expected, data
        # Plain subscripts and attributes where the value was there: a missing one raises, and
        # hold() then takes the slow path, which tells a change from a failure.
        if how is FUNC:
            first = functions.setdefault(id(where), f"f{i}")
            read = f"(f{i} := w{i}()).{key}" if first == f"f{i}" else f"{first}.{key}"
        else:
            read = {
                DICT: f"w{i}[{key!r}]" if expected is not MISSING else f"w{i}.get({key!r}, M)",
                CELL: f"w{i}.cell_contents",
            }.get(how, f"getattr(w{i}, {key!r}, M)")
        if weak:
            terms.append(f"{read} is (e{i}() or D)")
        elif data and type(expected) is numpy.ndarray:  # the same array may have a new shape (a.shape = ...)
            terms.append(f"({read} is e{i} and e{i}.ndim == {expected.ndim})")
        elif data and _changes_in_place(expected):  # the same list may hold an array now
            terms.append(f"({read} is e{i} and K(e{i}) == k{i})")
        else:
            terms.append(f"{read} is e{i}")
    text = " and ".join(terms) or "True"
    return (text, names), eval(f"lambda: {text}", dict(names))


def _changes_in_place(value: Any) -> bool:
    """Data whose kind a write can change without rebinding it: its items' kinds, an array's shape."""
    return type(value) in (list, dict, numpy.ndarray)


def _same_data_kind(guard: Guard, now: Any) -> bool:
    if _data_kind(now) != guard[4]:
        return False
    guard[3] = now
    return True


def function_guards(func: Callable) -> List[Guard]:
    """Guards on what a function object can change in place: its code and its defaults (by identity).

    ``__kwdefaults__`` is a dict that calls read live, so each of its values is guarded too (a write
    ``f.__kwdefaults__["c"] = 2.0`` changes the default, keeping the dict). A default that is a list, dict
    or array can change its kind in place (``ws=[2.0]``, then ``ws[0] = array``): its kind is guarded, read
    from a holder of its own (the object itself is fixed while the defaults are)."""
    where = weakref.ref(func)
    kwdefaults = getattr(func, "__kwdefaults__", None) or {}
    defaults = [*(getattr(func, "__defaults__", None) or ()), *kwdefaults.values()]
    return [
        *(
            [FUNC, where, a, getattr(func, a, MISSING), False, False]
            for a in ("__code__", "__defaults__", "__kwdefaults__")
        ),
        *([DICT, kwdefaults, name, value, False, False] for name, value in kwdefaults.items()),
        *([DICT, {0: value}, 0, value, _data_kind(value), False] for value in defaults if _changes_in_place(value)),
    ]


def read_guard(where: Any, key: Any, value: Any) -> Guard:
    """The guard for a value read from a dict (``key`` given), a cell (``key`` None) or an attribute."""
    how = CELL if isinstance(where, CellType) else DICT if isinstance(where, dict) else ATTR
    if isinstance(value, FunctionType):
        return [how, where, key, weakref.ref(value), False, True]
    return [how, where, key, value, _data_kind(value), False]


class TransformCache:
    def __init__(self) -> None:
        self._entries: weakref.WeakKeyDictionary[Callable, Dict[Hashable, Any]] = weakref.WeakKeyDictionary()
        self.lock = threading.RLock()  # held while compiling (see the module's docstring)

    def get_or_build(self, func: Callable, key: Hashable, build: Callable[[], Any]) -> Any:
        """The entry for ``(func, key)`` if its guards hold, else a new one from ``build()``.

        An entry has a ``guards`` attribute (:class:`Guards`).
        """
        per_function = self._entries.get(func)  # every func is a plain function (api._target unwraps the rest)
        entry = None if per_function is None else per_function.get(key)
        if entry is not None and entry.guards.hold():
            return entry
        with self.lock:
            per_function = self._entries.setdefault(func, {})
            entry = per_function.get(key)
            if entry is None or not entry.guards.hold():  # another thread may have just built it
                entry = per_function[key] = build()
            return entry

    def clear(self) -> None:
        """Forget every entry: the next call of each function transforms it again (the transform benchmark)."""
        with self.lock:
            self._entries.clear()


CACHE = TransformCache()
