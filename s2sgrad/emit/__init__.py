"""Stage 6 — emit: source text with comments, then a live Python function."""

from .compile import compile_function
from .unparse import to_source, unparse_tree

__all__ = ["compile_function", "to_source", "unparse_tree"]
