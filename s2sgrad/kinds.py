"""Argument kinds: what the compiler specializes generated code on.

A kind says whether a value is a Python/NumPy scalar, an integer (never
differentiated), an ndarray of some number of dimensions, or something else.
Kinds are derived from the arguments of the first call (or from annotations),
never from values or sizes, so one generated function serves every call with
arguments of the same kinds.
"""

import inspect
import numbers
import types
from typing import Any, Dict, NamedTuple, Optional

import numpy


def is_protocol_array(x: Any) -> bool:
    """An array of another library that NumPy's functions dispatch to (a Dask array): its type implements both
    of NumPy's protocols, ``__array_function__`` and ``__array_ufunc__``. An ndarray (or a subclass) is not one."""
    cls = type(x)
    protocols = _IMPLEMENTS_PROTOCOLS.get(cls)
    if protocols is None:  # once per type: a missing attribute costs more than this lookup on every call
        protocols = _IMPLEMENTS_PROTOCOLS[cls] = (
            hasattr(cls, "__array_function__")
            and hasattr(cls, "__array_ufunc__")
            and not issubclass(cls, numpy.ndarray)
        )
    return protocols and hasattr(x, "dtype") and hasattr(x, "ndim")


_IMPLEMENTS_PROTOCOLS: Dict[type, bool] = {}


class Kind(NamedTuple):
    tag: str  # "scalar", "integer", "array", "sequence" (list, tuple), "dict", "function", "other", "unknown"
    ndim: Optional[int] = None  # for "integer" and "array"; None when not known
    function: Any = None  # for "function": the function itself (code is specialized on which one); for an
    # AttributeView ("dict"), the object's class
    # For "sequence" and "dict" made in the function: the kind of every element (of every value of a
    # dict), NOTHING for an empty one; None when not known (a parameter's elements are never looked at).
    element: Any = None
    # What a ``*args`` parameter gathers: ``((0, kind), (1, kind), ...)``, the kind of each element; what a
    # ``**kwargs`` one gathers: ``((key, kind), ...)``. Known from the call, so ``f(*args)`` and
    # ``f(**kwargs)`` pass them one by one (normalize.starred), and ``args[1]`` has its own kind (an integer
    # among arrays is not differentiated). None for every other value (a list's length may change; a plain
    # tuple's is not specialized on).
    items: Any = None

    def item_kind(self, key: Any) -> "Kind":
        """What ``value[key]`` gives for a constant ``key``: the element's own kind where known."""
        return next((k for i, k in self.items if i == key), self.element_kind) if self.items else self.element_kind

    @property
    def is_scalar(self) -> bool:
        """True for values that never broadcast another operand to a larger shape."""
        return self.tag == "scalar" or (self.tag in ("integer", "array") and self.ndim == 0)

    @property
    def is_float(self) -> bool:
        return self.tag in ("scalar", "array", "unknown")

    @property
    def is_container(self) -> bool:
        """A list, tuple or dict: differentiated element by element, its gradient of its structure."""
        return self.tag in ("sequence", "dict")

    @property
    def is_integer(self) -> bool:
        return self.tag == "integer"

    def __str__(self) -> str:
        return f"array{self.ndim}" if self.tag == "array" and self.ndim is not None else self.tag

    @property
    def element_kind(self) -> "Kind":
        """What indexing a list, tuple or dict of this kind gives."""
        return self.element if self.element not in (None, NOTHING) else UNKNOWN


class AttributeView(dict):
    """An object as differentiated code sees it: the attributes the function reads, by name (``self.w`` is
    ``self["w"]``), so its attributes are values like any other and its gradient is a dict of theirs.
    ``of`` is the object's class (its methods are called with the view)."""

    def __init__(self, items: Any, of: type) -> None:
        super().__init__(items)
        self.of = of


SCALAR = Kind("scalar")
INTEGER = Kind("integer", 0)  # a Python or NumPy integer or bool
OTHER = Kind("other")
SEQUENCE = Kind("sequence")  # a list or tuple
DICT = Kind("dict")
SHAPE = Kind("shape")  # a tuple of integers: its elements are integers
UNKNOWN = Kind("unknown")
NOTHING = Kind("nothing")  # the element kind of an empty list: joins to whatever is appended


def container(tag: str, elements: "list[Kind]") -> Kind:
    """A list or tuple ("sequence"), or dict, holding elements of these kinds.

    Element kinds go one level deep: a list of lists knows it holds lists, not what
    those hold (so kinds stay finite when a loop nests a list in itself).
    """
    element = NOTHING
    for kind in elements:
        element = _join_element(element, kind._replace(element=None) if kind.is_container else kind)
    return Kind(tag, element=element)


def _join_element(a: Kind, b: Kind) -> Kind:
    if a == NOTHING:
        return b
    if b == NOTHING:
        return a
    return join(a, b)


def object_class(kind: Kind) -> Optional[type]:
    """The class of the object an AttributeView of this kind holds the attributes of; None for other kinds."""
    return kind.function if kind.tag == "dict" else None


def array(ndim: Optional[int] = None) -> Kind:
    return Kind("array", ndim)


# Callables passed as arguments, on which code is specialized (by identity): Python functions, and the
# functions of NumPy (a ufunc, numpy.sum's dispatcher) and of the builtins and math (math.sin, max)
FUNCTION_TYPES = frozenset({types.FunctionType, types.BuiltinFunctionType, numpy.ufunc, type(numpy.sum)})


def kind_of(value: Any) -> Kind:
    """The kind of a runtime value (called once per argument per call: keep it cheap)."""
    cls = type(value)
    if cls is float:
        return SCALAR
    if cls is numpy.ndarray:
        return _array_kind(value)
    if cls is int or cls is bool or isinstance(value, (numbers.Integral, numpy.bool_)):
        return INTEGER
    if isinstance(value, numbers.Real):
        return SCALAR
    if cls is list or cls is tuple:  # its elements' kinds, one level deep: a list of floats indexes floats
        return container("sequence", [kind_of(item) for item in value])
    if cls is dict:
        return container("dict", [kind_of(item) for item in value.values()])
    if cls is AttributeView:
        return Kind("dict", None, value.of)
    if cls in FUNCTION_TYPES:
        return Kind("function", None, value)
    if is_protocol_array(value):  # a Dask array: generated code runs on it lazily, as on an ndarray
        return _array_kind(value)
    return OTHER


def argument_kind(value: Any, parameter_kind: Any) -> Kind:
    """The kind of the value a parameter receives: what ``*args`` or ``**kwargs`` gathers knows each of its
    items' kinds (``parameter_kind`` is an ``inspect.Parameter`` kind)."""
    kind = kind_of(value)
    if parameter_kind == inspect.Parameter.VAR_POSITIONAL:
        return kind._replace(items=tuple((i, kind_of(v)) for i, v in enumerate(value)))
    if parameter_kind == inspect.Parameter.VAR_KEYWORD:
        return kind._replace(items=tuple((k, kind_of(v)) for k, v in value.items()))
    return kind


def _array_kind(value: Any) -> Kind:
    """An ndarray's kind, or a protocol array's: by its dtype, floats "array" and integers "integer"."""
    if value.dtype.kind in "fc":
        return array(value.ndim)
    return Kind("integer", value.ndim) if value.dtype.kind in "iub" else OTHER


def kind_of_annotation(annotation: Any) -> Kind:
    """The kind an annotation promises: ``float``, ``int``, ``np.ndarray`` or NDArray."""
    if annotation is float:
        return SCALAR
    if annotation in (int, bool):
        return INTEGER
    if annotation is numpy.ndarray or getattr(annotation, "__origin__", None) is numpy.ndarray:
        return array()
    if annotation in (list, tuple) or getattr(annotation, "__origin__", None) in (list, tuple):
        return SEQUENCE
    return UNKNOWN


def broadcast(kinds: "list[Kind]") -> Kind:
    """The kind of an elementwise operation's result on operands of these kinds."""
    arrays = [k for k in kinds if not k.is_scalar]
    if not arrays:
        return SCALAR
    if any(k.tag != "array" or k.ndim is None for k in arrays):
        return array() if all(k.tag == "array" for k in arrays) else UNKNOWN
    return array(max(k.ndim for k in arrays))


def join(a: Kind, b: Kind) -> Kind:
    """The kind of a name that holds a value of kind ``a`` on one path and ``b`` on another."""
    if a == b:
        return a
    if {a, b} == {SCALAR, INTEGER}:
        return SCALAR  # int and float mix as Python numbers do
    if a.tag == b.tag == "array":
        return array()
    if a.tag == b.tag and a.is_container:  # one is not None: a parameter's elements are unknown
        if a.element is None or b.element is None:
            return Kind(a.tag)
        return Kind(a.tag, element=_join_element(a.element, b.element))
    return UNKNOWN
