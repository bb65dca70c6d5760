"""Generated code leads back to the user's lines: in the source map, in tracebacks, in linecache."""

import inspect
import linecache
import math
import sys
import traceback

import pytest

import s2sgrad
from s2sgrad import source_map
from s2sgrad.source_map import lookup, user_origin
from s2sgrad.tools.tracebacks import add_source_notes, source_notes

THIS_FILE = __file__


def line_of(func, text: str) -> int:
    """The file line of ``text`` in ``func``'s source."""
    lines, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(lines) if text in line)


def loop(x, n):
    s = 0.0
    for i in range(n):
        s = s * x + i
    return s


def root_helper(a):
    b = a * a
    return math.sqrt(b) + a  # d/db of sqrt at b = 0: a ZeroDivisionError in the reverse sweep only


def calls_root(x, y):
    z = x * y
    w = root_helper(z)
    return w * y


def generated_line(generated, text: str) -> int:
    """The line number, in the generated file, of the line holding ``text``."""
    lines = lookup(generated.__code__.co_filename).text.splitlines()
    return 1 + next(i for i, line in enumerate(lines) if text in line and not line.strip().startswith("#"))


def test_each_generated_line_maps_to_its_statement_and_sweep():
    s2sgrad.grad(loop)(1.5, 4)
    generated = s2sgrad.api._cached(
        loop, ("x",), s2sgrad.api._kinds_from_args(loop, (1.5, 4)), s2sgrad.api.ReverseOptions(), True
    ).function
    filename = generated.__code__.co_filename
    body = line_of(loop, "s = s * x + i")
    cases = {
        "s_stack.append(s)": (body, "forward"),
        "s = s_stack.pop()": (body, "reverse"),
        "d_x += ": (body, "reverse"),
        "s_stack = []": (line_of(loop, "for i in range(n)"), "forward"),
        "d_s = d_out": (line_of(loop, "return s"), "reverse"),
    }
    for text, (line, sweep) in cases.items():
        origin = user_origin(filename, generated_line(generated, text))
        assert (origin.filename, origin.line, origin.sweep, origin.function) == (THIS_FILE, line, sweep, "loop"), text


def test_an_exception_in_a_callee_gradient_names_both_user_lines():
    with pytest.raises(ZeroDivisionError) as info:
        s2sgrad.grad(calls_root)(0.0, 3.0)
    printed = "".join(traceback.format_exception(info.type, info.value, info.tb))
    for func, text in ((calls_root, "w = root_helper(z)"), (root_helper, "return math.sqrt(b) + a")):
        assert f'File "{THIS_FILE}", line {line_of(func, text)}, in {func.__name__}' in printed
        assert text in printed
    if sys.version_info >= (3, 11):
        assert len(info.value.__notes__) == 2 and "reverse sweep" in info.value.__notes__[1]


def test_the_extra_frame_of_python_before_3_11():
    """The 3.8-3.10 form, checked on any version: an entry at the user's line right before the generated one."""
    gradient = s2sgrad.grad(root_helper)
    try:
        gradient(0.0)
    except ZeroDivisionError as exc:
        exc.__notes__ = []  # what 3.11+ added: not under test here
        add_source_notes(exc, use_notes=False)
        add_source_notes(exc, use_notes=False)  # twice: still one entry per generated frame
        frames = traceback.extract_tb(exc.__traceback__)
        innermost = exc.__traceback__
        while innermost.tb_next is not None:
            innermost = innermost.tb_next
    assert [(f.filename.startswith("<s2sgrad"), f.name) for f in frames[-2:]] == [
        (False, "root_helper"),
        (True, "grad_root_helper"),
    ]
    assert (frames[-2].filename, frames[-2].lineno) == (THIS_FILE, line_of(root_helper, "math.sqrt(b)"))
    assert frames[-2].line.startswith("return math.sqrt(b) + a  # d/db of sqrt")
    assert "b" in innermost.tb_frame.f_locals  # pdb.post_mortem still stops in the frame that raised


def test_second_derivatives_map_through_the_generated_gradient():
    def cube_root_of_square(x):
        return math.sqrt(x * x) * 3.0

    with pytest.raises(ZeroDivisionError) as info:
        s2sgrad.hessian(cube_root_of_square)(0.0)
    printed = "".join(traceback.format_exception(info.type, info.value, info.tb))
    where = f'File "{THIS_FILE}", line {line_of(cube_root_of_square, "math.sqrt(x * x)")}, in cube_root_of_square'
    assert where in printed and "jvp_grad_cube_root_of_square" in printed


def test_generated_source_survives_clearing_linecache():
    def scaled_root(x):
        return math.sqrt(x) * 2.0

    gradient = s2sgrad.grad(scaled_root)
    assert gradient(4.0) == 0.5
    linecache.clearcache()
    assert s2sgrad.hessian(scaled_root)(4.0) == pytest.approx(-1 / 16, rel=1e-12)  # parses the generated gradient
    linecache.clearcache()
    with pytest.raises(ZeroDivisionError) as info:
        gradient(0.0)
    printed = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert "d_t0 = d_out * 2.0" in printed or "/ (2.0 * t0)" in printed  # the generated line itself is shown


def test_source_notes_name_the_users_line_on_any_python():
    """What the command line prints under an error (tested there in a subprocess): one note per generated frame."""
    try:
        s2sgrad.grad(root_helper)(0.0)
    except ZeroDivisionError as exc:
        notes = source_notes(exc)
    assert len(notes) == 1 and "reverse sweep" in notes[0]
    assert f'File "{THIS_FILE}", line {line_of(root_helper, "math.sqrt(b)")}, in root_helper' in notes[0]


def test_a_map_whose_origins_lead_back_to_themselves_stops_at_the_line_already_seen(monkeypatch):
    # two generated texts, each line 2 made "from" the other's line 2: following them must end, not loop forever
    first, second = "<s2sgrad cycle_a 0>", "<s2sgrad cycle_b 0>"
    for name, other in ((first, second), (second, first)):
        text = f"# y = x  ({other}:2)\ny = x\n"
        monkeypatch.setitem(
            source_map._MAPS, name, source_map.SourceMap(name, text, source_map.origins_of(text, "", "f"))
        )
    try:
        origin = user_origin(first, 2)
    finally:
        for name in (first, second):
            linecache.cache.pop(name, None)
    assert (origin.filename, origin.line, origin.text) == (first, 2, "y = x")  # the last origin before the cycle closes
