"""1994, Bengio, Simard & Frasconi: learning long-term dependencies with gradient descent is difficult.

lstm_1997's adding problem, model, optimizer, batches and step count, with a plain tanh nn.RNN of the same
hidden size in place of the LSTM. Its gradient through 25-49 steps of tanh(W h) vanishes, so it cannot find the
first marked value and settles near predicting the mean: held-out MSE near the baseline 1/6 (it may shave a
little off by half-remembering the second, more recent value). Shown on purpose, like xor_1969.
Goal: held-out MSE >= 0.1 (the failure is the result).
"""
from .lstm_1997 import LSTM1997, MEAN_BASELINE


class RNN1994(LSTM1997):
    name = "rnn_1994"
    title = "A plain RNN fails the same adding problem (Bengio, Simard & Frasconi 1994)"
    goal = "held-out MSE >= 0.1 (failure shown on purpose; predicting the mean: 0.167)"
    learns = False
    cell = "RNN"
    threshold = 0.6 * MEAN_BASELINE  # 0.1; torch, seeds 0/1/2: 0.174 / 0.183 / 0.157

    def passed(self, accuracy, final_loss):
        return accuracy >= self.threshold


MILESTONE = RNN1994()
