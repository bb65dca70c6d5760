"""s2sgrad.graph and ``s2sgrad graph``: the computational graph at a point, as SVG and DOT."""

import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import s2sgrad

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import seed  # noqa: E402  (examples/ is not a package)

SVG = "{http://www.w3.org/2000/svg}"


def nodes_of(svg_text: str) -> dict:
    """``{node id: [its text lines]}`` of a drawn graph; parsing fails unless it is well-formed XML."""
    root = ET.fromstring(svg_text)
    assert root.tag == f"{SVG}svg"
    return {
        g.get("id"): [span.text for span in g.iter(f"{SVG}tspan")]
        for g in root.iter(f"{SVG}g")
        if g.get("class") in ("argument", "operation", "output")
    }


def by_label(nodes: dict) -> dict:
    """``{first line without spaces and parentheses: the other lines}``: 3.8's unparser adds parentheses."""
    return {lines[0].replace(" ", "").replace("(", "").replace(")", ""): lines[1:] for lines in nodes.values()}


def test_the_seed_graph_shows_the_tutorials_values_and_adjoints():
    nodes = by_label(nodes_of(s2sgrad.graph(seed.f, 2.0, 3.0)))
    assert nodes == {
        "x": ["value 2", "adjoint 4"],  # df/dx = 2x
        "y": ["value 3", "adjoint 6"],  # df/dy = 2y
        "t0=x**2": ["value 4", "adjoint 1"],
        "t1=y**2": ["value 9", "adjoint 1"],
        "t2=t0+t1": ["value 13", "adjoint 1"],
        "fx,y": ["value 13", "adjoint 1"],  # the output, with the seed df/df = 1
    }


def test_the_seed_graph_as_dot_has_the_edges_of_the_expression():
    dot = s2sgrad.graph(seed.f, 2.0, 3.0, format="dot")
    assert dot.startswith('digraph "f" {') and dot.rstrip().endswith("}")
    for edge in ('"x" -> "n0"', '"y" -> "n1"', '"n0" -> "n2"', '"n1" -> "n2"', '"n2" -> "out"'):
        assert edge in dot
    assert 'label="x\\nvalue 2\\nadjoint 4"' in dot


def test_wrt_limits_the_adjoints_and_bad_formats_are_errors():
    nodes = by_label(nodes_of(s2sgrad.graph(seed.f, 2.0, 3.0, wrt="x")))
    assert nodes["x"] == ["value 2", "adjoint 4"] and nodes["y"] == ["value 3"]
    with pytest.raises(ValueError, match="format"):
        s2sgrad.graph(seed.f, 2.0, 3.0, format="png")
    with pytest.raises(TypeError, match="integer"):
        s2sgrad.graph(running_product, 1.5, 3, wrt="n")


def soft_loss(w, X):
    z = np.tanh(X @ w)
    return np.sum(z * z)


def running_product(x, n):
    s = 1.0
    for _ in range(n):
        s = s * x
    return s


def test_array_values_and_the_arguments_adjoint_against_finite_differences():
    w, X = np.array([0.3, -0.8]), np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.1]])
    nodes = by_label(nodes_of(s2sgrad.graph(soft_loss, w, X, wrt="w")))
    z = np.tanh(X @ w)
    assert nodes["z=np.tanht0"][0] == "value " + np.array2string(z, precision=4, separator=" ")
    shown = np.array([float(v) for v in nodes["w"][1].split("[")[1].rstrip("]").split()])
    step = 1e-6  # the adjoint shown is the gradient: central differences agree to its 4 printed digits
    numeric = [(soft_loss(w + step * e, X) - soft_loss(w - step * e, X)) / (2 * step) for e in np.eye(2)]
    assert np.allclose(shown, numeric, rtol=1e-3)


def test_a_loop_shows_its_last_values_and_says_so():
    nodes = by_label(nodes_of(s2sgrad.graph(running_product, 1.5, 3)))
    assert nodes["s=1.0"] == ["value 1", "(its name is assigned again: adjoint not shown)"]
    loop_node = nodes["t0=s*x"]
    assert loop_node[0] == f"value {1.5**3:.6g}" and loop_node[1].startswith("(in a loop")
    assert nodes["x"] == ["value 1.5", f"adjoint {3 * 1.5**2:.6g}"] and nodes["n"] == ["value 3"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "s2sgrad", *args], capture_output=True, text=True, cwd=ROOT)


def test_the_command_line_writes_svg_and_dot(tmp_path):
    result = run("graph", "examples/seed.py:f", "--args", "2.0, 3.0")
    assert result.returncode == 0, result.stderr
    assert by_label(nodes_of(result.stdout))["x"] == ["value 2", "adjoint 4"]
    out = tmp_path / "seed.dot"
    result = run("graph", "examples/seed.py:f", "--args", "2.0, 3.0", "--format", "dot", "-o", str(out))
    assert result.returncode == 0 and result.stdout == "" and out.read_text().startswith('digraph "f"')


def test_the_picture_in_the_repository_is_the_seeds():
    nodes = by_label(nodes_of((ROOT / "docs" / "seed_graph.svg").read_text()))
    assert nodes == by_label(nodes_of(s2sgrad.graph(seed.f, 2.0, 3.0)))


def branchy(x, y):
    pair = (x, y, x, y, x, y, x, y, x, y)
    if x > 0.0:  # noqa: SIM108 - a statement in a branch is what is drawn here
        z = x * y
    else:
        z = x + y
    return z * pair[0]


def test_a_branch_says_its_values_are_those_of_the_branch_that_ran_and_other_values_show_their_repr():
    nodes = by_label(nodes_of(s2sgrad.graph(branchy, 2.0, 3.0)))
    assert nodes["pair=x,y,x,y,x,y,x,y,x,y"][0] == "value (2.0, 3.0, 2.0, 3.0, 2.0, 3.0, 2.0, 3..."  # repr, cut to 40
    assert nodes["z=x*y"][0] == "value 6" and nodes["z=x*y"][1].startswith("(in a branch: the value if it ran")
    assert nodes["x"] == ["value 2", "adjoint 12"] and nodes["y"] == ["value 3", "adjoint 4"]  # d(x*x*y) = 2xy, x*x


def test_a_function_without_float_arguments_is_an_error():
    with pytest.raises(TypeError, match="no argument is a float or a float array"):
        s2sgrad.graph(running_product, 2, 3)
