"""1986, Rumelhart, Hinton & Williams: one hidden layer trained by backpropagation solves XOR.

Model: Linear(2, 8) + Tanh + Linear(8, 1) + Sigmoid, BCE, Adam, full batch on the four points.
Goal: accuracy 1.0 and final loss < 0.05.
"""
import numpy as np

from ._core import Milestone, as_tensor, to_numpy
from .data import XOR_X, XOR_Y


class XOR1986(Milestone):
    name = "xor_1986"
    title = "XOR with backpropagation (Rumelhart, Hinton & Williams 1986)"
    goal = "accuracy == 1.0 and final loss < 0.05"
    hidden, steps, lr = 8, 300, 0.05

    def data(self, seed):
        return dict(x=XOR_X, y=XOR_Y)

    def build(self, lib, data):
        nn = lib.nn
        return nn.Sequential(nn.Linear(2, self.hidden), nn.Tanh(), nn.Linear(self.hidden, 1), nn.Sigmoid())

    def optimizer(self, lib, params):
        return lib.optim.Adam(params, lr=self.lr)

    def batches(self, data, seed):
        for _ in range(self.steps):
            yield data["x"], data["y"]

    def loss(self, lib, model, x, y):
        return lib.nn.functional.binary_cross_entropy(model(x).squeeze(-1), y)

    def evaluate(self, lib, model, data, dtype):
        p = to_numpy(model(as_tensor(lib, data["x"], dtype))).squeeze(-1)
        return float(np.mean((p > 0.5) == (data["y"] > 0.5)))

    def passed(self, accuracy, final_loss):
        return accuracy == 1.0 and final_loss < 0.05


MILESTONE = XOR1986()
