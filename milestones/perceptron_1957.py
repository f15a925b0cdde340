"""1957, Rosenblatt's perceptron: one linear unit separates two linearly separable clusters.

Model: Linear(2, 1) + Sigmoid, binary cross-entropy, plain SGD on minibatches. Accuracy is measured on a
fresh held-out sample from the same two clusters. Goal: accuracy >= 0.99.
"""
import numpy as np

from ._core import Milestone, minibatches, rng, to_numpy
from .data import gaussian_clusters


class Perceptron1957(Milestone):
    name = "perceptron_1957"
    title = "Perceptron (Rosenblatt 1957)"
    goal = "held-out accuracy >= 0.99"
    epochs, batch_size, lr = 10, 20, 0.5

    def data(self, seed):
        x, y = gaussian_clusters(seed, n_per_class=100)
        x_te, y_te = gaussian_clusters(seed + 10_000, n_per_class=250)
        return dict(x=x, y=y, x_test=x_te, y_test=y_te)

    def build(self, lib, data):
        nn = lib.nn
        return nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())

    def optimizer(self, lib, params):
        return lib.optim.SGD(params, lr=self.lr)

    def batches(self, data, seed):
        for idx in minibatches(len(data["y"]), self.batch_size, self.epochs, rng(seed, 1)):
            yield data["x"][idx], data["y"][idx]

    def loss(self, lib, model, x, y):
        return lib.nn.functional.binary_cross_entropy(model(x).squeeze(-1), y)

    def evaluate(self, lib, model, data, dtype):
        from ._core import as_tensor

        p = to_numpy(model(as_tensor(lib, data["x_test"], dtype))).squeeze(-1)
        return float(np.mean((p > 0.5) == (data["y_test"] > 0.5)))

    def passed(self, accuracy, final_loss):
        return accuracy >= 0.99


MILESTONE = Perceptron1957()
