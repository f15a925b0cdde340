"""1969, Minsky & Papert's objection: a single-layer perceptron cannot represent XOR.

The perceptron_1957 model (Linear(2, 1) + Sigmoid, BCE, SGD) trained on the four XOR points. No line separates
{(0,1), (1,0)} from {(0,0), (1,1)}, so at most 3 of 4 points can ever be right; in fact gradient descent drives
the unit towards w = 0, b = 0 (p = 0.5 everywhere, the BCE optimum for this model) and the loss stays near
log 2. Shown on purpose. Goal: accuracy <= 0.75 (the failure is the result).
"""
import numpy as np

from ._core import Milestone, as_tensor, to_numpy
from .data import XOR_X, XOR_Y


class XOR1969(Milestone):
    name = "xor_1969"
    title = "XOR with one layer fails (Minsky & Papert 1969)"
    goal = "accuracy <= 0.75 (failure shown on purpose)"
    learns = False
    steps, lr = 200, 0.5

    def data(self, seed):
        return dict(x=XOR_X, y=XOR_Y)

    def build(self, lib, data):
        nn = lib.nn
        return nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())

    def optimizer(self, lib, params):
        return lib.optim.SGD(params, lr=self.lr)

    def batches(self, data, seed):
        for _ in range(self.steps):  # full batch: the four points
            yield data["x"], data["y"]

    def loss(self, lib, model, x, y):
        return lib.nn.functional.binary_cross_entropy(model(x).squeeze(-1), y)

    def evaluate(self, lib, model, data, dtype):
        p = to_numpy(model(as_tensor(lib, data["x"], dtype))).squeeze(-1)
        return float(np.mean((p > 0.5) == (data["y"] > 0.5)))

    def passed(self, accuracy, final_loss):
        return accuracy <= 0.75


MILESTONE = XOR1969()
