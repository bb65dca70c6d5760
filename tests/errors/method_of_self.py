# args: (1.0,)
class Model:
    def __init__(self):
        self.w = 2.0

    @staticmethod
    def scale(x):
        return 2.0 * x

    def loss(self, x):
        return self.scale(x) * x * self.w  # error: calling a method of 'self' is not supported yet


f = Model().loss
