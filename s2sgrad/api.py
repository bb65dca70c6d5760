"""The public transforms. Each works as a call and as a decorator, with or without arguments.

A transformed function specializes on the kinds of its arguments at the first
call (Python scalar, integer, ndarray of some rank) and then costs one
dictionary lookup per call on top of the generated code.
"""

import functools
import inspect
from types import FunctionType
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy
from numpy import ndarray

from . import kinds as K
from .cache import CACHE
from .pipeline import STAGES, compile_reverse
from .rules import default_rules
from .transform.reverse import ReverseOptions

Wrt = Union[int, str, Sequence[Union[int, str]]]


def grad(func: Optional[Callable] = None, wrt: Wrt = 0, *, optimize: bool = True) -> Callable:
    """The gradient of a scalar-valued function with respect to ``wrt``.

    Args:
        func: the function; omit it to use ``grad`` as a decorator with arguments.
        wrt: an argument position or name, or a tuple of them (the gradient is then a tuple).
        optimize: run the optimizer on the generated code (``False`` shows the raw transform).

    Returns:
        A function with ``func``'s signature returning d func / d wrt, each
        gradient of its argument's type and shape.
    """
    if func is None:
        return lambda f: grad(f, wrt, optimize=optimize)
    return _differentiated(func, wrt, with_value=False, optimize=optimize)


def value_and_grad(func: Optional[Callable] = None, wrt: Wrt = 0, *, optimize: bool = True) -> Callable:
    """Like :func:`grad`, but the function returns ``(func(*args), gradient)``."""
    if func is None:
        return lambda f: value_and_grad(f, wrt, optimize=optimize)
    return _differentiated(func, wrt, with_value=True, optimize=optimize)


def vjp(func: Callable, *primals: Any) -> Tuple[Any, Callable]:
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` returns one adjoint per primal.

    Integer (and other non-float) primals are not differentiated; their entry is None.
    """
    params = _parameters(func)
    floats = tuple(p for p, a in zip(params, primals) if K.kind_of(a).is_float)
    if not floats:
        raise TypeError(f"vjp of {func.__name__!r}: no primal is a float or a float array")
    generated = _specialized(func, floats, primals, ReverseOptions(with_value=True, tuple_wrt=True), True)
    out = func(*primals)

    def vjp_fn(cotangent: Any) -> Tuple[Any, ...]:
        if numpy.shape(cotangent) != numpy.shape(out):
            raise ValueError(f"the cotangent has shape {numpy.shape(cotangent)}, the output {numpy.shape(out)}")
        adjoints = dict(zip(floats, generated(*primals, cotangent)[1]))
        return tuple(adjoints.get(p) for p in params)

    return out, vjp_fn


def jacobian(func: Optional[Callable] = None, wrt: Wrt = 0, mode: str = "reverse") -> Callable:
    """The Jacobian: ``J[i..., j...] = d out[i...] / d arg[j...]``, one reverse sweep per output."""
    if func is None:
        return lambda f: jacobian(f, wrt, mode)
    if mode != "reverse":
        raise NotImplementedError("forward mode is not implemented yet; use mode='reverse'")
    names, as_tuple = _wrt_names(func, wrt)
    options = ReverseOptions(with_value=True, tuple_wrt=True)

    @functools.wraps(func)
    def jacobian_fn(*args: Any, **kwargs: Any) -> Any:
        args = _bind(func, args, kwargs)
        generated = _specialized(func, names, args, options, True)
        out = func(*args)
        rows = []
        for i in range(numpy.size(out)):
            basis = numpy.zeros(numpy.shape(out))
            basis.flat[i] = 1.0
            rows.append(generated(*args, basis if numpy.ndim(out) else 1.0)[1])
        by_arg = []
        for j, name in enumerate(names):
            arg = args[_parameters(func).index(name)]
            stacked = numpy.array([numpy.asarray(r[j]) for r in rows]) if rows else numpy.zeros((0,))
            by_arg.append(stacked.reshape(numpy.shape(out) + numpy.shape(arg)))
        return tuple(by_arg) if as_tuple else by_arg[0]

    return jacobian_fn


def hessian(func: Optional[Callable] = None, wrt: Wrt = 0) -> Callable:
    """Not implemented yet: needs grad of generated code (higher order)."""
    raise NotImplementedError("hessian needs higher-order differentiation, which is not implemented yet")


def jvp(func: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, Any]:
    """Not implemented yet: forward mode comes with its own transform."""
    raise NotImplementedError("forward mode (jvp) is not implemented yet")


def source(
    func: Callable,
    wrt: Wrt = 0,
    mode: str = "reverse",
    *,
    args: Optional[Sequence[Any]] = None,
    optimize: bool = True,
    stage: str = "optimized",
    report: bool = False,
) -> str:
    """The generated source of ``grad(func, wrt)``.

    Args:
        args: example arguments to specialize on; without them, the parameters'
            annotations (``float``, ``int``, ``np.ndarray``) give their kinds.
        stage: ``"normalized"`` (the core-language form of ``func``), ``"raw"``
            (the transform before optimization) or ``"optimized"``.
        report: append comment lines listing, loop by loop, what the reverse
            sweep stores on stacks and why (``s2sgrad show --report``).
    """
    if mode != "reverse":
        raise NotImplementedError("forward mode is not implemented yet; use mode='reverse'")
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    names, as_tuple = _wrt_names(func, wrt)
    param_kinds = _kinds_from_args(func, args) if args is not None else _kinds_from_annotations(func)
    _check_wrt_kinds(func, names, param_kinds)
    options = ReverseOptions(tuple_wrt=as_tuple)
    generated = compile_reverse(func, names, param_kinds, options, do_optimize=optimize, stage=stage)
    text = generated.listing() if stage != "normalized" else generated.source
    if report and stage != "normalized":
        return f"{text}\n{generated.report}"
    return text


# ----- the transformed function -----


def _differentiated(func: Callable, wrt: Wrt, *, with_value: bool, optimize: bool) -> Callable:
    names, as_tuple = _wrt_names(func, wrt)
    options = ReverseOptions(with_value=with_value, tuple_wrt=as_tuple)
    signature = inspect.signature(func)
    arity = len(signature.parameters)
    # Keyed by each argument's type, or an ndarray's rank and dtype kind, or a function itself:
    # cheaper than kinds, and finer (float and numpy.float64 are one kind, two keys).
    specializations = {}

    @functools.wraps(func)
    def differentiated(*args: Any, **kwargs: Any) -> Any:
        if kwargs or len(args) != arity:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            args = tuple(bound.arguments.values())
        key = tuple(
            [(a.ndim, a.dtype.kind) if type(a) is ndarray else a if type(a) is FunctionType else type(a) for a in args]
        )
        generated = specializations.get(key)
        if generated is None:
            generated = specializations[key] = _specialized(func, names, args, options, optimize, check_scalar=True)
        return generated(*args)

    return differentiated


def _specialized(
    func: Callable,
    names: Tuple[str, ...],
    args: Sequence[Any],
    options: ReverseOptions,
    optimize: bool,
    check_scalar: bool = False,
) -> Callable:
    param_kinds = _kinds_from_args(func, args)
    _check_wrt_kinds(func, names, param_kinds)
    key = (names, options, optimize, default_rules().version, tuple(param_kinds.values()))
    generated = CACHE.get_or_build(
        func, key, lambda: compile_reverse(func, names, param_kinds, options, do_optimize=optimize)
    )
    if check_scalar and generated.result_kind != K.SCALAR:
        out = func(*args)
        if numpy.ndim(out) != 0 or numpy.iscomplexobj(out):
            raise ValueError(
                f"grad of {func.__name__!r} needs a real scalar output, but it returned shape {numpy.shape(out)}; "
                "use s2sgrad.vjp or s2sgrad.jacobian for other outputs"
            )
    return generated.function


# ----- arguments -----


def _parameters(func: Callable) -> list:
    return list(inspect.signature(func).parameters)


def _bind(func: Callable, args: Sequence[Any], kwargs: dict) -> tuple:
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _wrt_names(func: Callable, wrt: Wrt) -> Tuple[Tuple[str, ...], bool]:
    params = _parameters(func)
    as_tuple = isinstance(wrt, (tuple, list))
    names = []
    for item in wrt if as_tuple else [wrt]:
        if isinstance(item, int) and not isinstance(item, bool) and -len(params) <= item < len(params):
            names.append(params[item])
        elif isinstance(item, str) and item in params:
            names.append(item)
        else:
            raise ValueError(f"wrt={item!r} names no argument of {func.__name__}({', '.join(params)})")
    if len(set(names)) != len(names):
        raise ValueError(f"wrt={wrt!r} names an argument twice")
    return tuple(names), as_tuple


def _kinds_from_args(func: Callable, args: Sequence[Any]) -> dict:
    params = _parameters(func)
    if len(args) != len(params):
        args = _bind(func, args, {})
    return {p: K.kind_of(a) for p, a in zip(params, args)}


def _kinds_from_annotations(func: Callable) -> dict:
    try:
        hints = (
            inspect.get_annotations(func, eval_str=True)
            if hasattr(inspect, "get_annotations")
            else func.__annotations__
        )
    except Exception:  # an annotation that does not evaluate says nothing about kinds
        hints = {}
    return {p: K.kind_of_annotation(hints.get(p)) for p in _parameters(func)}


def _check_wrt_kinds(func: Callable, names: Tuple[str, ...], param_kinds: dict) -> None:
    for name in names:
        kind = param_kinds[name]
        if not (kind.is_float or kind.is_container):
            what = "an integer" if kind.is_integer else "not a float, a float array, or a list, tuple or dict of those"
            raise TypeError(
                f"cannot differentiate {func.__name__} with respect to {name!r}: it is {what}; "
                "pass a float (2.0, not 2) or a float array"
            )
