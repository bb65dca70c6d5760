"""Functions defined in IPython cells, Jupyter notebooks, exec'd strings and the plain REPL.

IPython and Jupyter register each cell's text in ``linecache`` under the cell's
file name, which is where s2sgrad reads a function's source; the guarded cache
sees a redefined function (a new global) and recompiles. IPython, nbformat,
nbclient and ipykernel are optional: the tests that need them skip without.
"""

import ast
import linecache
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from gradcheck import check_grad, numeric_difference
from test_html_view import Page, user_text

import s2sgrad

ROOT = pathlib.Path(__file__).resolve().parent.parent


def agrees_with_differences(gradient: float, func, x: float) -> bool:
    """A scalar derivative against Richardson-extrapolated central differences, within their error estimate."""
    difference = numeric_difference(func, (x,), 0, np.float64(1.0))
    return abs(gradient - difference.value) <= difference.error


@pytest.fixture
def shell():
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    config = pytest.importorskip("traitlets.config").Config()
    config.HistoryManager.hist_file = ":memory:"  # no history database in the home directory
    shell = interactiveshell.InteractiveShell.instance(config=config)
    yield shell
    interactiveshell.InteractiveShell.clear_instance()


def run_cell(shell, code: str) -> None:
    shell.run_cell(textwrap.dedent(code)).raise_error()


def test_ipython_cells_differentiate_and_a_redefined_callee_recompiles_its_caller(shell):
    run_cell(shell, "import numpy as np\nimport s2sgrad\n")
    run_cell(shell, "def f(x):\n    return np.sin(x) * x\n")
    run_cell(shell, "def g(x):\n    return f(x) ** 2\n")
    run_cell(shell, "d_g = s2sgrad.grad(g)\nbefore = d_g(0.7)\n")
    ns = shell.user_ns
    check_grad(ns["f"], (0.7,))
    assert agrees_with_differences(ns["before"], ns["g"], 0.7)
    run_cell(shell, "def f(x):\n    return x**3 + np.cos(x)\n")  # a new cell redefines f: g now calls it
    run_cell(shell, "after = d_g(0.7)\n")  # the gradient made before the redefinition
    assert agrees_with_differences(ns["after"], ns["g"], 0.7)
    assert not agrees_with_differences(ns["before"], ns["g"], 0.7)


def test_rerunning_a_cell_with_an_edit_recompiles_and_tools_read_the_cell(shell):
    for body in ("x * x * x", "np.exp(x) / x"):
        run_cell(
            shell, f"import numpy as np\nimport s2sgrad\ndef h(x):\n    return {body}\nd_h = s2sgrad.grad(h)(1.3)\n"
        )
        assert agrees_with_differences(shell.user_ns["d_h"], shell.user_ns["h"], 1.3)
    page = Page(s2sgrad.html_view(shell.user_ns["h"]))
    (line,) = [row for row in page.rows.values() if user_text(row) == "return np.exp(x) / x"]
    assert line["attrs"]["id"] == "u0-4" and line["links"]  # line 4 of the cell, linked to the generated code


def test_an_error_in_a_cell_function_points_at_the_cells_line(shell):
    run_cell(shell, "import numpy as np\ndef bad(x):\n    y = x\n    return np.i0(y)\n")  # i0: no rule
    with pytest.raises(s2sgrad.TransformError) as raised:
        s2sgrad.grad(shell.user_ns["bad"])(1.0)
    assert raised.value.line == 4 and "np.i0(y)" in str(raised.value)


def test_a_notebook_runs_through_nbclient():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nimport numpy as np\nimport s2sgrad",
        "def f(x):\n    return np.tanh(x) * x",
        "def loss(w):\n    return np.sum(f(w) ** 2)",
        "d_loss = s2sgrad.grad(loss)\nprint(d_loss(np.array([0.3, -1.2])).tolist())",
        "def f(x):\n    return x**3",
        "print(d_loss(np.array([0.3, -1.2])).tolist())",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    printed = [notebook.cells[i].outputs[0]["text"] for i in (3, 5)]
    w = np.array([0.3, -1.2])
    first = 2 * np.tanh(w) * w * (np.tanh(w) + w * (1 - np.tanh(w) ** 2))  # d/dw (tanh(w) w)², by hand
    second = 6 * w**5  # d/dw (w³)²
    for text, expected in zip(printed, (first, second)):
        np.testing.assert_allclose(ast.literal_eval(text), expected, rtol=1e-12)


def test_exec_with_the_text_in_linecache_differentiates_and_without_it_says_how():
    text = "import numpy as np\ndef f(x):\n    return np.sin(x) ** 2\n"
    namespace: dict = {}
    exec(compile(text, "<cell-1>", "exec"), namespace)
    with pytest.raises(s2sgrad.TransformError, match=r"linecache\.cache\[name\]"):
        s2sgrad.grad(namespace["f"])(0.4)
    linecache.cache["<cell-1>"] = (len(text), None, text.splitlines(True), "<cell-1>")
    try:
        check_grad(namespace["f"], (0.4,))
    finally:
        del linecache.cache["<cell-1>"]


def test_the_plain_python_prompt_differentiates_where_python_keeps_the_source_and_else_says_what_to_do():
    session = "import s2sgrad\ndef f(x):\n    return x**3\n\nprint(s2sgrad.grad(f)(2.0))\n"
    # Python 3.13's prompt keeps what is typed in linecache (<stdin>-N); earlier ones and `python -` do not
    for flags, kept in ((["-i"], sys.version_info >= (3, 13)), (["-"], False)):
        result = subprocess.run(
            [sys.executable, *flags], input=session, capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        if kept:
            assert result.stdout.strip() == "12.0", result.stderr
        else:
            assert "cannot read the source of 'f'" in result.stderr
            assert "define the function in a .py file and import it, or use IPython or Jupyter" in result.stderr
