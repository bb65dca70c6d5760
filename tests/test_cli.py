"""The command line, through a real subprocess."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def plain(text: str) -> str:
    """Without parentheses: Python 3.8's unparser (astunparse) adds them around every operation."""
    return text.replace("(", "").replace(")", "")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "s2sgrad", *args], capture_output=True, text=True, cwd=ROOT)


def test_show_prints_the_seed_gradient():
    result = run("show", "examples/seed.py:f", "--wrt", "x,y")
    assert result.returncode == 0, result.stderr
    assert "def grad_f(x, y, d_out=1.0):" in result.stdout
    assert "    d_x = d_out * 2 * x\n    d_y = d_out * 2 * y\n    return d_x, d_y\n" in plain(result.stdout)


def test_show_forward_mode_prints_the_jvp():
    result = run("show", "examples/seed.py:f", "--wrt", "x,y", "--mode", "forward")
    assert result.returncode == 0, result.stderr
    assert "def jvp_f(x, y, t_x, t_y):" in result.stdout
    assert "t_t0 = t_x * 2 * x" in plain(result.stdout)


def test_stages_and_no_optimize():
    normalized = run("show", "tests/cases/reassignment.py:f", "--stage", "normalized").stdout
    assert "y_1 = y * y" in plain(normalized) and "d_" not in normalized
    raw = run("show", "tests/cases/reassignment.py:f", "--no-optimize").stdout
    optimized = run("show", "tests/cases/reassignment.py:f").stdout
    assert len(raw.splitlines()) > len(optimized.splitlines())
    assert raw == run("show", "tests/cases/reassignment.py:f", "--stage", "raw").stdout


def test_console_script_is_the_same_program():
    """The package is installed (``pip install -e .``) with its console script beside the interpreter."""
    script = pathlib.Path(sys.executable).parent / "s2sgrad"
    assert script.exists(), f"no console script {script}: install the package (pip install -e .)"
    result = subprocess.run([str(script), "show", "examples/seed.py:f"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "def grad_f(x, y, d_out=1.0):" in result.stdout


def test_missing_file_function_and_untransformable_exit_2_without_traceback(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("SCALE = 1 / 0\n\n\ndef f(x):\n    return SCALE * x\n")
    for target, message in (
        ("nowhere.py:f", "no such file: nowhere.py"),
        ("examples/seed.py", "expected FILE.py:FUNC, got 'examples/seed.py'"),
        (f"{broken}:f", f"cannot import {broken}: ZeroDivisionError: division by zero"),
        ("examples/seed.py:g", "defines no function 'g'"),
        ("tests/errors/try_block.py:f", "try_block.py:9:"),
    ):
        result = run("show", target)
        assert result.returncode == 2, target
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_report_lists_what_each_loop_stores():
    result = run("show", "tests/cases/range_loop.py:f", "--args", "1.5, 4", "--report")
    assert result.returncode == 0, result.stderr
    report = result.stdout[result.stdout.index("# storage report") :]
    assert "# line range_loop.py:4: for i in range(n):" in report
    assert "1 stack push per iteration" in report
    assert "i: not stored (the reversed range recomputes it)" in report
    assert "s: pushed before each overwrite (line 5)" in report


def test_report_of_a_loop_that_stores_nothing():
    result = run("show", "tests/cases/rosenbrock_loop.py:f", "--args", "np.ones(4)", "--report")
    assert result.returncode == 0, result.stderr
    assert "0 stack pushes per iteration" in result.stdout
    assert ".append(" not in result.stdout


def test_bad_example_arguments_exit_2():
    result = run("show", "tests/cases/range_loop.py:f", "--args", "nope(")
    assert result.returncode == 2 and "cannot evaluate --args" in result.stderr
