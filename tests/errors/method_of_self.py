# args: (1.0,)
class Model:
    def __init__(self):
        self.w = 2.0

    def scale(self, x):
        return self.w * x

    def loss(self, x):
        return self.scale(x) * x  # error: calling a method of 'self' is not supported yet


f = Model().loss
