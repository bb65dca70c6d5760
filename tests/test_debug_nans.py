"""grad(f, debug_nans=True) and ``s2sgrad check --nans``: the first non-finite statement, named at the user's line."""

import inspect
import pathlib
import subprocess
import sys
import traceback
import warnings

import numpy as np
import pytest

import s2sgrad

ROOT = pathlib.Path(__file__).resolve().parent.parent
THIS_FILE = __file__


def line_of(func, text: str) -> int:
    lines, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(lines) if text in line)


def norm_plus_sum(x):
    s = np.sum(x * x)
    r = np.sqrt(s)  # finite at x = 0 (r = 0), but its derivative 1 / (2 r) is not
    return r + np.sum(x)


def shifted_log(v):
    return np.log(v - 1.0)


def calls_shifted_log(x):
    t = x * 2.0
    return np.sum(shifted_log(t))


def root_of(v):
    u = v * v
    return np.sqrt(u)


def calls_root(x):
    y = x + 1.0
    z = root_of(y - 1.0)
    return np.sum(z * 3.0)


def quietly(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy warns of the division by zero; the test reads it
        return call()


def test_a_nan_only_in_the_reverse_sweep_names_its_line_operation_and_operands():
    x = np.zeros(3)
    assert np.isfinite(norm_plus_sum(x)) and np.all(np.isnan(quietly(lambda: s2sgrad.grad(norm_plus_sum)(x))))
    with pytest.raises(s2sgrad.NonFiniteError) as info:
        quietly(lambda: s2sgrad.grad(norm_plus_sum, debug_nans=True)(x))
    message = str(info.value)
    assert isinstance(info.value, FloatingPointError)
    assert "made in the reverse sweep, differentiating" in message
    line = line_of(norm_plus_sum, "r = np.sqrt(s)")
    assert f'File "{THIS_FILE}", line {line}, in norm_plus_sum\n    r = np.sqrt(s)' in message
    assert (info.value.origin.line, info.value.origin.sweep) == (line, "reverse")
    assert "is d_s = " in message and "inf" in message.splitlines()[0]
    assert "/ (2.0 * r)" in message  # the operation: the adjoint of sqrt as generated
    assert message.splitlines()[-2:] == ["  d_out = 1.0", f"  r = {np.float64(0.0)!r}"]  # its operands
    printed = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert f"line {line_of(norm_plus_sum, 's = np.sum(x * x)')}" not in printed  # no note naming the next line


def test_a_nan_in_the_forward_sweep_of_a_called_function():
    with pytest.raises(s2sgrad.NonFiniteError) as info:
        quietly(lambda: s2sgrad.value_and_grad(calls_shifted_log, debug_nans=True)(np.array([0.2, 1.0])))
    origin = info.value.origin
    # the callee's forward function (transform.split) is generated code too: the line inside the callee
    assert (origin.function, origin.line, origin.sweep) == (
        "shifted_log",
        line_of(shifted_log, "return np.log(v - 1.0)"),
        "forward",
    )
    assert "array (2,) float64, min 0, max 0, 1 nan" in str(info.value)  # the result: log(2 * 0.2 - 1) is NaN
    assert "= array (2,) float64, min -0.6, max 1" in str(info.value)  # its operand, v - 1.0


def test_a_nan_in_a_callee_gradient_names_the_callee_line_and_the_call():
    with pytest.raises(s2sgrad.NonFiniteError) as info:
        quietly(lambda: s2sgrad.grad(calls_root, debug_nans=True)(np.array([0.0, 2.0])))
    origin = info.value.origin
    assert (origin.function, origin.line, origin.sweep) == ("root_of", line_of(root_of, "np.sqrt(u)"), "reverse")
    printed = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert f"line {line_of(calls_root, 'z = root_of(y - 1.0)')}, in calls_root" in printed  # the caller's frame


def test_finite_gradients_run_unchanged_and_the_trace_is_restored():
    before = sys.gettrace()
    x = np.array([0.5, -1.5])
    assert np.array_equal(s2sgrad.grad(norm_plus_sum, debug_nans=True)(x), s2sgrad.grad(norm_plus_sum)(x))
    assert sys.gettrace() is before


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "s2sgrad", *args], capture_output=True, text=True, cwd=ROOT)


def test_check_nans_on_the_command_line():
    target = f"{pathlib.Path(__file__).relative_to(ROOT)}:norm_plus_sum"
    bad = run("check", target, "--args", "np.zeros(3)", "--nans")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"line {line_of(norm_plus_sum, 'r = np.sqrt(s)')}, in norm_plus_sum" in bad.stdout
    good = run("check", target, "--args", "np.array([0.5, -1.5])", "--nans")
    assert good.returncode == 0, good.stdout + good.stderr
