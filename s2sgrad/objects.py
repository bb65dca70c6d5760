"""Objects differentiated by their attributes: ``grad(Model.loss, wrt="self")(m, x)``.

An object the gradient is taken with respect to reaches the generated code as a
:class:`kinds.AttributeView`: the dict of the attributes the function reads,
``self.w`` there being ``self["w"]`` (normalize.anf), so its gradient is a dict
of theirs. The attributes are found in the source, of the function and of the
functions it passes the object on to (each reads its own through the same
view). Any other use of the object, and a property among its attributes (its
value computed from others, which the gradient would not follow), is an error.
An object not differentiated is a constant: the generated code reads its
attributes with ``getattr`` as it runs (unless the function calls its methods:
they are found by its class, so it is passed as a view too).
"""

import collections
import inspect
from types import FunctionType, MemberDescriptorType
from typing import Any, Callable, Dict, Optional, Sequence, Set, Tuple

import gast

from . import kinds as K
from .errors import TransformError
from .nodes import names_stored
from .parse import FunctionSource, parse_function
from .parse.resolve import resolve
from .rules import default_rules

# What reading an attribute may find on the class and still be the value stored: a __slots__ member,
# a namedtuple field (methods are not read as values at all).
_STORED = (MemberDescriptorType, type(collections.namedtuple("_Field", "x").x), FunctionType, staticmethod, classmethod)


def attributes_read(func: FunctionType, args: Sequence[Any], names: Tuple[str, ...]) -> Dict[int, Tuple[str, ...]]:
    """For each object among the arguments that is differentiated (in ``names``) or whose methods the
    function calls (they are found by its class): the attributes read of it."""
    parameters = list(inspect.signature(func).parameters)
    objects = [i for i, a in enumerate(args) if K.kind_of(a) == K.OTHER]
    if not objects:
        return {}
    methods_called = _methods_called(parse_function(func).tree)
    objects = [i for i in objects if parameters[i] in names or parameters[i] in methods_called]
    read: Dict[int, Tuple[str, ...]] = {}
    for i in objects:
        attributes: Set[str] = set()
        _collect(func, parameters[i], type(args[i]), attributes, set())
        for attribute in sorted(attributes):
            _check_stored(args[i], attribute, func)
        read[i] = tuple(sorted(attributes))
    return read


def viewed(args: Sequence[Any], read: Dict[int, Tuple[str, ...]]) -> tuple:
    """The arguments, each object among them as the AttributeView of the attributes read."""
    if not read:
        return tuple(args)
    return tuple(
        K.AttributeView(((n, getattr(a, n)) for n in read[i]), type(a)) if i in read else a for i, a in enumerate(args)
    )


def viewing(function: Callable, read: Dict[int, Tuple[str, ...]]) -> Callable:
    """``function`` called with the objects among its arguments viewed."""
    if not read:
        return function

    def on_views(*args: Any) -> Any:
        return function(*viewed(args, read))

    return on_views


def _collect(func: FunctionType, param: str, cls: type, attributes: Set[str], seen: Set[Tuple[int, str]]) -> None:
    """Add the attributes of ``param`` (an instance of ``cls``) that ``func`` reads, and those read by
    the functions it passes it to and by the methods it calls on it."""
    if (id(func), param) in seen:  # recursion: its attributes are being collected already
        return
    seen.add((id(func), param))
    source = parse_function(func)
    inside = {id(n.value) for n in gast.walk(source.tree) if isinstance(n, gast.Attribute)}
    passed = {id(a): n for n in gast.walk(source.tree) if isinstance(n, gast.Call) for a in _arguments(n)}
    called = {id(n.func) for n in gast.walk(source.tree) if isinstance(n, gast.Call)}
    for node in gast.walk(source.tree):
        if isinstance(node, gast.Attribute) and getattr(node.value, "id", None) == param:
            method = method_of(cls, node.attr) if id(node) in called else None
            if method is not None:
                _collect(method, next(iter(inspect.signature(method).parameters)), cls, attributes, seen)
            else:
                attributes.add(node.attr)
        elif isinstance(node, gast.Name) and node.id == param and id(node) not in inside:
            if isinstance(node.ctx, gast.Param):
                continue
            callee, receiving = _receiver(passed.get(id(node)), node, source)
            if callee is None:
                raise source.error(
                    node,
                    f"differentiating with respect to the object {param!r}, the function may only read its "
                    "attributes, call its methods or pass it to a function of its own",
                    f"read the attributes ({param}.name) here, and use {param} itself in a function that is not "
                    "differentiated with respect to it.",
                )
            _collect(callee, receiving, cls, attributes, seen)


def method_of(cls: type, name: str) -> Optional[FunctionType]:
    """The function behind ``obj.name(...)`` for an instance of ``cls`` (a plain method), or None."""
    method = inspect.getattr_static(cls, name, None)
    return method if isinstance(method, FunctionType) else None


def _methods_called(tree: gast.FunctionDef) -> Set[str]:
    """The names whose methods the function calls: ``self`` for ``self.predict(x)``."""
    calls = [n.func for n in gast.walk(tree) if isinstance(n, gast.Call)]
    return {f.value.id for f in calls if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name)}


def _arguments(call: gast.Call) -> list:
    return [*call.args, *(k.value for k in call.keywords)]


def _receiver(call: Optional[gast.Call], node: gast.Name, source: FunctionSource) -> Tuple[Any, str]:
    """The user function a call passes ``node`` to, and the parameter receiving it; (None, "") otherwise."""
    if call is None or any(isinstance(a, gast.Starred) for a in call.args):
        return None, ""
    callee = resolve(call.func, source.namespace, names_stored(source.tree) | {a.id for a in source.tree.args.args})
    if not isinstance(callee, FunctionType) or default_rules().lookup(callee) is not None:
        return None, ""
    if (getattr(callee, "__module__", None) or "").split(".")[0] in ("numpy", "s2sgrad"):
        return None, ""
    parameters = inspect.signature(callee).parameters
    plain = [p for p in parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if node in call.args:
        position = call.args.index(node)
        return (callee, plain[position].name) if position < len(plain) else (None, "")
    keyword = next(k.arg for k in call.keywords if k.value is node)
    return (callee, keyword) if keyword in parameters else (None, "")


def _check_stored(obj: Any, attribute: str, func: FunctionType) -> None:
    """An attribute the object stores: a property computes its value from others, which the gradient would miss."""
    static = inspect.getattr_static(obj, attribute, None)
    if hasattr(type(static), "__get__") and not isinstance(static, _STORED):
        raise TransformError(
            f"{func.__name__} reads {type(obj).__name__}.{attribute}, a property: its value is computed from "
            "other attributes, and the gradient would not follow that computation",
            filename=func.__code__.co_filename,
            line=func.__code__.co_firstlineno,
            hint=f"compute it in {func.__name__} from the attributes it reads, or pass it as an argument.",
        )
