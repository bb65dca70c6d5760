"""The command line: ``s2sgrad show`` prints generated code (or an HTML page), ``check`` checks, ``graph`` draws."""

import argparse
import importlib.util
import os
import sys
from typing import Any, Callable, Dict, List, Optional

from .api import grad, source
from .errors import TransformError
from .kinds import kind_of
from .pipeline import STAGES
from .tools.check import GradientCheckError, check_grad
from .tools.graph import graph
from .tools.html_view import html_view
from .tools.nans import NonFiniteError
from .tools.tracebacks import source_notes


def main(argv: Optional[List[str]] = None) -> int:
    """Run one command; the exit status: 0 done (or checked and right), 1 a check failed, 2 an error."""
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except (TransformError, ValueError, TypeError, NotImplementedError) as exc:
        print(f"s2sgrad: error: {exc}", file=sys.stderr)
        return 2
    except ArithmeticError as exc:  # the function or its gradient fails at this point: say where, in the user's code
        notes = "".join(f"\n{note}" for note in source_notes(exc))
        print(f"s2sgrad: error: {type(exc).__name__}: {exc}{notes}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s2sgrad", description="Source-to-source automatic differentiation.")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the generated gradient of FILE.py:FUNC")
    show.add_argument("target", metavar="FILE.py:FUNC")
    show.add_argument("--wrt", default=None, help="comma-separated argument names (default: the first)")
    show.add_argument("--mode", choices=("reverse", "forward"), default="reverse")
    show.add_argument("--no-optimize", action="store_true", help="print the raw transform")
    show.add_argument("--stage", choices=STAGES, default=None, help="print the tree after this stage")
    show.add_argument("--report", action="store_true", help="also list what the reverse sweep stores, per loop")
    show.add_argument("--html", action="store_true", help="one HTML page: your code beside the generated, linked")
    show.add_argument(
        "--args", default=None, metavar="EXPR", help="example arguments to specialize on, e.g. '(2.0, np.ones(3))'"
    )
    check = commands.add_parser(
        "check", help="check the derivatives of FILE.py:FUNC at a point against finite differences (exit 1 if wrong)"
    )
    check.add_argument("target", metavar="FILE.py:FUNC")
    check.add_argument("--args", required=True, metavar="EXPR", help="the point, e.g. '2.0, 3.0' or 'np.ones(3), 2.0'")
    check.add_argument("--wrt", default=None, help="comma-separated argument names (default: every float argument)")
    check.add_argument("--modes", default="rev,fwd", help="rev, fwd or rev,fwd (default)")
    check.add_argument("--order", type=int, choices=(1, 2), default=1, help="2: check the Hessian too")
    check.add_argument(
        "--nans", action="store_true", help="first run the gradient with debug_nans: name the first NaN or infinity"
    )
    drawn = commands.add_parser(
        "graph", help="draw the computational graph of FILE.py:FUNC at a point: values and adjoints"
    )
    drawn.add_argument("target", metavar="FILE.py:FUNC")
    drawn.add_argument("--args", required=True, metavar="EXPR", help="the point, e.g. '2.0, 3.0'")
    drawn.add_argument("--wrt", default=None, help="comma-separated argument names (default: every float argument)")
    drawn.add_argument("--format", choices=("svg", "dot"), default="svg")
    drawn.add_argument("-o", "--output", default=None, metavar="FILE", help="write here instead of stdout")
    return parser


def _show(args: argparse.Namespace) -> int:
    func = _load(args.target)
    stage = args.stage or ("raw" if args.no_optimize else "optimized")
    example = _example_arguments(args.args, func) if args.args else None
    if args.html:
        sys.stdout.write(html_view(func, _wrt(args.wrt, 0), args.mode, args=example, optimize=not args.no_optimize))
        return 0
    text = source(
        func,
        wrt=_wrt(args.wrt, 0),
        mode=args.mode,
        args=example,
        optimize=not args.no_optimize,
        stage=stage,
        report=args.report,
    )
    sys.stdout.write(text)
    return 0


def _check(args: argparse.Namespace) -> int:
    func = _load(args.target)
    point = _example_arguments(args.args, func)
    wrt = _wrt(args.wrt, None) or tuple(i for i, a in enumerate(point) if kind_of(a).is_float)
    if not wrt:
        raise ValueError(f"no argument of {args.target} is a float or a float array: nothing to check")
    if args.nans:
        try:
            grad(func, wrt=wrt, debug_nans=True)(*point)
        except NonFiniteError as exc:
            print(exc)
            return 1
    try:
        report = check_grad(func, *point, wrt=wrt, modes=tuple(args.modes.split(",")), order=args.order)
    except GradientCheckError as exc:
        print(exc.report)
        return 1
    print(report)
    return 0


def _graph(args: argparse.Namespace) -> int:
    func = _load(args.target)
    text = graph(func, *_example_arguments(args.args, func), wrt=_wrt(args.wrt, None), format=args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _wrt(text: Optional[str], default: Any) -> Any:
    """``--wrt x,y`` as a tuple of names, ``--wrt x`` as one name."""
    if not text:
        return default
    return tuple(text.split(",")) if "," in text else text


_COMMANDS: Dict[str, Callable[[argparse.Namespace], int]] = {"show": _show, "check": _check, "graph": _graph}


def _example_arguments(expression: str, func: Callable) -> tuple:
    """The value of ``--args``, evaluated in the function's module (so ``np.ones(3)`` works)."""
    try:
        value = eval(expression, dict(func.__globals__))
    except Exception as exc:
        raise ValueError(f"cannot evaluate --args {expression!r}: {type(exc).__name__}: {exc}") from None
    return value if isinstance(value, tuple) else (value,)


def _load(target: str) -> Callable:
    path, _, name = target.rpartition(":")
    if not path or not name:
        raise ValueError(f"expected FILE.py:FUNC, got {target!r}")
    if not os.path.isfile(path):
        raise ValueError(f"no such file: {path}")
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ValueError(f"cannot import {path}: {type(exc).__name__}: {exc}") from None
    finally:
        sys.path.pop(0)
    func = getattr(module, name, None)
    if not callable(func):
        raise ValueError(f"{path} defines no function {name!r}")
    return func
