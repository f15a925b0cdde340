"""Padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad; 1-D and 2-D) over F.pad,
storing ``padding`` as the tuple torch's layers store."""
from .. import functional as F
from ._utils import _ntuple, _pair
from .module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d",
           "ReplicationPad1d", "ReplicationPad2d", "ZeroPad1d", "ZeroPad2d"]

_quadruple = _ntuple(4, "_quadruple")


class _ConstantPadNd(Module):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _pair(padding)


class ConstantPad2d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _quadruple(padding)


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ModePadNd(Module):
    """Reflection, replication and circular padding: F.pad with the layer's mode."""
    mode = ""
    _dims = ()  # input dims the layer accepts (checked by the circular ones, as torch's)

    def __init__(self, padding):
        super().__init__()
        self.padding = _pair(padding) if len(self._dims) and self._dims[0] == 2 else _quadruple(padding)

    def forward(self, input):
        if self.mode == "circular" and input.dim() not in self._dims:
            raise ValueError(f"expected {self._dims[0]}D or {self._dims[1]}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    mode, _dims = "reflect", (2, 3)


class ReflectionPad2d(_ModePadNd):
    mode, _dims = "reflect", (3, 4)


class ReplicationPad1d(_ModePadNd):
    mode, _dims = "replicate", (2, 3)


class ReplicationPad2d(_ModePadNd):
    mode, _dims = "replicate", (3, 4)


class CircularPad1d(_ModePadNd):
    mode, _dims = "circular", (2, 3)


class CircularPad2d(_ModePadNd):
    mode, _dims = "circular", (3, 4)
