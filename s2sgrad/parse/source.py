"""Read a function's source, parse it with gast and keep the map back to the file.

Every node of the parsed tree keeps the line and column it had in the snippet;
:meth:`FunctionSource.error` turns them back into ``file:line:col`` of the real
file, so that errors raised by any later stage point at the user's code.
"""

import __future__

import ast
import copy
import dataclasses
import functools
import inspect
import linecache
import operator
import os
import re
import textwrap
import tokenize
from dataclasses import dataclass
from types import CodeType
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import gast

from .. import source_map
from ..errors import TransformError
from .resolve import Namespace


@dataclass
class FunctionSource:
    """A user function as the compiler sees it."""

    func: Callable
    tree: gast.FunctionDef
    filename: str
    lines: List[str]  # the snippet's lines, as in the file (not dedented)
    first_line: int  # file line number of the snippet's first line
    indent: int  # columns that dedenting removed
    namespace: Namespace

    @property
    def name(self) -> str:
        return self.tree.name

    @property
    def short_filename(self) -> str:
        return os.path.basename(self.filename)

    def file_line(self, node: Any) -> int:
        """The line of the file a node (or a snippet line number) comes from."""
        lineno = node if isinstance(node, int) else getattr(node, "lineno", 1) or 1
        return self.first_line + lineno - 1

    def line_text(self, node: Any) -> str:
        lineno = node if isinstance(node, int) else getattr(node, "lineno", 1) or 1
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1].rstrip("\n")
        return ""

    def where(self, node: Any) -> str:
        return f"{self.short_filename}:{self.file_line(node)}"

    def error(self, node: Any, message: str, hint: str = "") -> TransformError:
        """A TransformError pointing at ``node`` in the user's file."""
        lineno = getattr(node, "lineno", None)
        col = (getattr(node, "col_offset", 0) or 0) + self.indent
        end_col = getattr(node, "end_col_offset", None)
        same_line = getattr(node, "end_lineno", lineno) == lineno
        return TransformError(
            message,
            filename=self.filename,
            line=None if lineno is None else self.file_line(lineno),
            col=col,
            end_col=end_col + self.indent if end_col is not None and same_line else None,
            source_line=self.line_text(lineno) if lineno else "",
            hint=hint,
        )


def _no_source_hint(filename: str) -> str:
    """What to do about a function whose source Python did not keep, by where it was defined."""
    rule = "or register a derivative rule for it with s2sgrad.register_adjoint."
    if filename.startswith("<stdin>"):  # piped to python -, or typed at the prompt (3.13 keeps that: <stdin>-N)
        return (
            "Python keeps no source for functions piped to python - or typed at the prompt of Python 3.12 or older: "
            "define the function in a .py file and import it, or use IPython or Jupyter, "
            f"which keep each cell's source (s2sgrad reads it from there), {rule}"
        )
    if filename.startswith("<"):  # exec() or compile() of a string
        return (
            "code run by exec() or compile() from a string has no file to read: write it to a .py file, "
            "or register the text under the name given to compile(), "
            f"linecache.cache[name] = (len(text), None, text.splitlines(True), name), {rule}"
        )
    return f"define it in a .py file (not in a C extension), {rule}"


# inspect's pattern of the line a definition starts on (findsource, before Python 3.13)
_DEFINITION = re.compile(r"^(\s*def\s)|(\s*async\s+def\s)|(.*(?<!\w)lambda(:|\s))|^(\s*@)")


def _definition_lines(code: CodeType, func: Callable) -> Tuple[List[str], int]:
    """``inspect.getsourcelines(code)``, read from linecache directly where the code's first line starts it.

    inspect first looks for the code's module (inspect.getmodule walks sys.modules): milliseconds
    per call in a process that has imported SciPy, most of the time of reading a short function.
    """
    filename = code.co_filename
    linecache.checkcache(filename)  # a file edited since it was read: its new text (_check_source_runs tells)
    lines = linecache.getlines(filename, getattr(func, "__globals__", None))
    start = code.co_firstlineno - 1
    if 0 <= start < len(lines) and _DEFINITION.match(lines[start]):
        return inspect.getblock(lines[start:]), start + 1
    return inspect.getsourcelines(code)


def parse_function(func: Callable) -> FunctionSource:
    """Parse ``func``'s source into a gast FunctionDef with its line map.

    Raises:
        TransformError: the function has no retrievable Python source.
    """
    prepared = getattr(func, "__s2sgrad_source__", None)  # a function the compiler made (normalize.nested)
    if prepared is not None:
        return dataclasses.replace(prepared, tree=copy.deepcopy(prepared.tree), namespace=prepared.namespace.fresh())
    code = getattr(func, "__code__", None)
    # The running code's own name and lines: a functools.wraps wrapper is read as itself, not as
    # its __wrapped__, and a function whose __code__ was replaced as the code it now runs.
    name = code.co_name if code is not None else getattr(func, "__name__", repr(func))
    filename = getattr(code, "co_filename", "<unknown>")
    source_map.lookup(filename)  # generated code (differentiated again): back in linecache if it was cleared
    try:
        lines, first_line = _definition_lines(code, func) if code is not None else inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        raise TransformError(
            f"cannot read the source of {name!r} ({exc})",
            filename=filename,
            hint=_no_source_hint(filename),
        ) from None
    except tokenize.TokenError as exc:  # the file was edited since, and a bracket is now left open to its end
        raise TransformError(
            f"cannot parse the source of {name!r}: {exc.args[0]}",
            filename=filename,
            line=getattr(code, "co_firstlineno", None),
        ) from None
    first_line = max(first_line, 1)
    if code is not None:
        _check_source_runs(code, name)
    if name == "<lambda>" and linecache.getlines(filename):
        # a lambda's own lines are often not a statement (`lambda x: x * x, wrt=0`): parse its whole file
        lines, first_line = linecache.getlines(filename), 1
    snippet = "".join(lines)
    dedented = textwrap.dedent(snippet)
    indent = len(lines[0]) - len(lines[0].lstrip()) if dedented != snippet else 0
    namespace = Namespace.of(func)
    source = FunctionSource(func, None, filename, lines, first_line, indent, namespace)
    try:
        # a lambda's whole file: Python's own parser, and only the lambda converted to gast (converting a
        # long file node by node was most of the time of compiling a lambda's gradient)
        module = _lambdas_of(dedented) if name == "<lambda>" else gast.parse(dedented)
    except SyntaxError as exc:
        raise TransformError(
            f"cannot parse the source of {name!r}: {exc.msg}", filename=filename, line=first_line
        ) from None
    tree = _find_definition(module, func, name, source)
    tree.decorator_list = []
    _without_positional_only(tree)
    _flatten_parameters(tree.args)
    source.tree = tree
    return source


class _FileLambdas(NamedTuple):
    """A whole file parsed with Python's own parser, and its lambdas by line."""

    body: List[ast.stmt]
    by_line: Dict[int, List[ast.Lambda]]


@functools.lru_cache(maxsize=16)
def _lambdas_of(text: str) -> _FileLambdas:
    """The lambdas of a file's text, parsed and indexed once per text.

    A file of many lambdas (a table of test cases, say) is otherwise parsed and walked
    again for each one differentiated: most of the time of compiling such a lambda's
    gradient. The cached tree is only read: ``gast.ast_to_gast`` builds new nodes.
    """
    module = ast.parse(text)
    by_line: Dict[int, List[ast.Lambda]] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Lambda):
            by_line.setdefault(node.lineno, []).append(node)
    return _FileLambdas(module.body, by_line)


def _find_definition(module: Any, func: Callable, name: str, source: FunctionSource) -> gast.FunctionDef:
    """The FunctionDef (or a lambda made into one) named ``name`` that defines ``func``.

    ``module`` is a gast Module, or for a lambda the whole file's :class:`_FileLambdas`.
    """
    for node in module.body:
        if isinstance(node, gast.FunctionDef) and node.name == name:
            return node
    if name == "<lambda>":
        code = func.__code__
        params = list(code.co_varnames[: code.co_argcount])
        on_its_line = module.by_line.get(code.co_firstlineno, ())  # the whole file: snippet lines are file lines
        lambdas = [n for n in on_its_line if [a.arg for a in n.args.args] == params]
        if len(lambdas) == 1:
            bound = source.namespace.name_of(func, "", set())  # softplus = lambda z: ... is "softplus"
            return _lambda_to_def(gast.ast_to_gast(lambdas[0]), bound if bound and bound.isidentifier() else "lambda_")
        raise source.error(
            lambdas[1] if lambdas else module.body[0],
            "cannot tell which lambda on this line is the one to differentiate",
            hint="define the function with def, or put the lambda on a line of its own.",
        )
    raise source.error(module.body[0], f"cannot find a plain def of {name!r}: an async def is not differentiable")


def has_extra_parameters(func: Callable) -> bool:
    """Whether ``func`` takes ``*args``, ``**kwargs`` or keyword-only parameters."""
    code = getattr(func, "__code__", None)
    return code is not None and bool(code.co_kwonlyargcount or code.co_flags & _VARIABLE_ARGUMENTS)


_VARIABLE_ARGUMENTS = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS


def _without_positional_only(tree: gast.FunctionDef) -> None:
    """``(a, /, x)`` as ``(a, x)``, in the function and in the functions and lambdas it defines.

    Every pass reads a function's parameters from ``args.args``: one left in
    ``posonlyargs`` was taken for a name from outside (reassigned, it was not
    renamed, so its adjoint mixed the old value's and the new one's; in a nested
    function, it was passed in again as a captured variable). Generated code is
    called positionally, and the user's own calls have been checked by Python.
    """
    for node in gast.walk(tree):
        if isinstance(node, gast.arguments):
            node.args, node.posonlyargs = [*node.posonlyargs, *node.args], []


def _flatten_parameters(args: gast.arguments) -> None:
    """``(a, /, x, *xs, k=2.0, **kw)`` as ``(a, x, xs, k, kw)``: a tuple and a dict among plain parameters.

    Generated code is always called with every argument bound, in the order of
    ``inspect.signature`` (the ``*args`` tuple, the keyword-only values, the
    ``**kwargs`` dict), so plain parameters in that order receive them; the
    defaults are dropped, as they would no longer line up with the parameters.
    """
    if not (args.vararg or args.kwonlyargs or args.kwarg):
        return
    extras = [args.vararg, *args.kwonlyargs, args.kwarg]
    args.args = [*args.args, *(a for a in extras if a is not None)]
    args.vararg, args.kwonlyargs, args.kw_defaults, args.kwarg, args.defaults = None, [], [], None, []


def _lambda_to_def(node: gast.Lambda, name: str) -> gast.FunctionDef:
    body = [gast.copy_location(gast.Return(value=node.body), node.body)]
    definition = gast.FunctionDef(
        name=name, args=node.args, body=body, decorator_list=[], returns=None, type_comment=None
    )
    if hasattr(gast.FunctionDef, "_fields") and "type_params" in gast.FunctionDef._fields:
        definition.type_params = []
    return gast.copy_location(definition, node)


def _check_source_runs(code: CodeType, name: str) -> None:
    """Raise unless the file's text, as read now, compiles to the code that runs.

    A module edited on disk after its import runs the old code while its file
    shows the new text: differentiating the text would give the gradient of a
    function that does not run. The whole file is compiled (once per text) so
    that closures, methods and decorators compile exactly as on import; code
    objects compare equal when bytecode, constants, names and positions agree.
    IPython compiles a cell one top-level statement at a time, and the bytecode
    can differ (3.11+ calls an imported module's functions differently when the
    import is in the same unit), so each statement compiled alone counts too.
    """
    text = "".join(linecache.getlines(code.co_filename))
    compiled = _code_objects(text, code.co_filename, code.co_flags & _FUTURE_FLAGS)
    if compiled is None:  # compiled with flags of its own (a notebook cell with top-level await): cannot tell
        return
    if any(candidate == code for candidate in compiled.get(_place(code), ())):
        return
    one_by_one = _code_objects(text, code.co_filename, code.co_flags & _FUTURE_FLAGS, per_statement=True) or {}
    if any(candidate == code for candidate in one_by_one.get(_place(code), ())):
        return
    raise TransformError(
        f"the source of {name!r} in {os.path.basename(code.co_filename)} does not match the code that runs: "
        "the file was edited after it was imported",
        filename=code.co_filename,
        line=code.co_firstlineno,
        hint="reload the module (importlib.reload) or restart Python, then take the gradient again.",
    )


def _place(code: CodeType) -> Tuple[str, int]:
    return code.co_name, code.co_firstlineno


# The __future__ features a code object was compiled with (a notebook carries them from cell to cell).
_FUTURE_FLAGS = functools.reduce(
    operator.or_, (getattr(__future__, feature).compiler_flag for feature in __future__.all_feature_names)
)


@functools.lru_cache(maxsize=32)
def _code_objects(
    text: str, filename: str, flags: int, per_statement: bool = False
) -> Optional[Dict[Tuple[str, int], List[CodeType]]]:
    """Every code object the text compiles to (each top-level statement alone, with ``per_statement``),
    by name and first line; None if it does not compile."""
    try:
        if per_statement:
            statements = ast.parse(text, filename).body
            units: List[Any] = [ast.Module(body=[statement], type_ignores=[]) for statement in statements]
        else:
            units = [text]
        pending = [compile(unit, filename, "exec", flags=flags, dont_inherit=True) for unit in units]
    except (SyntaxError, ValueError):
        return None
    found: Dict[Tuple[str, int], List[CodeType]] = {}
    while pending:
        code = pending.pop()
        found.setdefault(_place(code), []).append(code)
        pending += [c for c in code.co_consts if isinstance(c, CodeType)]
    return found
