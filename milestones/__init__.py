"""Historical models that must really learn, on impl, checked against torch.

``MILESTONES`` maps each name (as printed by ``python -m milestones --json``) to its Milestone; ``run(m, lib,
seed)`` trains one from scratch; see ``_core`` for the contract and the learning / twin checks.
"""
from ._core import Milestone, Result, learning_problems, max_rel_err, run, twin_losses
from .cnn_1998 import MILESTONE as _cnn
from .lstm_1997 import MILESTONE as _lstm
from .mlp_1986 import MILESTONE as _mlp
from .perceptron_1957 import MILESTONE as _perceptron
from .pinn_2019 import MILESTONE as _pinn
from .rnn_1994 import MILESTONE as _rnn
from .transformer_2017 import MILESTONE as _transformer
from .xor_1969 import MILESTONE as _xor69
from .xor_1986 import MILESTONE as _xor86

MILESTONES = {m.name: m for m in (_perceptron, _xor69, _xor86, _mlp, _rnn, _lstm, _cnn, _transformer, _pinn)}

__all__ = ["MILESTONES", "Milestone", "Result", "learning_problems", "max_rel_err", "run", "twin_losses"]
