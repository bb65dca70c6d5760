"""Checking one program: s2sgrad's value and gradient against the function itself.

Every number s2sgrad returns is compared with an independent route: the value with
``f`` run on copies of the arguments, the gradient with central finite differences
of ``f`` along random directions (all float arguments moved at once). Arguments
near a kink or a branch flip are re-drawn: along each direction a five-point
stencil with steps of 1e-3 must look smooth (for a smooth ``f`` the second
differences at h and 2h are in ratio 4; a kink or jump within 2e-3 breaks that).
"""

import copy
import importlib.util
import math
import os
import random
import re
import signal
import sys
import traceback
import warnings
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy

import s2sgrad

from .generate import Program, draw_args, generate

# Outcomes, the failures first (a program's outcome is its first failing check).
FAILURES = ("hang", "crash", "changed_input", "wrong_value", "wrong_grad", "not_repeatable")
OUTCOMES = ("ok", "rejected", *FAILURES, "skipped", "invalid")

SMOOTH_STEP = 1e-3
FD_STEP = 1e-5
DIRECTIONS = 2
ARG_DRAWS = 4
PROGRAM_DRAWS = 10


@dataclass
class Result:
    """What happened to one program; ``detail`` says why for anything but ok."""

    outcome: str
    detail: str = ""
    optimize: bool = True
    program: Optional[Program] = None
    args: Optional[list] = None
    seconds: float = 0.0


class Hang(BaseException):
    """Raised by the timer; a BaseException so that no ``except Exception`` swallows it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise Hang()


def call_with_timeout(func: Callable[[], Any], seconds: float) -> Any:
    """``func()``, interrupted by :class:`Hang` after ``seconds`` (main thread of a process only)."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return func()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _patiently(func: Callable[[], Any], timeout: float) -> Any:
    """``func()`` with a timeout, tried once more with three times as long: on a loaded machine a long
    compilation is no hang. (A write into the arguments by the first try shows as a changed input.)"""
    try:
        return call_with_timeout(func, timeout)
    except Hang:
        return call_with_timeout(func, 3 * timeout)


def load(source: str, directory: str, name: str) -> Any:
    """Import ``source`` as module ``name`` from a real file, so ``inspect.getsource`` works."""
    path = os.path.join(directory, f"{name}.py")
    with open(path, "w") as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def evaluate(f: Callable, args: Sequence[Any]) -> Any:
    """``f`` on deep copies: ``f`` may write into its own arguments."""
    with numpy.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*copy.deepcopy(list(args)))


def moved(args: Sequence[Any], wrt: Sequence[int], direction: Sequence[Any], step: float) -> list:
    out = list(args)
    for i, d in zip(wrt, direction):
        out[i] = args[i] + step * d
    return out


def real_scalar(value: Any) -> bool:
    return numpy.ndim(value) == 0 and isinstance(value, (float, numpy.floating))


def value_ok(value: Any) -> bool:
    """A value a generated program may return: a real scalar of moderate size."""
    return real_scalar(value) and abs(value) < 1e6


def is_smooth(f: Callable, args: Sequence[Any], wrt: Sequence[int], direction: Sequence[Any]) -> bool:
    """No kink, jump or branch flip of ``f`` within 2e-3 of ``args`` along ``direction``."""
    try:
        at = {k: float(evaluate(f, moved(args, wrt, direction, k * SMOOTH_STEP))) for k in (-2, -1, 0, 1, 2)}
    except Exception:
        return False
    near = at[1] - 2 * at[0] + at[-1]
    far = at[2] - 2 * at[0] + at[-2]
    return all(map(math.isfinite, at.values())) and abs(far - 4 * near) <= 1e-7 * (1 + abs(at[0]))


def finite_difference(f: Callable, args: Sequence[Any], wrt: Sequence[int], direction: Sequence[Any]) -> Tuple:
    """(estimate, tolerance) of the directional derivative, or None where FD is unstable."""

    def central(h: float) -> float:
        return (evaluate(f, moved(args, wrt, direction, h)) - evaluate(f, moved(args, wrt, direction, -h))) / (2 * h)

    d1, d2 = central(FD_STEP), central(2 * FD_STEP)
    estimate = (4 * d1 - d2) / 3  # Richardson: the h^2 error terms cancel
    spread = abs(d1 - d2)
    if not math.isfinite(estimate) or spread > 1e-3 * (1 + abs(estimate)):
        return None
    rounding = 1e-15 * (1 + abs(float(evaluate(f, args)))) / FD_STEP
    return estimate, 10 * spread + 100 * rounding + 1e-6 * (1 + abs(estimate))


def random_directions(args: Sequence[Any], wrt: Sequence[int], rng: random.Random) -> List[list]:
    state = numpy.random.default_rng(rng.randrange(2**32))
    return [
        [
            float(state.standard_normal()) if numpy.ndim(args[i]) == 0 else state.standard_normal(numpy.shape(args[i]))
            for i in wrt
        ]
        for _ in range(DIRECTIONS)
    ]


def same(a: Any, b: Any) -> bool:
    """Bitwise-equal values (NaN equal to NaN), of the same type and dtype."""
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, numpy.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(numpy.array_equal(a, b, equal_nan=True))
    return a == b or (a != a and b != b)


def _normalized(message: str) -> str:
    """A message with numbers and generated names blanked, so that like messages count together."""
    first = message.splitlines()[0] if message else ""
    return re.sub(r"'[a-z]+\d+'|\b\d+\b", "_", first)[:160]


def crash_detail(error: BaseException) -> str:
    """The exception and the innermost frame it came from, in s2sgrad or in generated code."""
    frames = traceback.extract_tb(error.__traceback__)
    inner = [fr for fr in frames if "s2sgrad" in fr.filename or fr.filename.startswith("<")]
    if not inner:
        return f"{type(error).__name__}: {_normalized(str(error))}"
    # generated code is named after a hash of its source: blank it, so that one bug counts as one message
    place = re.sub(r" [0-9a-f]{8,}>", ">", os.path.basename(inner[-1].filename))
    return f"{type(error).__name__}: {_normalized(str(error))} @ {place}:{inner[-1].name}"


def gradient_outcome(
    f: Callable,
    args: list,
    wrt: Tuple[int, ...],
    optimize: bool,
    timeout: float,
    directions: List[list],
    expected: List[Tuple[float, float]],
) -> Tuple[str, str]:
    """Run s2sgrad's value_and_grad on ``f`` and judge it: (outcome, detail)."""
    value = evaluate(f, args)
    vag = s2sgrad.value_and_grad(f, wrt=wrt, optimize=optimize)
    caller = copy.deepcopy(args)
    try:
        with numpy.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got, grads = _patiently(lambda: vag(*caller), timeout)
            again = _patiently(lambda: vag(*copy.deepcopy(args)), timeout)
    except s2sgrad.TransformError as error:
        return "rejected", _normalized(error.message)
    except Hang:
        return "hang", f"no result within {timeout} s"
    except Exception as error:
        return "crash", crash_detail(error)
    if not all(same(a, b) for a, b in zip(args, caller)):
        changed = [i for i, (a, b) in enumerate(zip(args, caller)) if not same(a, b)]
        return "changed_input", f"arguments {changed} changed by the gradient call"
    if not (real_scalar(got) and abs(got - value) <= 1e-7 * (1 + abs(value))):
        return "wrong_value", f"value {got!r} ({type(got).__name__}), f gives {value!r}"
    for i, g in zip(wrt, grads):
        if numpy.shape(g) != numpy.shape(args[i]) or (numpy.ndim(args[i]) and not isinstance(g, numpy.ndarray)):
            return "wrong_grad", f"gradient of argument {i}: {type(g).__name__} of shape {numpy.shape(g)}"
    for direction, (estimate, tolerance) in zip(directions, expected):
        actual = float(sum(numpy.sum(numpy.asarray(g) * d) for g, d in zip(grads, direction)))
        if not abs(actual - estimate) <= tolerance:
            return "wrong_grad", f"directional derivative {actual!r}, finite differences {estimate!r}"
    if not same(again, (got, grads)):
        return "not_repeatable", "a second call gave a different value or gradient"
    return "ok", ""


def outcome_at(f: Callable, args: list, wrt: Tuple[int, ...], optimize: bool = True, timeout: float = 10.0) -> Tuple:
    """(outcome, detail) of s2sgrad on ``f`` at fixed ``args`` (a saved or hand-written program)."""
    directions = random_directions(args, wrt, random.Random(0))
    expected = [finite_difference(f, args, wrt, d) for d in directions]
    if any(e is None for e in expected):
        return "skipped", "finite differences unstable"
    return gradient_outcome(f, args, wrt, optimize, timeout, directions, expected)


def smooth_args(f: Callable, program: Program, rng: random.Random) -> Tuple[Optional[list], list, list]:
    """Arguments (re-drawn until ``f`` is smooth around them), directions, and FD estimates there."""
    wrt = program.wrt
    for _ in range(ARG_DRAWS):
        args = draw_args(program, rng)
        directions = random_directions(args, wrt, rng)
        # a huge value (x ** 16 in a loop) hides a fast oscillation from both tests below, relative to |f|
        if moderate(f, args) and all(is_smooth(f, args, wrt, d) for d in directions):
            expected = [finite_difference(f, args, wrt, d) for d in directions]
            return args, directions, expected
    return None, [], []


def valid(f: Callable, program: Program, rng: random.Random) -> bool:
    """``f`` runs in plain Python at a first draw of arguments and returns a moderate float."""
    return moderate(f, draw_args(program, random.Random(rng.random())))


def moderate(f: Callable, args: list) -> bool:
    """``f`` runs at ``args`` and returns a moderate float there, no value on the way overflowing."""
    try:
        return value_ok(evaluate(f, args)) and not overflows(f, args)
    except Exception:
        return False


def overflows(f: Callable, args: list) -> bool:
    """Whether a float or float array that ``f`` (or a function it calls) holds becomes inf or nan on the way.

    ``x *= x`` run 16 times leaves inf in a name the result may not read: no finite-difference
    test sees it, but any reverse sweep multiplies inf by that name's zero adjoint (IEEE: nan).
    Such a program is not a test of the gradient; the generator's docstring says it is discarded.
    """
    found = []

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event in ("line", "return") and any(map(_not_finite, frame.f_locals.values())):
            found.append(frame.f_code.co_name)
        return local

    def calls(frame: Any, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == f.__code__.co_filename else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        evaluate(f, args)
    finally:
        sys.settrace(previous)
    return bool(found)


def _not_finite(value: Any) -> bool:
    if isinstance(value, (float, numpy.floating)):
        return not math.isfinite(value)
    if isinstance(value, numpy.ndarray) and value.dtype.kind == "f":
        return not numpy.isfinite(value).all()
    return False


def check(family: str, seed: int, index: int, directory: str, timeout: float = 10.0) -> Result:
    """Generate program ``index`` of ``family``, and check s2sgrad on it (optimize=False too, one in four)."""
    for attempt in range(PROGRAM_DRAWS):
        program = generate(family, seed, index, attempt)
        rng = random.Random(f"args:{seed}:{family}:{index}:{attempt}")
        try:
            f = load(program.source, directory, f"fuzz_{family}_{seed}_{index}_{attempt}").f
        except Exception:  # a generator bug: count the program as invalid, never stop the run
            continue
        if valid(f, program, rng):
            break
    else:
        return Result("invalid", "no program that runs in plain Python", program=program)
    return check_program(f, program, rng, timeout, modes=(True, False) if index % 4 == 3 else (True,))


def check_program(
    f: Callable, program: Program, rng: random.Random, timeout: float, modes: Sequence[bool] = (True,)
) -> Result:
    args, directions, expected = smooth_args(f, program, rng)
    if args is None:
        return Result("skipped", "kink or branch flip near every draw of arguments", program=program)
    if any(e is None for e in expected):
        return Result("skipped", "finite differences unstable", program=program, args=args)
    outcome = detail = ""
    for optimize in modes:
        outcome, detail = gradient_outcome(f, args, program.wrt, optimize, timeout, directions, expected)
        if outcome != "ok":
            return Result(outcome, detail, optimize, program, args)
    return Result(outcome, detail, True, program, args)
