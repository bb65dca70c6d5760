"""Programs that must be rejected: each file in tests/errors/ marks its offending line.

The marker ``# error: <text>`` ends the line the TransformError must point at;
``<text>`` must appear in the message. A header ``# args: EXPR`` gives the
arguments of the first call. ``wrt`` is every float argument.
"""

import importlib.util
import pathlib
import re

import numpy
import pytest

import s2sgrad

ERRORS = pathlib.Path(__file__).resolve().parent / "errors"
FILES = sorted(ERRORS.glob("*.py"))


def _load(path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(f"error_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expectation(path: pathlib.Path):
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines, start=1):
        match = re.search(r"# error: (.+)$", line)
        if match:
            return number, match.group(1).strip()
    raise AssertionError(f"{path.name} marks no line with '# error:'")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_rejected_with_file_line_and_caret(path):
    module = _load(path)
    args = eval(re.search(r"^# args: (.*)$", path.read_text(), re.MULTILINE).group(1), vars(module))
    line, text = _expectation(path)
    wrt = tuple(i for i, a in enumerate(args) if isinstance(a, (float, numpy.ndarray)))
    with pytest.raises(s2sgrad.TransformError) as caught:
        s2sgrad.grad(module.f, wrt=wrt)(*args)
    error = caught.value
    assert text in error.message
    assert error.line == line
    assert error.filename == str(path)
    rendered = str(error).splitlines()
    assert rendered[0].startswith(f"{path}:{line}:")
    assert rendered[1].strip() == path.read_text().splitlines()[line - 1].strip()
    assert set(rendered[2].strip()) == {"^"}


def test_an_argument_the_rule_does_not_differentiate_is_rejected_in_forward_mode_too():
    """The tangent template of clip has no term for ``a_min``: a tangent along it would be silently dropped."""
    path = ERRORS / "uncovered_argument.py"
    module = _load(path)
    line, text = _expectation(path)
    with pytest.raises(s2sgrad.TransformError) as caught:
        s2sgrad.jvp(module.f, (numpy.ones(3), 0.5), (None, 1.0))
    assert text in caught.value.message and caught.value.line == line
