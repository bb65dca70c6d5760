"""Resolve the names a function reads to the Python objects they denote.

Derivative rules are looked up by object (``numpy.sin``), never by spelling,
so ``np.sin``, ``numpy.sin`` and ``from numpy import sin`` all find one rule.
"""

import builtins
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple

import gast


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
BUILT_AT_COMPILE_TIME = "__s2sgrad_built_at_compile_time__"  # on s2sgrad.grad and the other transforms


def _static(node: gast.AST, resolve_part: Callable[[gast.AST], Any]) -> Any:
    """A constant, a tuple of them, or what a free name denotes; MISSING for anything computed."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Tuple):
        parts = tuple(_static(e, resolve_part) for e in node.elts)
        return MISSING if any(p is MISSING for p in parts) else parts
    return resolve_part(node) if isinstance(node, (gast.Name, gast.Attribute)) else MISSING


@dataclass
class Namespace:
    """What a function's free names refer to: closure cells, globals, builtins."""

    globals: Dict[str, Any]
    closure: Dict[str, Any]  # free variable name -> cell
    # Every read, as (where, key, value): a dict and a name, a cell and None, or a module and an
    # attribute. The cache guards them: a gradient is only valid while they read the same.
    reads: List[Tuple[Any, Any, Any]] = field(default_factory=list)
    _built: Dict[str, Any] = field(default_factory=dict)  # see built()

    @classmethod
    def of(cls, func: Callable) -> "Namespace":
        code = getattr(func, "__code__", None)
        cells = getattr(func, "__closure__", None) or ()
        closure = dict(zip(code.co_freevars, cells)) if code is not None else {}
        return cls(getattr(func, "__globals__", {}), closure)

    def fresh(self) -> "Namespace":
        """The same namespace with no reads recorded (for another compilation)."""
        return Namespace(self.globals, self.closure)

    def lookup(self, name: str) -> Any:
        """The object a free name refers to now, or MISSING (the read is recorded)."""
        layers = self._layers(name)
        self.reads.extend(layers)
        return layers[-1][2]

    def attribute(self, base: Any, attr: str) -> Any:
        """``getattr(base, attr)``, or MISSING; recorded, for a module (functions live there) as for any other
        object (``cfg.act`` may be rebound to another function, whose rule the code was not made with)."""
        value = getattr(base, attr, MISSING)
        if isinstance(base, ModuleType):
            where = vars(base) if attr in vars(base) else base  # a module __getattr__ answers the rest
            self.reads.append((where, attr, value))
        elif getattr(base, attr, MISSING) is value:  # not a new bound method (``rng.normal``) at each read
            self.reads.append((base, attr, value))
        return value

    def _layers(self, name: str) -> List[Tuple[Any, Any, Any]]:
        """The reads that find a name: (where, key, value) for each place looked in, up to the one binding it."""
        if name in self.closure:
            cell = self.closure[name]
            try:
                return [(cell, None, cell.cell_contents)]
            except ValueError:  # an empty cell: the variable is not bound yet
                return [(cell, None, MISSING)]
        value = self.globals.get(name, MISSING)
        if value is not MISSING:
            return [(self.globals, name, value)]
        return [(self.globals, name, MISSING), (vars(builtins), name, vars(builtins).get(name, MISSING))]

    def built(self, call: gast.Call, resolve_part: Callable[[gast.AST], Any]) -> Any:
        """``s2sgrad.grad(h, wrt=1)``: what a builder marked BUILT_AT_COMPILE_TIME returns, or MISSING.

        Such a call is pure (it makes a function, reading only its arguments), so
        when they are free names and constants it is made here, once per
        compilation, and the call it is part of is differentiated like any other.
        """
        builder = resolve_part(call.func)
        if not getattr(builder, BUILT_AT_COMPILE_TIME, False):
            return MISSING
        key = gast.dump(call)
        if key not in self._built:
            args = [_static(a, resolve_part) for a in call.args]
            keywords = {k.arg: _static(k.value, resolve_part) for k in call.keywords}
            plain = None not in keywords and all(a is not MISSING for a in (*args, *keywords.values()))
            self._built[key] = builder(*args, **keywords) if plain else MISSING
        return self._built[key]

    def name_of(self, obj: Any, preferred: str, taken: "set[str]") -> Optional[str]:
        """A free name (not in ``taken``) that already refers to ``obj``, if any (the read is recorded)."""
        if preferred not in taken and self._layers(preferred)[-1][2] is obj:
            self.lookup(preferred)
            return preferred
        for name in sorted(self.globals):
            if name not in taken and self.globals[name] is obj:
                self.lookup(name)
                return name
        return None


class Deferred:
    """Stands for a generated function still being compiled when a recursive call needed it."""

    def resolved(self) -> Any:
        """The function, compiled by now (generated code that calls it is read only after)."""
        raise NotImplementedError


def resolve(node: gast.AST, namespace: Namespace, local_names: "set[str]") -> Any:
    """The object a Name/Attribute chain on free names denotes, or MISSING.

    ``np.linalg.norm`` resolves to ``numpy.linalg.norm``; anything rooted at a
    local variable (``x.sum``) or not a plain chain resolves to MISSING.
    """
    if isinstance(node, gast.Name):
        value = MISSING if node.id in local_names else namespace.lookup(node.id)
        return value.resolved() if isinstance(value, Deferred) else value
    if isinstance(node, gast.Attribute):
        base = resolve(node.value, namespace, local_names)
        return MISSING if base is MISSING else namespace.attribute(base, node.attr)
    return MISSING
