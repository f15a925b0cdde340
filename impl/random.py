"""The global random generator (numpy PCG64), seeded by impl.manual_seed."""
import numpy as np

_state = {"gen": np.random.default_rng(0), "seed": 0}


def manual_seed(seed):
    _state["gen"] = np.random.default_rng(int(seed))
    _state["seed"] = int(seed)
    return Generator(_state["gen"])


def seed():
    s = int(np.random.SeedSequence().entropy % (2**63))
    manual_seed(s)
    return s


def initial_seed():
    return _state["seed"]


def generator():
    return _state["gen"]


class Generator:
    """A torch.Generator look-alike wrapping a numpy Generator (for DataLoader shuffles)."""

    def __init__(self, rng=None):
        self.rng = rng if rng is not None else np.random.default_rng()

    def manual_seed(self, seed):
        self.rng = np.random.default_rng(int(seed))
        return self

    def get_state(self):
        return self.rng.bit_generator.state

    def set_state(self, state):
        self.rng.bit_generator.state = state


def get_rng_state():
    return _state["gen"].bit_generator.state


def set_rng_state(new_state):
    _state["gen"].bit_generator.state = new_state
