"""Which line of the user's code each line of generated code comes from.

The emitter puts a comment ``# <source line>  (file.py:N)`` above each run of
generated statements that come from user line N, and ``# forward sweep`` /
``# reverse sweep`` above the two sweeps. This module reads those comments
back: for every line of a compiled text it knows the user's file, line and
source text, and the sweep. A statement after a nested block belongs to the
comment before the block, at its own indentation, as the emitter wrote it.

Every compiled text is kept here by its file name (``<s2sgrad grad_f 1a2b>``)
and is put back into ``linecache`` whenever a tool reads it, so tracebacks,
pdb and ``inspect.getsource`` find it even after ``linecache.clearcache()``.
"""

import linecache
import os
import re
import threading
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

GENERATED_PREFIX = "<s2sgrad "
_ORIGIN = re.compile(r"^(\s*)# (.*)  \(([^()]+):(\d+)\)$")
_SECTION = re.compile(r"^(\s*)# (forward|reverse) sweep$")
_SPLIT_HALF = re.compile(r"^\s*def (forward|backward)_")  # a callee's forward_h and backward_h: one sweep each


@dataclass(frozen=True)
class Origin:
    """The user's statement a generated line comes from."""

    filename: str  # the user's file, a full path where it is known
    line: int
    text: str  # the user's source line, stripped
    function: str  # the user's function
    sweep: str  # "forward", "reverse", or "" (forward mode, or code before any section)

    @property
    def where(self) -> str:
        return f"{os.path.basename(self.filename)}:{self.line}"


@dataclass
class SourceMap:
    """A compiled generated text and the origin of each of its lines."""

    filename: str
    text: str
    origins: Dict[int, Origin]  # line of the text -> origin; lines before any origin comment are absent

    def origin(self, line: int) -> Optional[Origin]:
        return self.origins.get(line)

    def register(self) -> None:
        """Put the text into ``linecache`` (again, if it was cleared)."""
        if self.filename not in linecache.cache:
            linecache.cache[self.filename] = (len(self.text), None, self.text.splitlines(True), self.filename)


_MAPS: Dict[str, SourceMap] = {}
_LOCK = threading.Lock()


def register(filename: str, text: str, user_filename: str, user_function: str) -> SourceMap:
    """Map and keep a compiled text; ``user_filename`` resolves the comments' short file names."""
    source_map = SourceMap(filename, text, origins_of(text, user_filename, user_function))
    with _LOCK:
        _MAPS[filename] = source_map
    source_map.register()
    return source_map


def lookup(filename: str) -> Optional[SourceMap]:
    """The map of a generated file name, registered again in ``linecache``; None for other files."""
    source_map = _MAPS.get(filename)
    if source_map is not None:
        source_map.register()
    return source_map


def user_origin(filename: str, line: int) -> Optional[Origin]:
    """The user's statement behind a line of generated code, through generated code made from generated code.

    Forward mode over a generated gradient (``hessian``) has comments naming the
    gradient's lines; those are followed back to the user's.
    """
    seen = set()
    origin = None
    while (filename, line) not in seen:
        seen.add((filename, line))
        source_map = lookup(filename)
        found = source_map.origin(line) if source_map else None
        if found is None:
            return origin
        origin = found
        filename, line = found.filename, found.line
    return origin


def origins_of(text: str, user_filename: str, user_function: str) -> Dict[int, Origin]:
    """Each line's origin: the latest origin comment at its indentation or an enclosing one."""
    by_indent: List[Tuple[int, Optional[Origin]]] = []  # the open blocks' current origins, outermost first
    sweep = ""
    origins: Dict[int, Origin] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        while by_indent and by_indent[-1][0] > indent:  # left a nested block
            by_indent.pop()
        section = _SECTION.match(line)
        comment = _ORIGIN.match(line)
        half = _SPLIT_HALF.match(line)
        if half:
            sweep = "forward" if half.group(1) == "forward" else "reverse"
        elif section:
            sweep = section.group(2)
            _set(by_indent, indent, None)
        elif comment:
            filename = _resolved(comment.group(3), user_filename)
            origin = Origin(filename, int(comment.group(4)), comment.group(2).strip(), user_function, sweep)
            _set(by_indent, indent, origin)
        else:
            current = next((o for _, o in reversed(by_indent) if o is not None), None)
            if current is not None:
                origins[number] = current
    return origins


def _set(by_indent: List[Tuple[int, Optional[Origin]]], indent: int, origin: Optional[Origin]) -> None:
    if by_indent and by_indent[-1][0] == indent:
        by_indent[-1] = (indent, origin)
    else:
        by_indent.append((indent, origin))


def _resolved(short: str, user_filename: str) -> str:
    """The comment names the file by its base name: the user's full path when that is the file."""
    return user_filename if os.path.basename(user_filename) == short else short
