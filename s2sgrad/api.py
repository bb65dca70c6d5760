"""The public transforms. Each works as a call and as a decorator, with or without arguments.

A transformed function specializes on the kinds of its arguments at the first
call (Python scalar, integer, ndarray of some rank) and then costs, per call on
top of the generated code, one dictionary lookup and the guards' identity checks
(s2sgrad.cache), which recompile it when ``func``, its defaults or anything it
resolved has changed. A positional call with the last call's key tests the
argument types and the guards in one compiled expression instead (about half a
microsecond: see _FastPath).
"""

import contextlib
import copy
import dataclasses
import functools
import inspect
import weakref
from types import FunctionType, MethodType
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy
from numpy import ndarray

from . import kinds as K
from . import runtime
from .analyze.calls import DERIVATIVE_OF_GRADIENT, MADE_BY
from .cache import CACHE, Guards
from .emit import numba_backend
from .errors import TransformError
from .objects import attributes_read, viewed, viewing
from .parse.resolve import BUILT_AT_COMPILE_TIME
from .parse.source import has_extra_parameters
from .pipeline import STAGES, Generated, compile_forward, compile_reverse
from .rules import default_rules
from .rules.notation import DERIVED_RULE, DerivedRule
from .tools.nans import run_checked
from .tools.tracebacks import add_source_notes, with_source_notes
from .transform.reverse import ReverseOptions

Wrt = Union[int, str, Sequence[Union[int, str]]]
_GRADIENT = "__s2sgrad_gradient__"  # on a grad function: what it differentiates, for jvp(grad(f)) and grad(grad(f))


def grad(
    func: Optional[Callable] = None,
    wrt: Wrt = 0,
    *,
    optimize: bool = True,
    debug_nans: bool = False,
    backend: str = "python",
) -> Callable:
    """The gradient of a scalar-valued function with respect to ``wrt``.

    An output that is an array of one element (shape ``(1,)``, ``(1, 1)``, ...) counts as
    the number it holds; other outputs are a ``ValueError`` (use :func:`vjp` or :func:`jacobian`).

    Args:
        func: the function; omit it to use ``grad`` as a decorator with arguments.
        wrt: an argument position or name, or a tuple of them (the gradient is then a tuple).
        optimize: run the optimizer on the generated code (``False`` shows the raw transform).
        debug_nans: run the generated code statement by statement and raise
            ``s2sgrad.NonFiniteError`` at the first NaN or infinity, naming its line (slow).
        backend: ``"python"``, or ``"numba"``: the generated code compiled with ``numba.njit``
            (it runs as Python, with a warning, where numba cannot compile it; and with ``debug_nans``).

    Returns:
        A function with ``func``'s signature returning d func / d wrt, each
        gradient of its argument's type and shape.
    """
    if func is None:
        return lambda f: grad(f, wrt, optimize=optimize, debug_nans=debug_nans, backend=backend)
    return _differentiated(func, wrt, with_value=False, optimize=optimize, debug_nans=debug_nans, backend=backend)


def value_and_grad(
    func: Optional[Callable] = None,
    wrt: Wrt = 0,
    *,
    optimize: bool = True,
    debug_nans: bool = False,
    backend: str = "python",
) -> Callable:
    """Like :func:`grad`, but the function returns ``(func(*args), gradient)``."""
    if func is None:
        return lambda f: value_and_grad(f, wrt, optimize=optimize, debug_nans=debug_nans, backend=backend)
    return _differentiated(func, wrt, with_value=True, optimize=optimize, debug_nans=debug_nans, backend=backend)


def vjp(func: Callable, *primals: Any) -> Tuple[Any, Callable]:
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` returns one adjoint per primal.

    ``func`` runs once, here: its generated forward function returns the value
    and the record of what the reverse sweep reads, and each ``vjp_fn`` call runs
    the generated backward function on a copy of that record.
    A list, tuple or dict primal gets an adjoint of its structure; integer (and other
    non-float) primals are not differentiated: their entry is None.
    """
    target = _target(func)
    floats = tuple(p for p, a in zip(target.visible, primals) if _differentiable(a))
    if not floats:
        raise TypeError(f"vjp of {func.__name__!r}: no primal is a float or a float array")
    full = target.bind(primals, {})
    out, pullback = _pullback(target.function, floats, full)

    @with_source_notes
    def vjp_fn(cotangent: Any) -> Tuple[Any, ...]:
        _check_cotangent(cotangent, out)
        adjoints = dict(zip(floats, pullback(cotangent)))
        return tuple(adjoints.get(p) for p in target.visible)

    return out, vjp_fn


def _check_cotangent(cotangent: Any, out: Any, where: str = "the output") -> None:
    """A cotangent has the output's structure: a tuple of as many, each of its value's shape."""
    if isinstance(out, (tuple, list)):
        if not isinstance(cotangent, (tuple, list)) or len(cotangent) != len(out):
            raise ValueError(f"the cotangent of {where} must be a tuple of {len(out)} values, one per output")
        for i, (c, o) in enumerate(zip(cotangent, out)):
            _check_cotangent(c, o, f"{where}[{i}]")
    elif numpy.shape(cotangent) != numpy.shape(out):
        raise ValueError(f"the cotangent of {where} has shape {numpy.shape(cotangent)}, the value {numpy.shape(out)}")


def _pullback(function: FunctionType, names: Tuple[str, ...], full: tuple) -> Tuple[Any, Callable]:
    """Run ``function``'s generated forward function once: its value, and cotangent -> adjoints of ``names``."""
    param_kinds = _kinds_from_args(function, full)
    _check_real(function, param_kinds, full)
    _check_wrt_kinds(function, names, param_kinds)
    options = ReverseOptions(with_value=True, tuple_wrt=True, split=True)
    generated = _cached(function, names, param_kinds, options, True)
    out, record = generated.forward_function(*full)

    def pullback(cotangent: Any) -> Tuple[Any, ...]:
        return generated.function(copy.deepcopy(record), *full, cotangent)  # the reverse sweep pops the record

    return out, pullback


def jacobian(func: Optional[Callable] = None, wrt: Wrt = 0, mode: str = "reverse") -> Callable:
    """The Jacobian: ``J[i..., j...] = d out[i...] / d arg[j...]``.

    ``mode="reverse"`` runs one reverse sweep per output element; ``mode="forward"``
    one forward pass per input element (cheaper when the inputs are fewer).
    """
    if func is None:
        return lambda f: jacobian(f, wrt, mode)
    if mode not in ("reverse", "forward"):
        raise ValueError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    target = _target(func)
    names, as_tuple = _wrt_names(func, wrt)

    @functools.wraps(func)
    @with_source_notes
    def jacobian_fn(*args: Any, **kwargs: Any) -> Any:
        args = target.bind(args, kwargs)
        if mode == "forward":
            _, by_arg = _forward_jacobian(target.function, names, args)  # one output: one block per argument
            return tuple(by_arg) if as_tuple else by_arg[0]
        out, pullback = _pullback(target.function, names, args)
        rows = []
        for i in range(numpy.size(out)):
            basis = numpy.zeros(numpy.shape(out))
            basis.flat[i] = 1.0
            rows.append(pullback(basis if numpy.ndim(out) else 1.0))
        by_arg = []
        for j, name in enumerate(names):
            arg = args[_parameters(target.function).index(name)]
            stacked = numpy.array([numpy.asarray(r[j]) for r in rows]) if rows else numpy.zeros((0,))
            by_arg.append(stacked.reshape(numpy.shape(out) + numpy.shape(arg)))
        return tuple(by_arg) if as_tuple else by_arg[0]

    return _marked(jacobian_fn, "jacobian")


def _forward_jacobian(
    func: FunctionType, names: Tuple[str, ...], args: tuple, param_kinds: Optional[dict] = None
) -> Tuple[Any, List[Any]]:
    """The value, and one Jacobian per ``wrt`` argument, a column (one forward pass) per element of the argument.

    For a function returning a tuple (a gradient of several arguments), each
    Jacobian is a tuple: one block per returned value.
    """
    param_kinds = param_kinds or _kinds_from_args(func, args)
    _check_real(func, param_kinds, args)
    _check_wrt_kinds(func, names, param_kinds)
    generated = _forward_of(func, names, param_kinds).function
    wrt_args = [args[list(param_kinds).index(name)] for name in names]
    zeros = [runtime.zero_tangent(a) for a in wrt_args]
    out = generated(*args, *zeros)[0]
    outs = out if isinstance(out, tuple) else (out,)
    by_arg = []
    for j, arg in enumerate(wrt_args):
        columns = []
        for k in range(numpy.size(arg)):
            direction = numpy.zeros(numpy.shape(arg))
            direction.flat[k] = 1.0
            tangents = [*zeros[:j], direction if numpy.ndim(arg) else 1.0, *zeros[j + 1 :]]
            column = generated(*args, *tangents)[1]
            columns.append(column if isinstance(out, tuple) else (column,))
        blocks = tuple(
            _stacked([numpy.asarray(c[i], dtype=float) for c in columns], numpy.shape(o), numpy.shape(arg))
            for i, o in enumerate(outs)
        )
        by_arg.append(blocks if isinstance(out, tuple) else blocks[0])
    return out, by_arg


def _stacked(columns: List[Any], out_shape: tuple, arg_shape: tuple) -> Any:
    """Columns ``d out / d arg.flat[k]`` as one array of shape ``out_shape + arg_shape``."""
    stacked = numpy.stack(columns, axis=-1) if columns else numpy.zeros((*out_shape, 0))
    return stacked.reshape(out_shape + arg_shape)[()]  # a float for a float argument and output


def hessian(func: Optional[Callable] = None, wrt: Wrt = 0) -> Callable:
    """The Hessian of a real scalar function (or one returning an array of one element), forward-over-reverse.

    The gradient ``grad_f`` is generated code; forward mode differentiates it in
    turn (``jvp`` of ``grad_f``), one pass per element of the ``wrt`` arguments.
    ``H[i..., j...] = d² f / d arg[i...] d arg[j...]``: shape ``(n, n)`` for a vector
    argument; for several ``wrt``, a tuple of tuples of blocks ``H[a][b]``.
    """
    if func is None:
        return lambda f: hessian(f, wrt)
    target = _target(func)
    names, as_tuple = _wrt_names(func, wrt)
    options = ReverseOptions(tuple_wrt=True)

    @functools.wraps(func)
    @with_source_notes
    def hessian_fn(*args: Any, **kwargs: Any) -> Any:
        args = target.bind(args, kwargs)
        param_kinds = _kinds_from_args(target.function, args)
        _check_real(target.function, param_kinds, args)
        _check_wrt_kinds(target.function, names, param_kinds)
        gradient = _cached(target.function, names, param_kinds, options, True)
        seed, seeded = _seeded(gradient, target.function, args, param_kinds, "hessian")
        _, by_arg = _forward_jacobian(gradient.function, names, (*args, seed), seeded)
        blocks = tuple(tuple(by_arg[b][a] for b in range(len(names))) for a in range(len(names)))
        return blocks if as_tuple else blocks[0][0]

    return _marked(hessian_fn, "hessian")


for _builder in (grad, value_and_grad, jacobian, hessian):  # pure: made once when a differentiated call needs them
    setattr(_builder, BUILT_AT_COMPILE_TIME, True)


@with_source_notes
def jvp(func: Callable, primals: Sequence[Any], tangents: Sequence[Any], *, backend: str = "python") -> Tuple[Any, Any]:
    """``(func(*primals), tangent_out)``: the derivative of ``func`` at ``primals`` along ``tangents``.

    One forward pass of generated code (``source(func, mode="forward")`` shows it)
    computes the value and its tangent together. ``tangents`` has one entry per
    primal, of its shape; ``None`` leaves a primal constant (not differentiated),
    and entries for integer (and other non-float) primals are ignored. The output
    may be a scalar, an array or a tuple of them. ``backend="numba"``: as for :func:`grad`.
    """
    primals, tangents = tuple(primals), tuple(tangents)
    key = (_key(primals), tuple(t is None for t in tangents), backend)
    plan = _jvp_plan(func, key)
    if plan is not None:
        for i in plan.moved:
            if getattr(tangents[i], "shape", ()) != getattr(primals[i], "shape", ()):
                break  # the slow path says which
        else:
            return plan.generated(*primals, *plan.seed, *(tangents[i] for i in plan.moved))
    _check_backend(backend)
    call = _jvp_call(func, primals, tangents, backend)
    # A plan is for calls without defaults; it replays its seed, so not the seed of a one-element array output
    # (see _seed_like), whose dtype the key does not tell.
    replayable = not any(map(numpy.ndim, call.seed))
    if replayable and not call.prefix and len(call.args) == len(primals) and all(map(_plain_number, primals)):
        _remember_jvp_plan(func, key, call)
    return call.generated.function(*call.args, *call.seed, *call.tangents)


class _JvpCall(NamedTuple):
    """What ``jvp(func, primals, tangents)`` runs: generated.function(*args, *seed, *tangents)."""

    generated: Generated
    args: tuple  # the function's arguments, all of them (a method's instance, defaults)
    seed: tuple  # (1.0,) for jvp(grad(f)): the gradient's seed
    tangents: tuple  # the tangents of the ``moved`` parameters, in order
    moved: Tuple[str, ...]
    visible: List[str]  # the parameters ``primals`` gives, in order
    prefix: int  # how many arguments come before them: a method's instance, a partial's arguments
    guards: Tuple[Guards, ...]  # while they hold, ``generated`` is right for the function as it is
    gathers: bool  # the function has *args, **kwargs or keyword-only parameters


class _JvpPlan(NamedTuple):
    """A jvp of one function on arguments of one key, checked once: replayed while its guards hold."""

    generated: Callable
    seed: tuple
    moved: Tuple[int, ...]  # the positions of the primals whose tangents are passed
    guards: Tuple[Guards, ...]
    version: int  # of the rule table


_JVP_PLANS: "weakref.WeakKeyDictionary[Any, Dict[tuple, _JvpPlan]]" = weakref.WeakKeyDictionary()


def _plain_number(value: Any) -> bool:
    """A value whose ``_key`` fixes its kind: not a container, whose elements the key does not see."""
    return type(value) in (float, int, bool, ndarray) or isinstance(value, numpy.generic)


def _jvp_plan(func: Callable, key: tuple) -> Optional[_JvpPlan]:
    try:
        plan = _JVP_PLANS.get(func, {}).get(key)
    except TypeError:  # not weakly referenceable
        return None
    if plan is None or plan.version != default_rules().version or not all(g.hold() for g in plan.guards):
        return None
    return plan


def _remember_jvp_plan(func: Callable, key: tuple, call: _JvpCall) -> None:
    positions = {p: i for i, p in enumerate(call.visible)}
    moved = tuple(positions[p] for p in call.moved)
    plan = _JvpPlan(call.generated.function, call.seed, moved, call.guards, default_rules().version)
    with contextlib.suppress(TypeError):  # not weakly referenceable: no plan
        _JVP_PLANS.setdefault(func, {})[key] = plan


def _jvp_call(func: Callable, primals: tuple, tangents: tuple, backend: str = "python") -> _JvpCall:
    of_gradient = getattr(func, _GRADIENT, None)  # jvp(grad(f)): forward mode over the generated gradient
    target = of_gradient[0] if of_gradient else _target(func)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp of {func.__name__!r}: {len(primals)} primals but {len(tangents)} tangents")
    visible, values = target.visible, primals
    if has_extra_parameters(target.function):  # *args gathers primals (and their tangents) into one tuple
        visible, tangents = _gathered_tangents(target, primals, tangents)
        values = target.bind(primals, {})[len(target.prefix) :]
    moved = [(p, a, t) for p, a, t in zip(visible, values, tangents) if _differentiable(a) and t is not None]
    for param, primal, tangent in moved:
        if not K.kind_of(primal).is_container and numpy.shape(tangent) != numpy.shape(primal):
            raise ValueError(
                f"the tangent of {param!r} has shape {numpy.shape(tangent)}, the primal {numpy.shape(primal)}"
            )
    signature = _signature(target.function)  # read once: most of a call's cost on top of the generated code
    full = target.bind(primals, {}, signature)
    names = tuple(p for p, _, _ in moved)
    if not names:
        raise TypeError(f"jvp of {func.__name__!r}: no primal is a float or a float array with a tangent")
    function, param_kinds = target.function, _kinds_from_args(target.function, full, signature)
    _check_real(function, param_kinds, full)
    _check_wrt_kinds(function, names, param_kinds)
    seed, guards = (), ()
    if of_gradient:
        _, wrt, options, optimize = of_gradient
        gradient = _cached(function, wrt, param_kinds, options, optimize)
        one, param_kinds = _seeded(gradient, function, full, param_kinds, "grad")
        function, seed, guards = gradient.function, (one,), (gradient.guards,)
    generated = _forward_of(function, names, param_kinds)
    if backend != "python":
        key = ("forward", names, default_rules().version, tuple(param_kinds.values()))
        generated = _on_backend(function, key, generated, backend)
    tangents = tuple(t for _, _, t in moved)
    guards = (*guards, generated.guards)
    extra = has_extra_parameters(target.function)
    return _JvpCall(generated, full, seed, tangents, names, target.visible, len(target.prefix), guards, extra)


# ----- s2sgrad.jvp called in differentiated code: its rule's plain VJP and JVP functions -----


def jvp_pullback(d_out: Any, func: Callable, primals: tuple, tangents: tuple) -> Tuple[tuple, tuple]:
    """The adjoints of ``jvp(func, primals, tangents)``'s primals and tangents, given its output's.

    Reverse mode over the generated forward function (reverse over forward): its
    value and tangent are functions of the arguments and of the tangents alike.
    """
    call = _jvp_call(func, primals, tangents)
    _check_positional(call, func)
    generated = call.generated.function
    parameters = _parameters(generated)
    every = (*call.args, *call.seed, *call.tangents)
    floats = tuple(p for p, a in zip(parameters, every) if _differentiable(a))
    _, pullback = _pullback(generated, floats, every)
    by_name = dict(zip(floats, pullback(d_out)))
    tangent_names = dict(zip(call.moved, parameters[len(call.args) + len(call.seed) :]))
    return (
        tuple(by_name.get(parameters[call.prefix + i]) for i in range(len(primals))),
        tuple(by_name.get(tangent_names.get(p, "")) for p in call.visible),
    )


def jvp_tangent(func: Callable, primals: tuple, tangents: tuple, t_primals: tuple, t_tangents: tuple) -> Any:
    """The tangent of ``jvp(func, primals, tangents)``: forward mode over its generated forward function."""
    call = _jvp_call(func, primals, tangents)
    _check_positional(call, func)
    directions = [None] * (len(call.args) + len(call.seed))  # the defaults, the seed of jvp(grad(h)): constants
    directions[call.prefix : call.prefix + len(primals)] = t_primals
    along = dict(zip(call.visible, t_tangents))
    every = (*call.args, *call.seed, *call.tangents)
    return jvp(call.generated.function, every, (*directions, *(along[p] for p in call.moved)))[1]


def _check_positional(call: _JvpCall, func: Callable) -> None:
    """The rule of s2sgrad.jvp maps primals to parameters by position."""
    if call.gathers:
        raise TypeError(
            f"differentiating s2sgrad.jvp of {func.__name__!r}, which has *args, **kwargs or keyword-only "
            "parameters, is not supported: wrap it in a function of positional parameters"
        )


def _gathered_tangents(target: "_Target", primals: tuple, tangents: tuple) -> Tuple[List[str], tuple]:
    """The parameters, and one tangent each, of a function with ``*args``, ``**kwargs`` or keyword-only
    parameters: the tangents bound as the primals are (a tuple for ``*args``, zeros where one is None)."""
    signature = _signature(target.function)
    bound = signature.bind(*target.prefix, *primals).arguments
    moved = signature.bind(*target.prefix, *tangents).arguments
    names = list(signature.parameters)[len(target.prefix) :]
    out = []
    for name in names:
        tangent = moved.get(name)
        if signature.parameters[name].kind == inspect.Parameter.VAR_POSITIONAL and tangent is not None:
            given = [t for t in tangent if t is not None]
            tangent = tuple(runtime.zero_tangent(a) if t is None else t for a, t in zip(bound[name], tangent))
            tangent = tangent if given else None
        out.append(tangent)
    return names, tuple(out)


def _differentiable(value: Any) -> bool:
    """A float, a float array, or a list, tuple or dict (of those): what jvp moves along a tangent."""
    kind = K.kind_of(value)
    return kind.is_float or kind.is_container


def _cached_forward(func: FunctionType, names: Tuple[str, ...], param_kinds: dict, optimize: bool = True) -> Generated:
    key = ("forward", names, optimize, default_rules().version, tuple(param_kinds.values()))
    return CACHE.get_or_build(func, key, lambda: compile_forward(func, names, param_kinds, do_optimize=optimize))


def _forward_of(func: FunctionType, names: Tuple[str, ...], param_kinds: dict) -> Generated:
    """The forward function of ``func``; for generated code, a message that says what it lacks."""
    try:
        return _cached_forward(func, names, param_kinds)
    except TransformError as exc:
        if not func.__name__.startswith(("grad_", "value_and_grad_")):
            raise
        raise TransformError(
            f"forward mode over the generated gradient {func.__name__}: {exc.message}",
            filename=exc.filename,
            line=exc.line,
            col=exc.col,
            source_line=exc.source_line,
            hint="second derivatives (hessian, jvp of grad) differentiate the generated gradient: each helper "
            "it calls needs a tangent rule (s2sgrad/rules/generated_code.py lists those that have one).",
        ) from exc


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
    if mode not in ("reverse", "forward"):
        raise ValueError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    target = _target(func)
    names, as_tuple = _wrt_names(func, wrt)
    function = target.function
    bound = target.bind(tuple(args), {}) if args is not None else ()
    param_kinds = (
        _kinds_from_args(function, viewed(bound, attributes_read(function, bound, names)))
        if args is not None
        else _kinds_from_annotations(function)
    )
    _check_wrt_kinds(function, names, param_kinds)
    if mode == "forward":
        generated = compile_forward(function, names, param_kinds, do_optimize=optimize, stage=stage)
    else:
        options = ReverseOptions(tuple_wrt=as_tuple)
        generated = compile_reverse(function, names, param_kinds, options, do_optimize=optimize, stage=stage)
    text = generated.listing() if stage != "normalized" else generated.source
    if report and stage != "normalized":
        return f"{text}\n{generated.report}"
    return text


# ----- what is differentiated -----


class _Target(NamedTuple):
    """A Python function, with the arguments a bound method or ``functools.partial`` always passes it."""

    function: FunctionType
    prefix: tuple  # leading positional arguments: a method's instance or class, a partial's args
    # The keywords of the partials it is made of, innermost first: each the partial's own dict, which a
    # write changes (Python's partial reads it at each call). Any, even empty, means binding every call.
    keywords: Tuple[dict, ...]
    visible: List[str]  # the parameters the user passes (``wrt`` counts these)

    def bind(self, args: tuple, kwargs: dict, signature: Optional[inspect.Signature] = None) -> tuple:
        """All of the function's arguments, in order, its defaults filled in."""
        signature = signature or _signature(self.function)
        args = self.prefix + args if self.prefix else args
        if kwargs or self.keywords or len(args) != len(signature.parameters) or has_extra_parameters(self.function):
            given = {}
            for layer in (*self.keywords, kwargs):  # an outer partial's keyword replaces an inner one's
                given.update(layer)
            bound = signature.bind(*args, **given)
            bound.apply_defaults()
            args = tuple(bound.arguments.values())
        return args


def _target(func: Callable) -> _Target:
    """What running ``func`` runs: a function of Python source, and what it is called with.

    A ``functools.wraps`` wrapper is itself (it runs and calls the wrapped
    function); an ``lru_cache`` object is its ``__wrapped__`` (the cache does
    not change values).
    """
    made_by = getattr(func, MADE_BY, None)
    if made_by is not None:
        raise TypeError(
            f"cannot differentiate {func.__name__!r}, made by s2sgrad.{made_by}: of s2sgrad's own functions, "
            "grad, value_and_grad and jvp take grad(f) (forward mode over its generated code); "
            "for second derivatives of arrays use s2sgrad.hessian"
        )
    if not isinstance(func, (FunctionType, MethodType, functools.partial)) and not _is_lru_cache(func):
        raise TypeError(
            f"cannot differentiate {func!r}: it is not a Python function, a bound method, a functools.partial "
            "or an lru_cache; wrap the call in a def, or register a derivative rule with s2sgrad.register_adjoint"
        )
    visible = _parameters(func)
    if isinstance(func, MethodType):  # obj.method, Cls.classmethod: the instance or class is not differentiated
        inner = _target(func.__func__)
        return _Target(inner.function, (*inner.prefix, func.__self__), inner.keywords, visible)
    if isinstance(func, functools.partial):
        inner = _target(func.func)
        return _Target(inner.function, inner.prefix + func.args, (*inner.keywords, func.keywords), visible)
    if _is_lru_cache(func):
        return _target(func.__wrapped__)
    return _Target(func, (), (), visible)


# ----- the transformed function -----


def _differentiated(
    func: Callable, wrt: Wrt, *, with_value: bool, optimize: bool, debug_nans: bool, backend: str = "python"
) -> Callable:
    _check_backend(backend)
    if debug_nans:  # it steps through the generated code's statements: Python's, whatever the backend
        backend = "python"
    if getattr(func, _GRADIENT, None) is not None:
        if debug_nans:
            raise ValueError("debug_nans is not available for grad of grad yet: use it on grad(f) itself")
        return _gradient_of_gradient(func, wrt, with_value)
    target = _target(func)
    names, as_tuple = _wrt_names(func, wrt)
    options = ReverseOptions(with_value=with_value, tuple_wrt=as_tuple)
    function, prefix = target.function, target.prefix
    # The signature, how many arguments the caller passes, and how keywords bind (see _keyword_plan):
    # refreshed when the code or defaults change.
    signature = [_signature(function)]
    arity = [_arity(function, signature[0], prefix)]
    plan = [_keyword_plan(signature[0], target, arity[0])]
    # Keyed by each argument's type, or an ndarray's rank and dtype kind, or a function itself:
    # cheaper than kinds, and finer (float and numpy.float64 are one kind, two keys).
    specializations: Dict[tuple, _Specialized] = {}
    rules = default_rules()  # the one table, which register_adjoint changes (its version says when)
    last = [_NO_FAST_PATH.run]  # the fast path of the specialization the last plain positional call took

    def specialize(args: tuple, kwargs: dict) -> Tuple[Callable, tuple]:
        """The generated function for these arguments (built if need be), and the arguments it takes."""
        if kwargs or target.keywords or len(args) != arity[0]:
            full = (plan[0] and _planned(plan[0], prefix, args, kwargs)) or target.bind(args, kwargs, signature[0])
        else:
            full = prefix + args if prefix else args
        # Plain-typed arguments (floats, ints, strings) are keyed by their types alone: try that key first, which
        # costs half of _key; an array's or container's key is never its type (its rank or elements' kinds).
        specialized = specializations.get(tuple(map(type, full))) or specializations.get(_key(full))
        if specialized is None or specialized.version != rules.version or not specialized.guards.hold():
            signature[0] = _signature(function)  # its defaults may be new: bind again
            arity[0] = _arity(function, signature[0], prefix)
            plan[0] = _keyword_plan(signature[0], target, arity[0])
            full = target.bind(args, kwargs, signature[0])
            specialized = specializations[_key(full)] = _specialized(
                function, names, full, options, optimize, True, backend
            )
        if debug_nans:
            return functools.partial(run_checked, specialized.function), (full,)
        if not (kwargs or target.keywords or prefix) and len(args) == arity[0]:  # the parameters, one by one
            made = specialized.fast_path
            if not made or made[0].identical is not specialized.guards.identical:  # once per key, while it holds
                made[:] = [_FastPath.of(args, specialized, rules)]
            last[0] = made[0].run
        return specialized.function, full

    @functools.wraps(func)
    def differentiated(*args: Any, **kwargs: Any) -> Any:
        try:  # free unless raised: the except names the user's line the generated code came from
            if not kwargs:  # the last call's key and guards, tested at half the lookup's cost
                result = last[0](args)
                if result is not MISS:
                    return result
            generated, args = specialize(args, kwargs)
            return generated(*args)
        except Exception as exc:
            add_source_notes(exc)
            raise

    made = _marked(differentiated, "value_and_grad" if with_value else "grad", (target, names, options, optimize))
    setattr(made, DERIVED_RULE, _rule_of_gradient(made, target, names, options))
    return made


MISS = object()  # what a fast path returns for a call it cannot take (no gradient returns it)


class _FastPath(NamedTuple):
    """A specialization, with one compiled function that runs it when a call may take it without a lookup.

    ``run(args)`` is the key lookup, the guards and the call in one function, for arguments
    whose key is checked inline (plain types, an ndarray's rank and dtype kind, a function):
    ``F(*a) if len(a) == 2 and type(a[0]) is c0 and type(a[1]) is c1 and R.version == v and
    w0['np'] is e0 ... else MISS``, the guards' expression (``Guards.expression``) written in. A
    test that fails, or raises because a guarded name is gone, returns MISS: the call goes the
    long way. ``identical`` is the guards' check it wrote in: Guards.hold replaces theirs when
    data is replaced by data of the same kind, and the fast path is then made again.
    """

    run: Callable[[tuple], Any]
    identical: Optional[Callable[[], bool]]

    @staticmethod
    def of(args: tuple, specialized: "_Specialized", rules: Any) -> "_FastPath":
        guards, names = specialized.guards.expression
        names = {**names, "R": rules, "v": specialized.version, "F": specialized.function, "MISS": MISS}
        terms = [f"len(a) == {len(args)}"]
        for i, value in enumerate(args):
            term = _inline_key_test(f"a[{i}]", value, f"c{i}", names)
            if term is None:  # a container's key is its elements' kinds: not a cheap test
                return _NO_FAST_PATH
            terms.append(term)
        terms += ["R.version == v", guards]  # the version read each time: register_adjoint changes it
        source = (
            f"def run(a):\n    try:\n        taken = {' and '.join(terms)}\n"
            "    except (KeyError, AttributeError, ValueError):\n        taken = False\n"
            "    return F(*a) if taken else MISS\n"
        )
        exec(source, names)
        return _FastPath(names["run"], specialized.guards.identical)


def _inline_key_test(read: str, value: Any, name: str, names: dict) -> Optional[str]:
    """An expression true exactly when the value at ``read`` has ``value``'s key (see _key); None: no such test."""
    cls = names[name] = type(value)
    if cls is ndarray:
        return f"type({read}) is {name} and {read}.ndim == {value.ndim} and {read}.dtype.kind == {value.dtype.kind!r}"
    if cls in K.FUNCTION_TYPES:
        names[name] = value
        return f"{read} is {name}"
    if cls in _CONTAINER_TYPES or runtime.is_protocol_array(value):  # keyed by their elements', or rank and dtype
        return None
    return f"type({read}) is {name}"  # a plain type or another class (a NumPy scalar, an object): keyed by type


_NO_FAST_PATH = _FastPath(lambda args: MISS, None)


def _keyword_plan(signature: inspect.Signature, target: "_Target", arity: int) -> Optional[Tuple[tuple, dict]]:
    """The parameters after the target's prefix and their defaults, by which a call with keywords binds
    without ``inspect.Signature.bind`` (five times slower); None when binding is more than that."""
    if arity < 0 or target.keywords:
        return None
    parameters = list(signature.parameters.values())[len(target.prefix) :]
    if any(p.kind is p.POSITIONAL_ONLY for p in parameters):
        return None
    return tuple(p.name for p in parameters), {p.name: p.default for p in parameters if p.default is not p.empty}


def _planned(plan: Tuple[tuple, dict], prefix: tuple, args: tuple, kwargs: dict) -> Optional[tuple]:
    """``prefix + args``, then each later parameter's keyword or default; None when the call does not bind
    so simply (too many arguments, a missing or unknown keyword, one given twice): Signature.bind says why."""
    names, defaults = plan
    if len(args) > len(names):
        return None
    rest, used = [], 0
    for name in names[len(args) :]:
        if name in kwargs:
            rest.append(kwargs[name])
            used += 1
        elif name in defaults:
            rest.append(defaults[name])
        else:
            return None
    return (*prefix, *args, *rest) if used == len(kwargs) else None


def _arity(function: FunctionType, signature: inspect.Signature, prefix: tuple) -> int:
    """How many arguments a call passes when they are the parameters one by one; -1: always bind them
    (``*args`` gathers a tuple, ``**kwargs`` a dict, keyword-only parameters their defaults)."""
    return -1 if has_extra_parameters(function) else len(signature.parameters) - len(prefix)


def _gradient_of_gradient(func: Callable, wrt: Wrt, with_value: bool) -> Callable:
    """``grad(grad(f))``: forward mode over ``f``'s generated gradient, one pass per element of ``wrt``.

    The inner gradient is a number (``f``'s derivative with respect to one float), so its
    gradient is a row of ``f``'s Hessian: for each ``wrt`` argument, of its shape. Forward
    mode differentiates the generated code, as :func:`hessian` does; a scalar ``wrt`` takes
    one pass, as one reverse pass would.
    """
    target, inner, options, optimize = getattr(func, _GRADIENT)
    names, as_tuple = _wrt_names(func, wrt, target.visible)

    @functools.wraps(func)
    @with_source_notes
    def differentiated(*args: Any, **kwargs: Any) -> Any:
        full = target.bind(args, kwargs)
        function = target.function
        param_kinds = _kinds_from_args(function, full)
        _check_real(function, param_kinds, full)
        _check_wrt_kinds(function, (*inner, *names), param_kinds)
        if options.with_value or options.tuple_wrt or not param_kinds[inner[0]].is_scalar:
            raise ValueError(
                f"grad of {func.__name__!r} needs it to return a number, the derivative of "
                f"{function.__name__} with respect to one float argument; for arrays use s2sgrad.hessian"
            )
        gradient = _cached(function, inner, param_kinds, options, optimize)
        seed, seeded = _seeded(gradient, function, full, param_kinds, "grad")
        value, by_arg = _forward_jacobian(gradient.function, names, (*full, seed), seeded)
        result = tuple(by_arg) if as_tuple else by_arg[0]
        return (value, result) if with_value else result

    return _marked(differentiated, "grad of grad")


def _rule_of_gradient(
    made: Callable, target: _Target, names: Tuple[str, ...], options: ReverseOptions
) -> Optional[DerivedRule]:
    """The derivative rule of ``made = grad(h)``, for a differentiated function that calls it.

    ``y = made(*args)`` is ``h``'s gradient with respect to ``names``. Its tangent
    is a Hessian-vector product: ``jvp(made, args, tangents)``. Its adjoint is one
    too, as the Hessian is symmetric: the tangent of ``h``'s gradient with respect
    to every float argument, along ``d_y`` in the ``names`` slots and 0 elsewhere
    (plus ``d_value`` times that gradient for value_and_grad). None when ``h``
    has parameters a call cannot bind by position: calling ``made`` stays an error.
    """
    parameters = _signature(made.__wrapped__).parameters.values()
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters):
        return None
    label = f"grad_{made.__name__}"

    def vjp(d_out: Any, *args: Any) -> Any:
        args = _with_live_defaults(made.__wrapped__, args)
        d_value, d_gradient = d_out if options.with_value else (0.0, d_out)
        d_value = numpy.sum(d_value) if numpy.ndim(d_value) else d_value  # a size-1 output's: its one element
        d_by_name = dict(zip(names, d_gradient if options.tuple_wrt else (d_gradient,)))
        floats = tuple(p for p, a in zip(target.visible, args) if _differentiable(a))  # containers too
        along = [
            (d_by_name[p] if p in d_by_name else runtime.zero_tangent(a)) if p in floats else None
            for p, a in zip(target.visible, args)
        ]
        gradients, products = jvp(grad(made.__wrapped__, wrt=floats), args, along)
        adjoints = dict(zip(floats, products))
        if options.with_value:
            adjoints = {p: adjoint + d_value * g for (p, adjoint), g in zip(adjoints.items(), gradients)}
        in_order = tuple(adjoints.get(p) for p in target.visible)
        return in_order if len(in_order) > 1 else in_order[0]  # the rule of one argument takes it alone

    def tangent(*args_and_tangents: Any) -> Any:
        half = len(args_and_tangents) // 2
        args = _with_live_defaults(made.__wrapped__, args_and_tangents[:half])
        return jvp(made, args, args_and_tangents[half:])[1]

    for plain, direction in ((vjp, "vjp"), (tangent, "jvp")):
        plain.__name__ = plain.__qualname__ = f"{label}_{direction}"
        setattr(plain, MADE_BY, DERIVATIVE_OF_GRADIENT)  # a third derivative through it: a clear error
    # A default is h's at the call (h.__defaults__ may be assigned later), not a value spelled into the caller
    positional = [
        p.replace(kind=p.POSITIONAL_OR_KEYWORD, default=p.default if p.default is p.empty else LIVE_DEFAULT)
        for p in parameters
    ]
    vjp.__signature__ = inspect.Signature(
        [inspect.Parameter("d_out", inspect.Parameter.POSITIONAL_OR_KEYWORD), *positional]
    )
    no_defaults = [p.replace(default=p.empty) for p in positional]
    tangent.__signature__ = inspect.Signature([*no_defaults, *(p.replace(name=f"t_{p.name}") for p in no_defaults)])
    return DerivedRule(label, vjp, tangent)


class _LiveDefault:
    """What a call of ``grad(h)`` in differentiated code passes for a parameter it leaves to h's default."""


LIVE_DEFAULT = _LiveDefault()


def _with_live_defaults(func: Callable, args: tuple) -> tuple:
    """``args`` with each LIVE_DEFAULT replaced by ``func``'s default for that parameter now."""
    if not any(a is LIVE_DEFAULT for a in args):
        return args
    parameters = _signature(func).parameters.values()
    return tuple(p.default if a is LIVE_DEFAULT else a for p, a in zip(parameters, args))


def _marked(transformed: Callable, made_by: str, gradient: Optional[tuple] = None) -> Callable:
    """What a transform returns, marked: ``functools.wraps`` copied the marks of what it wraps, if any."""
    setattr(transformed, MADE_BY, made_by)
    setattr(transformed, _GRADIENT, gradient)
    return transformed


def _key(args: tuple) -> tuple:
    types = tuple(map(type, args))
    if _PLAIN_TYPES.issuperset(types):  # floats and ints: the key is the types (half the time of the loop below)
        return types
    return tuple(
        [
            (a.ndim, a.dtype.kind)
            if type(a) is ndarray
            else type(a)
            if type(a) in _PLAIN_TYPES  # floats and ints, early: a set lookup costs less than a missing attribute
            else a
            if type(a) in K.FUNCTION_TYPES
            else _container_key(a)
            if type(a) in _CONTAINER_TYPES
            else _other_key(a)
            for a in args
        ]
    )


# Types that fix an argument's kind. A list, tuple or dict does not (its elements' kinds are part of its kind):
# its key is its kind, never its type, so a lookup by the arguments' types cannot find code made for other elements.
_PLAIN_TYPES = frozenset((float, int, bool, str, type(None)))
_CONTAINER_TYPES = frozenset((list, tuple, dict))


def _container_key(value: Any) -> Any:
    """A list's key: its kind (its elements'); a tuple's or dict's: each item's kind, which what ``*args``
    (``**kwargs``) gathers is specialized on (a key may be finer than kinds, never coarser)."""
    if type(value) is tuple:
        return (tuple, *map(K.kind_of, value))
    if type(value) is dict:
        return (dict, *((k, K.kind_of(v)) for k, v in value.items()))
    return K.kind_of(value)


def _other_key(value: Any) -> Any:
    """The key of any other argument: its type, and for an array of another library (a Dask array) its rank and
    dtype kind too, which its type does not tell."""
    cls = type(value)
    return (cls, value.ndim, value.dtype.kind) if runtime.is_protocol_array(value) else cls


class _Specialized(NamedTuple):
    function: Callable
    guards: Guards  # while they hold, ``function`` is the gradient of the function as it is
    version: int  # of the rule table it was made with: a rule registered since may change it
    fast_path: List["_FastPath"]  # made at its first positional call (its key is then known from the arguments)


def _specialized(
    func: FunctionType,
    names: Tuple[str, ...],
    args: Sequence[Any],
    options: ReverseOptions,
    optimize: bool,
    check_scalar: bool = False,
    backend: str = "python",
) -> _Specialized:
    read = attributes_read(func, args, names)
    args = viewed(args, read)
    param_kinds = _kinds_from_args(func, args)
    _check_real(func, param_kinds, args)
    _check_wrt_kinds(func, names, param_kinds)
    generated = _cached(func, names, param_kinds, options, optimize)
    if check_scalar and generated.result_kind.is_container:  # its reverse sweep would fail on the seed 1.0
        raise ValueError(
            f"grad of {func.__name__!r} needs a real scalar output, but it returns a list, tuple or dict; "
            "use s2sgrad.vjp for other outputs"
        )
    if not check_scalar or generated.result_kind == K.SCALAR:
        generated = _cached(func, names, param_kinds, options, optimize, backend)
        return _Specialized(viewing(generated.function, read), generated.guards, default_rules().version, [])
    # The output's kind is only known when it runs: the split gradient's forward function computes
    # the value, which is checked (never by calling func a second time, which would repeat its side
    # effects) and gives the reverse sweep its seed, of the value's shape (see _seed_like).
    split = dataclasses.replace(options, with_value=True, split=True)
    pair = _cached(func, names, param_kinds, split, optimize, backend)

    def checked(*args: Any) -> Any:
        value, record = pair.forward_function(*args)
        _check_scalar_output(func, value)
        gradient = pair.function(record, *args, _seed_like(value))
        return (value, gradient) if options.with_value else gradient

    return _Specialized(viewing(checked, read), pair.guards, default_rules().version, [])


def _cached(
    func: FunctionType,
    names: Tuple[str, ...],
    param_kinds: dict,
    options: ReverseOptions,
    optimize: bool,
    backend: str = "python",
) -> Generated:
    key = (names, options, optimize, default_rules().version, tuple(param_kinds.values()))
    generated = CACHE.get_or_build(
        func, key, lambda: compile_reverse(func, names, param_kinds, options, do_optimize=optimize)
    )
    return generated if backend == "python" else _on_backend(func, key, generated, backend)


def _on_backend(func: FunctionType, key: tuple, generated: Generated, backend: str) -> Generated:
    """The numba variant of ``generated``: its own cache entry, rebuilt when its (stricter) guards fail."""
    return CACHE.get_or_build(func, (*key, backend), lambda: numba_backend.accelerated(generated, func.__name__))


BACKENDS = ("python", "numba")


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if backend == "numba":
        numba_backend.require_numba()


def _check_scalar_output(func: Callable, out: Any, transform: str = "grad") -> None:
    """A real number, or a real array of one element (any shape whose dimensions are all 1), as autograd
    accepts: the gradient is that of its element."""
    complex_ = numpy.iscomplexobj(out)
    if any(n != 1 for n in numpy.shape(out)) or complex_:  # not numpy.size: a Dask array warns
        returned = "a complex value" if complex_ else f"shape {numpy.shape(out)}"
        raise ValueError(
            f"{transform} of {func.__name__!r} needs a real scalar output (or an array of one element), but it "
            f"returned {returned}; use s2sgrad.vjp or s2sgrad.jacobian for other outputs"
        )


def _seed_like(value: Any) -> Any:
    """The adjoint of a checked output: 1.0 for a number (or a 0-d array); for an array of one element,
    ones of its shape and dtype, as the reverse sweep's rules take an adjoint of their result's shape
    (a float32 output keeps a float32 gradient)."""
    return numpy.ones_like(value) if numpy.ndim(value) else 1.0


def _seeded(gradient: Generated, function: FunctionType, args: tuple, param_kinds: dict, transform: str) -> tuple:
    """The seed of ``function``'s generated gradient for forward mode over it (hessian, jvp of grad), and
    the kinds of that gradient's parameters. An output whose kind the code does not tell is computed
    (``function`` runs once more) and checked as grad checks it."""
    if gradient.result_kind == K.SCALAR:
        seed = 1.0
    else:
        value = function(*args)
        _check_scalar_output(function, value, transform)
        seed = _seed_like(value)
    return seed, {**param_kinds, gradient.seed: K.kind_of(seed)}


# ----- arguments -----


def _parameters(func: Callable) -> list:
    return list(_signature(func).parameters)


def _signature(func: Callable) -> inspect.Signature:
    """The signature of what runs: a ``functools.wraps`` wrapper's own, not its ``__wrapped__``'s."""
    func = func.__wrapped__ if _is_lru_cache(func) else func
    if type(func) is not FunctionType:
        return inspect.signature(func, follow_wrapped=False)
    # inspect.signature costs ~100 µs; a function's depends only on its code and defaults (the keyword-only
    # ones each: their dict may be written in place)
    kwdefaults = func.__kwdefaults__
    made_from = (func.__code__, func.__defaults__, kwdefaults, getattr(func, "__signature__", None))
    if kwdefaults:
        made_from += (*kwdefaults, *kwdefaults.values())
    known = _SIGNATURES.get(func)
    if known is None or len(known[0]) != len(made_from) or any(a is not b for a, b in zip(known[0], made_from)):
        known = _SIGNATURES[func] = (made_from, inspect.signature(func, follow_wrapped=False))
    return known[1]


_SIGNATURES: "weakref.WeakKeyDictionary[FunctionType, tuple]" = weakref.WeakKeyDictionary()


def _is_lru_cache(func: Callable) -> bool:
    """``functools.lru_cache`` and ``functools.cache`` objects (C wrappers of a Python function)."""
    return hasattr(func, "cache_info") and isinstance(getattr(func, "__wrapped__", None), FunctionType)


def _wrt_names(func: Callable, wrt: Wrt, params: Optional[Sequence[str]] = None) -> Tuple[Tuple[str, ...], bool]:
    params = list(params) if params is not None else _parameters(func)
    as_tuple = isinstance(wrt, (tuple, list))
    if as_tuple and not wrt:
        raise ValueError(f"wrt={wrt!r} names no argument; give a position or name of {func.__name__}'s arguments")
    names = []
    for item in wrt if as_tuple else [wrt]:
        if isinstance(item, int) and not isinstance(item, bool) and -len(params) <= item < len(params):
            names.append(params[item])
        elif isinstance(item, str) and item in params:
            names.append(item)
        else:
            raise ValueError(f"wrt={item!r} names no argument of {func.__name__}({', '.join(params)}){_gathers(func)}")
    if len(set(names)) != len(names):
        raise ValueError(f"wrt={wrt!r} names an argument twice")
    return tuple(names), as_tuple


def _gathers(func: Callable) -> str:
    """What to add to "wrt names no argument" when ``func`` gathers positional arguments in ``*args``."""
    parameters = list(inspect.signature(func).parameters.values())
    position = next((i for i, p in enumerate(parameters) if p.kind == p.VAR_POSITIONAL), None)
    if position is None:
        return ""
    gathered = parameters[position].name
    return (
        f"; its *{gathered} gathers the arguments from position {position} on: wrt={gathered!r} differentiates "
        "with respect to all of them (a tuple gradient, one per argument)"
    )


def _kinds_from_args(func: Callable, args: Sequence[Any], signature: Optional[inspect.Signature] = None) -> dict:
    """The kinds of all of ``func``'s arguments (``args``: every one, in order)."""
    parameters = (signature or _signature(func)).parameters.values()
    return {p.name: K.argument_kind(a, p.kind) for p, a in zip(parameters, args)}


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


def _check_real(func: Callable, param_kinds: dict, args: Sequence[Any]) -> None:
    """Complex numbers are not differentiated yet: reject them rather than return a complex "gradient"."""
    for name, arg in zip(param_kinds, args):
        if _is_complex(arg):
            raise TypeError(
                f"cannot differentiate {func.__name__}: argument {name!r} is complex, and complex "
                "differentiation is not supported yet; pass real and imaginary parts as two float arguments"
            )


def _is_complex(value: Any) -> bool:
    """A complex number or array, or a list, tuple or dict holding one."""
    if isinstance(value, (list, tuple)):
        return any(_is_complex(v) for v in value)
    if isinstance(value, dict):
        return any(_is_complex(v) for v in value.values())
    array = type(value) is ndarray or runtime.is_protocol_array(value)
    return isinstance(value, (complex, numpy.complexfloating)) or (array and value.dtype.kind == "c")
