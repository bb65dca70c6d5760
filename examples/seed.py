"""The worked example of the tutorial: f(x, y) = x² + y² at (2, 3)."""

# golden: f wrt=x,y args=(2.0, 3.0)
import s2sgrad


def f(x: float, y: float) -> float:
    return x**2 + y**2


if __name__ == "__main__":
    value, (d_x, d_y) = s2sgrad.value_and_grad(f, wrt=("x", "y"))(2.0, 3.0)
    print(f"f(2, 3)         = {value}")
    print(f"(df/dx, df/dy)  = ({d_x}, {d_y})")
    print()
    print("The generated gradient (s2sgrad show examples/seed.py:f --wrt x,y):")
    print()
    print(s2sgrad.source(f, wrt=("x", "y")))
