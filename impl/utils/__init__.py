"""impl.utils: data loading (``impl.utils.data``) and gradient-flow diagnostics (``impl.utils.diagnostics``)."""
from . import data

__all__ = ["data"]
