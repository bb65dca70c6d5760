"""``s2sgrad show FILE.py:FUNC`` prints the generated gradient source."""

import argparse
import importlib.util
import os
import sys
from typing import Callable, List, Optional

from .api import source
from .errors import TransformError
from .pipeline import STAGES


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="s2sgrad", description="Source-to-source automatic differentiation.")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the generated gradient of FILE.py:FUNC")
    show.add_argument("target", metavar="FILE.py:FUNC")
    show.add_argument("--wrt", default=None, help="comma-separated argument names (default: the first)")
    show.add_argument("--mode", choices=("reverse", "forward"), default="reverse")
    show.add_argument("--no-optimize", action="store_true", help="print the raw transform")
    show.add_argument("--stage", choices=STAGES, default=None, help="print the tree after this stage")
    show.add_argument("--report", action="store_true", help="also list what the reverse sweep stores, per loop")
    show.add_argument(
        "--args", default=None, metavar="EXPR", help="example arguments to specialize on, e.g. '(2.0, np.ones(3))'"
    )
    args = parser.parse_args(argv)
    try:
        func = _load(args.target)
        wrt = tuple(args.wrt.split(",")) if args.wrt and "," in args.wrt else (args.wrt or 0)
        stage = args.stage or ("raw" if args.no_optimize else "optimized")
        example = _example_arguments(args.args, func) if args.args else None
        text = source(
            func, wrt=wrt, mode=args.mode, args=example, optimize=not args.no_optimize, stage=stage, report=args.report
        )
    except (TransformError, ValueError, TypeError, NotImplementedError) as exc:
        print(f"s2sgrad: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


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
