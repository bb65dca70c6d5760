# golden: clipped_square wrt=x args=(1.5,)
def clipped_square(x):
    if (s := x * x) > 1.0:
        return (t := s - 1.0) * t + s
    return s
