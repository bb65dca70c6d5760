# args: (0.5,)
class Model:
    def __init__(self):
        self.w = 2.0

    def predict(self, x):
        return self.w * x


MODEL = Model()


def f(x):
    return MODEL.predict(x) * x  # error: calls to Python functions such as 'Model.predict' are not supported yet
