# args: (1.0,)
async def f(x):  # error: an async def is not differentiable
    return x * x
