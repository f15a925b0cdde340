"""impl.utils: data loading (``impl.utils.data``) and gradient-flow diagnostics (``impl.utils.diagnostics``)."""
from . import data

__all__ = ["data"]
from . import checkpoint  # noqa: E402 - activation checkpointing (torch.utils.checkpoint)

__all__ += ["checkpoint"]
