"""Stage 1 — parse: source text, line map and name resolution of a user function."""

from .resolve import Namespace
from .source import FunctionSource, parse_function

__all__ = ["FunctionSource", "Namespace", "parse_function"]
