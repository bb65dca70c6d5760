"""Exceptions raised in generated code name the user's ``file:line``.

A traceback through a generated gradient shows frames of ``<s2sgrad grad_f …>``:
the generated code, readable, but not the line the user wrote. For each such
frame the exception gets the user's statement it was generated from — on
Python 3.11+ as a note (``add_note``), printed under the exception; on 3.8-3.10
as an extra traceback entry right before the generated one, ``File "model.py",
line 12, in loss``, which every traceback printer and IDE shows. The innermost
entry stays the frame that raised, where ``pdb.post_mortem`` stops.
"""

import functools
import sys
import types
from typing import Any, Callable, Iterator, List, Optional, Set, Tuple

from ..source_map import GENERATED_PREFIX, Origin, user_origin

_DONE = "__s2sgrad_mapped__"  # on an exception: the generated frames already annotated
# On an exception that names the user's line of a generated frame itself (NonFiniteError): that frame.
OWN_FRAME = "__s2sgrad_frame__"
USE_NOTES = sys.version_info >= (3, 11)


def add_source_notes(exc: BaseException, use_notes: bool = USE_NOTES) -> None:
    """Annotate each generated frame of ``exc``'s traceback with the user's statement, once."""
    done: Set[Tuple[int, int, bool]] = getattr(exc, _DONE, set())
    own = getattr(exc, OWN_FRAME, None)
    for previous, tb, origin in list(_generated_frames(exc.__traceback__)):
        key = (id(tb.tb_frame), tb.tb_lineno, use_notes)
        if key in done or tb.tb_frame is own:
            continue
        done.add(key)
        if use_notes:
            exc.add_note(note(tb.tb_frame.f_code.co_name, origin))
        else:
            previous.tb_next = _user_traceback(origin, tb)
    setattr(exc, _DONE, done)  # every exception has a __dict__ (BaseException's)


def note(generated_name: str, origin: Origin) -> str:
    """The note for one generated frame: where its statement comes from, as a traceback prints a frame."""
    sweep = f", {origin.sweep} sweep" if origin.sweep else ""
    return (
        f"s2sgrad: raised in generated code ({generated_name}{sweep}) made from\n"
        f'  File "{origin.filename}", line {origin.line}, in {origin.function}\n'
        f"    {origin.text}"
    )


def source_notes(exc: BaseException) -> List[str]:
    """The note of each generated frame in ``exc``'s traceback, on any Python version."""
    return [note(tb.tb_frame.f_code.co_name, origin) for _, tb, origin in _generated_frames(exc.__traceback__)]


def with_source_notes(func: Callable) -> Callable:
    """``func`` annotating the exceptions that pass through it (see :func:`add_source_notes`)."""

    @functools.wraps(func)
    def annotating(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            add_source_notes(exc)
            raise

    return annotating


def _generated_frames(
    tb: Optional[types.TracebackType],
) -> Iterator[Tuple[types.TracebackType, types.TracebackType, Origin]]:
    """``(the entry before, the entry, its origin)`` for each entry of generated code with a known origin.

    The first entry is the frame that caught the exception, s2sgrad's own wrapper: never generated code.
    """
    while tb is not None and tb.tb_next is not None:
        previous, tb = tb, tb.tb_next
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(GENERATED_PREFIX):
            origin = user_origin(filename, tb.tb_lineno)
            if origin is not None:
                yield previous, tb, origin


class _Marker(Exception):
    """Raised at the user's line to make a frame there."""


def _user_traceback(origin: Origin, tb_next: Optional[types.TracebackType]) -> types.TracebackType:
    """A traceback entry for ``origin``'s line, followed by ``tb_next``.

    The frame comes from running code compiled under the user's file name and
    function name with its ``raise`` on the user's line, so that every printer
    reads the user's line from the user's file.
    """
    code = compile("\n" * (origin.line - 1) + "raise _Marker", origin.filename, "exec")
    if origin.function.isidentifier():
        code = code.replace(co_name=origin.function)
    try:
        exec(code, {"_Marker": _Marker})
    except _Marker:
        made = sys.exc_info()[2].tb_next  # the entry of the code just run
    return types.TracebackType(tb_next, made.tb_frame, made.tb_lasti, made.tb_lineno)
