"""Helpers shared by the ModuleSpec families: seeded value generators and the usual drawn arguments."""
import numpy as np
from hypothesis import strategies as st

from reference.modulespec import ModuleSample
from reference.strategies import away_from, distinct, rng_of

__all__ = ["ModuleSample", "away_from", "distinct", "randn", "rng_of", "reductions", "st"]

reductions = st.sampled_from(["mean", "sum", "none"])


def randn(rng, shape, scale=1.0):
    """Standard normal values (float64; run_twins casts them to the tested dtype)."""
    return np.asarray(rng.normal(size=tuple(shape)) * scale, dtype=np.float64)
