"""The persistent cache: generated source kept on disk, so a new process skips the transform.

Where: ``$S2SGRAD_CACHE_DIR``, else ``$XDG_CACHE_HOME/s2sgrad``, else ``~/.cache/s2sgrad``.
Off: ``S2SGRAD_CACHE=off`` (or ``0``, ``false``, ``no``), or ``s2sgrad.set_cache_dir(None)``.

An entry is found by a hash of what is known before compiling: the function's source
lines, file, first line and code, what is compiled (mode, wrt, options, argument
kinds), and the compiler (s2sgrad's own files, the rule table, Python, NumPy and gast
versions). It then says what the compilation read — each global, builtin, closure
cell and module attribute, by where it was read — with a description of the value:
a module by name, a function by where it is importable from and a digest of its code,
data by its kind. An entry is used only when every read finds the same description
now, and each called user function's generated code (rebuilt through the caches) is
the one the entry was compiled against. The in-memory guards (s2sgrad.cache) are then
built from the values read now, exactly as a compilation would build them: a disk hit
is as safe as a recompilation. Anything a description cannot pin down (an object
known only by identity, a lambda, a user rule) is simply not stored.

Entries are written to a temporary file and renamed into place (atomic, so concurrent
processes never see half an entry), and carry a checksum of their contents: a
truncated or corrupt entry is ignored and written again.
"""

import builtins
import dis
import hashlib
import json
import linecache
import os
import pathlib
import sys
import tempfile
import types
from typing import Any, Callable, List, Optional, Tuple

import gast
import numpy

from . import kinds as K
from .kinds import Kind
from .parse.resolve import MISSING

FORMAT = 1
VARIANTS = 4  # kept per entry
counts = {"loaded": 0, "stored": 0}  # entries used and written by this process (for tests and curiosity)
_OFF = ("0", "off", "false", "no")
_directory: List[Any] = []  # set_cache_dir's choice, if any: [path or None]


class Uncacheable(Exception):
    """What an entry would need cannot be described for another process: the entry is not stored."""


def set_cache_dir(directory: Optional[str]) -> None:
    """Keep generated code in ``directory`` (created when needed); ``None`` turns the disk cache off.

    Overrides the environment (``S2SGRAD_CACHE_DIR``, ``S2SGRAD_CACHE=off``) for this process.
    """
    _directory[:] = [None if directory is None else pathlib.Path(directory)]


def cache_dir() -> Optional[pathlib.Path]:
    """Where generated code is kept now, or None when the disk cache is off."""
    if _directory:
        return _directory[0]
    if os.environ.get("S2SGRAD_CACHE", "").strip().lower() in _OFF:
        return None
    chosen = os.environ.get("S2SGRAD_CACHE_DIR")
    if chosen:
        return pathlib.Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "s2sgrad"


# ----- the key: what is known before compiling -----


def entry_key(func: Callable, parts: tuple) -> Optional[str]:
    """The hash naming ``func``'s entry for a compilation described by ``parts``; None: not stored."""
    code = getattr(func, "__code__", None)
    if type(func) is not types.FunctionType or code.co_name == "<lambda>" or hasattr(func, "__s2sgrad_source__"):
        return None  # a lambda's gradient reads its whole file; the compiler's own functions are made live
    if code.co_filename.startswith("<s2sgrad "):
        return None  # generated code (a second derivative): its text lives in this process only
    try:
        lines = _source_lines(code)
        described = (
            FORMAT,
            _compiler(),
            func.__qualname__,
            code.co_filename,
            lines,
            code_digest(code),
            described_defaults(func),
            _plain(parts),
        )
    except (Uncacheable, OSError, TypeError):
        return None
    return hashlib.sha256(repr(described).encode()).hexdigest()


def _source_lines(code: types.CodeType) -> Tuple[str, ...]:
    """The file's lines from the function's first (its decorators') to the last its code runs, comments included:
    the generated code quotes them. (``inspect.getsourcelines`` finds the same lines, thirty times slower.)"""
    lines = linecache.getlines(code.co_filename)
    if not lines:
        raise OSError(f"no source for {code.co_filename}")
    return tuple(lines[code.co_firstlineno - 1 : _last_line(code)])


def _last_line(code: types.CodeType) -> int:
    inner = [_last_line(c) for c in code.co_consts if isinstance(c, types.CodeType)]
    return max([line or 0 for _, line in dis.findlinestarts(code)] + inner + [code.co_firstlineno])


_COMPILER: List[str] = []


def _compiler() -> str:
    """What the compiler is: s2sgrad's files (their sizes and times), and the versions of what it builds on.

    File times, not contents: reading every file would cost more than a second process's first call may.
    """
    if not _COMPILER:
        files = []
        for folder, _, names in os.walk(os.path.dirname(os.path.abspath(__file__))):
            for name in sorted(names):
                if name.endswith(".py"):
                    status = os.stat(os.path.join(folder, name))
                    files.append((folder, name, status.st_size, status.st_mtime_ns))
        versions = (sys.version, numpy.__version__, getattr(gast, "__version__", ""))
        _COMPILER.append(hashlib.sha256(repr((sorted(files), versions)).encode()).hexdigest())
    return _COMPILER[0]


def _plain(value: Any) -> Any:
    """``value`` with kinds and options spelled out, for the key's text (a function kind is not: identity)."""
    if isinstance(value, Kind):
        if value.function is not None:
            raise Uncacheable("a kind that holds a function or class")
        return ("kind", value.tag, value.ndim, _plain(value.element), _plain(value.items))
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _plain(v)) for k, v in value.items())
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "__dataclass_fields__"):  # options
        return (type(value).__name__, repr(value))
    raise Uncacheable(f"a {type(value).__name__} in the key")


# ----- descriptions of values -----


def describe(value: Any) -> Any:
    """What a value read at compile time is, in terms another process can check; raises Uncacheable."""
    if value is MISSING:
        return ["missing"]
    if isinstance(value, types.ModuleType):
        if sys.modules.get(value.__name__) is not value:
            raise Uncacheable("a module not in sys.modules")
        return ["module", value.__name__]
    if value is None or isinstance(value, (str, bytes)):
        return ["constant", repr(value)]
    kind = K.kind_of(value)
    if kind.tag not in ("function", "other"):
        return ["data", repr(_plain(kind))]  # generated code reads data live: only its kind was compiled in
    place = importable_name(value)
    if isinstance(value, types.FunctionType):
        if place is None and vars(value):
            raise Uncacheable("a function with attributes (a wrapper, or made by s2sgrad)")
        return ["function", place or value.__qualname__, code_digest(value.__code__), described_defaults(value)]
    if place is None:
        raise Uncacheable(f"{value!r}, known only by identity")
    return ["object", place]


def described_defaults(func: types.FunctionType) -> list:
    """A function's defaults: a caller's code is specialized on their kinds, and a call of a function with
    keyword-only parameters spells a number or string default out (analyze.calls.call_arguments): those by value."""

    def one(value: Any) -> Any:
        return ["constant", repr(value)] if type(value) in (bool, int, float, str) else describe(value)

    kwdefaults = sorted((k, one(v)) for k, v in (func.__kwdefaults__ or {}).items())
    return [[one(v) for v in func.__defaults__ or ()], kwdefaults]


def importable_name(value: Any) -> Optional[str]:
    """``module:qualname`` if importing that gives ``value`` itself, else None."""
    module = getattr(value, "__module__", None)
    if module is None and isinstance(value, numpy.ufunc):
        module = "numpy"
    qualname = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    return f"{module}:{qualname}" if imported(module, qualname) is value else None


def imported(module: str, qualname: str) -> Any:
    """``module.qualname`` from an already imported module, or MISSING (nothing is imported here)."""
    found = sys.modules.get(module, MISSING)
    for part in qualname.split("."):
        found = getattr(found, part, MISSING)
    return found


def code_digest(code: types.CodeType) -> str:
    """A digest of a code object, the same in every process (marshal's output is not: it depends on refcounts)."""
    parts = (
        code.co_name,
        code.co_filename,
        code.co_firstlineno,
        code.co_argcount,
        code.co_kwonlyargcount,
        code.co_flags,
        code.co_code,
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        getattr(code, "co_linetable", None) or code.co_lnotab,
        tuple(_constant(c) for c in code.co_consts),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _constant(value: Any) -> Any:
    if isinstance(value, types.CodeType):
        return code_digest(value)
    if isinstance(value, frozenset):  # its order follows string hashes, which differ between processes
        return ("frozenset", sorted(repr(_constant(v)) for v in value))
    if isinstance(value, tuple):
        return tuple(_constant(v) for v in value)
    return repr(value)


# ----- where a value was read -----


def place_of(where: Any, key: Any, func: types.FunctionType) -> List[Any]:
    """How to find ``where`` (a read's dict, cell or module) again from ``func``; raises Uncacheable."""
    if where is func.__globals__:
        return ["globals", key]
    if where is vars(builtins):
        return ["builtins", key]
    if isinstance(where, types.CellType):
        cells = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
        for name, cell in cells.items():
            if cell is where:
                return ["cell", name]
        raise Uncacheable("a cell of another function")
    if isinstance(where, dict) and isinstance(where.get("__name__"), str):
        module = sys.modules.get(where["__name__"])
        if module is not None and vars(module) is where:
            return ["module dict", where["__name__"], key]
    if isinstance(where, types.ModuleType) and sys.modules.get(where.__name__) is where:
        return ["module", where.__name__, key]
    raise Uncacheable("a read from an object")


def found_at(place: List[Any], func: types.FunctionType) -> Tuple[Any, Any, Any]:
    """``(where, key, value now)`` for a place ``place_of`` described; KeyError when it is gone."""
    how = place[0]
    if how == "globals":
        return func.__globals__, place[1], func.__globals__.get(place[1], MISSING)
    if how == "builtins":
        table = vars(builtins)
        return table, place[1], table.get(place[1], MISSING)
    if how == "cell":
        cell = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))[place[1]]
        try:
            return cell, None, cell.cell_contents
        except ValueError:  # an empty cell
            return cell, None, MISSING
    module = sys.modules[place[1]]
    if how == "module dict":
        return vars(module), place[2], vars(module).get(place[2], MISSING)
    return module, place[2], getattr(module, place[2], MISSING)


# ----- entries on disk -----


def _path(key: str, directory: Optional[pathlib.Path] = None) -> Optional[pathlib.Path]:
    directory = directory or cache_dir()
    return None if directory is None else directory / f"v{FORMAT}" / key[:2] / f"{key}.json"


def read(key: str, directory: Optional[pathlib.Path] = None) -> List[dict]:
    """The variants stored under ``key`` (in ``directory``, or the cache's), newest first, checked whole; none when
    the entry is missing, truncated or corrupt."""
    path = _path(key, directory)
    if path is None:
        return []
    try:
        outer = json.loads(path.read_bytes())
        payload = outer["payload"]
        if outer["key"] != key or outer["sum"] != hashlib.sha256(payload.encode()).hexdigest():
            return []
        return list(json.loads(payload)["variants"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


def write(key: str, variant: dict) -> None:
    """Store ``variant`` under ``key``, before the others kept there: all of it or nothing, whatever other
    processes do meanwhile (one may overwrite another's variant: each is valid, and the next run stores it again).

    Variants: one source compiled against different values (a global another module changes, a called
    function replaced), each loaded only where its reads match.
    """
    path = _path(key)
    if path is None:
        return
    others = [v for v in read(key) if (v["reads"], v["calls"]) != (variant["reads"], variant["calls"])]
    payload = json.dumps({"variants": [variant, *others][:VARIANTS]}, sort_keys=True)
    text = json.dumps({"key": key, "sum": hashlib.sha256(payload.encode()).hexdigest(), "payload": payload})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:8]}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(text)
            os.replace(temporary, path)  # atomic: readers see the old entry or the new one, never a part
            counts["stored"] += 1
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:  # a read-only or full disk: the cache is an optimization, the gradient is not at stake
        pass


def kind_to_json(kind: Kind) -> Any:
    return _plain(kind)


def kind_from_json(value: Any) -> Optional[Kind]:
    """The kind ``kind_to_json`` described (after a trip through JSON: tuples come back as lists)."""
    if value is None:
        return None
    items = None if value[4] is None else tuple((key, kind_from_json(kind)) for key, kind in value[4])
    return Kind(value[1], value[2], None, kind_from_json(value[3]), items)


def summary(generated: Any) -> str:
    """What a caller's generated code relies on of a callee's: its text, names and kinds."""
    described = (
        generated.source,
        generated.report,
        repr(_plain(generated.result_kind)),
        sorted(generated.written_parameters),
        generated.seed,
        generated.name,
        generated.forward_name,
        generated.tangent_params,
    )
    return hashlib.sha256(repr(described).encode()).hexdigest()
