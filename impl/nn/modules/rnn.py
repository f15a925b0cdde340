"""RNN, LSTM, GRU and their single-step cells (torch.nn.modules.rnn), as composites of impl ops.

The Python loop over time steps is the recurrence itself (each step needs the previous hidden state); nothing
loops over the batch or the hidden units. The cell equations follow the order of torch's CPU kernels
(aten/src/ATen/native/RNN.cpp): ``gates = linear_hh(h) + linear_ih(x)``,
LSTM gates in the order (input, forget, cell, output), GRU gates (reset, update, new) with
``n = tanh(i_n + r * (W_hn h + b_hn))`` and ``h' = (h - n) * z + n``.

A PackedSequence is run as torch runs it: step t holds the ``batch_sizes[t]`` sequences still running; in the
forward direction a sequence that ends leaves its state as its final state, in the reverse direction a sequence
enters with its initial state at its own last step.
"""
import math
import numbers
import warnings

from ... import _creation
from ...ops import shape as _shape
from .. import functional as F
from .. import init
from ..utils.rnn import PackedSequence
from . import _recurrence
from ._utils import new_param
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


# ---- one time step: (input projection, state tuple, recurrent weights) -> new state tuple ----------------------
def _tanh_step(gi, state, w_hh, b_hh, w_hr=None):
    return (F.linear(state[0], w_hh, b_hh).add(gi).tanh(),)


def _relu_step(gi, state, w_hh, b_hh, w_hr=None):
    return (F.linear(state[0], w_hh, b_hh).add(gi).relu(),)


def _lstm_step(gi, state, w_hh, b_hh, w_hr=None):
    h, c = state
    i, f, g, o = F.linear(h, w_hh, b_hh).add(gi).chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(gi, state, w_hh, b_hh, w_hr=None):
    h = state[0]
    i_r, i_z, i_n = gi.chunk(3, 1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, 1)
    r = h_r.add(i_r).sigmoid()
    z = h_z.add(i_z).sigmoid()
    n = i_n.add(h_n * r).tanh()
    return ((h - n) * z + n,)


_STEPS = {"LSTM": _lstm_step, "GRU": _gru_step, "RNN_TANH": _tanh_step, "RNN_RELU": _relu_step}


def _run_direction(step, gis, state, reverse, w_hh, b_hh, w_hr):
    """Run one direction of one layer over the per-step input projections ``gis`` (time order; step t has as
    many rows as sequences still running, non-increasing in t). Returns (per-step outputs, final state)."""
    n = len(gis)
    outputs = [None] * n
    full, cur = state, state[0].shape[0]
    finished = []  # forward direction: states of sequences that ended, in the order they ended
    if reverse and gis[-1].shape[0] != cur:
        cur = gis[-1].shape[0]
        state = tuple(s[:cur] for s in full)
    for t in (range(n - 1, -1, -1) if reverse else range(n)):
        rows = gis[t].shape[0]
        if rows != cur:
            if reverse:  # sequences whose last step this is join with their initial state
                state = tuple(_shape.cat([s, f[cur:rows]], 0) for s, f in zip(state, full))
            else:  # sequences that ended at the previous step keep their state as their final one
                finished.append(tuple(s[rows:] for s in state))
                state = tuple(s[:rows] for s in state)
            cur = rows
        state = step(gis[t], state, w_hh, b_hh, w_hr)
        outputs[t] = state[0]
    if finished:
        finished.append(state)
        state = tuple(_shape.cat([f[k] for f in reversed(finished)], 0) for k in range(len(state)))
    return outputs, state


class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrence shared by RNN, LSTM and GRU (torch.nn.RNNBase)."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                          f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input_size)), ("weight_hh", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for stem, shape in shapes:  # registration order = torch's state_dict order
                    name = f"{stem}_l{layer}{suffix}"
                    setattr(self, name, new_param(shape, dtype))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op, as torch's on CPU (it only re-packs weights for cuDNN)."""

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    # ---- checks (torch's messages and exception classes) ----------------------------------------------------
    def check_input(self, input, batch_sizes):
        wdtype = getattr(self, self._flat_weights_names[0]).dtype
        if input.dtype != wdtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({wdtype}). Convert input: "
                             f"input.to({wdtype}), or convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _shape.index_select(hx, 1, permutation)

    # ---- the recurrence -------------------------------------------------------------------------------------
    def _zeros(self, input, batch, size):
        num_directions = 2 if self.bidirectional else 1
        return _creation.zeros(self.num_layers * num_directions, batch, size, dtype=input.dtype)

    def _run(self, input, hx, batch_sizes):
        """input: (T, B, I) time-major, or packed data (N, I) with ``batch_sizes``; hx: tuple of (L*D, B, *)
        initial states. Returns (output (T, B, D*H') or (N, D*H'), tuple of final states (L*D, B, *))."""
        if batch_sizes is None and input.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        step = _STEPS[self.mode]
        num_directions = 2 if self.bidirectional else 1
        initial = [h.unbind(0) for h in hx]
        finals = [[] for _ in hx]
        if batch_sizes is None and self.mode != "GRU" and self.proj_size == 0:
            return self._run_fused(step, input, initial, finals)
        # Layers hand each other per-step lists: slicing a (T, ...) tensor into steps costs a full-size gradient
        # buffer per step in the backward, so it is done once, on the input.
        layer_input = input.split(batch_sizes, 0) if batch_sizes is not None else input.unbind(0)
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                names = self._all_weights[layer * num_directions + direction]
                weights = dict(zip((n.rsplit("_l", 1)[0] for n in names), (getattr(self, n) for n in names)))
                gis = [F.linear(x, weights["weight_ih"], weights.get("bias_ih")) for x in layer_input]
                state = tuple(h[layer * num_directions + direction] for h in initial)
                outputs, state = _run_direction(step, gis, state, direction == 1, weights["weight_hh"],
                                                weights.get("bias_hh"), weights.get("weight_hr"))
                outs.append(outputs)
                for k, s in enumerate(state):
                    finals[k].append(s)
            layer_input = outs[0] if num_directions == 1 else [_shape.cat(pair, -1) for pair in zip(*outs)]
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = [F.dropout(x, self.dropout, True) for x in layer_input]
        output = _shape.cat(layer_input, 0) if batch_sizes is not None else _shape.stack(layer_input, 0)
        return output, tuple(_shape.stack(f, 0) for f in finals)

    def _run_fused(self, step, input, initial, finals):
        """``_run`` for unpacked LSTM/RNN layers without projections: each layer and direction is one primitive
        over the whole (T, B, I) sequence (impl/nn/modules/_recurrence.py)."""
        num_directions = 2 if self.bidirectional else 1
        layer_input = input
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                names = self._all_weights[layer * num_directions + direction]
                weights = dict(zip((n.rsplit("_l", 1)[0] for n in names), (getattr(self, n) for n in names)))
                state = tuple(h[layer * num_directions + direction] for h in initial)
                out, state = _recurrence.run(self.mode, step, layer_input, state, weights["weight_ih"],
                                             weights["weight_hh"], weights.get("bias_ih"), weights.get("bias_hh"),
                                             direction == 1)
                outs.append(out)
                for k, s in enumerate(state):
                    finals[k].append(s)
            layer_input = outs[0] if num_directions == 1 else _shape.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, tuple(_shape.stack(f, 0) for f in finals)

    def _forward(self, input, hx):
        """Shared by RNN, LSTM and GRU: hx is None or a tuple of states ((h,) or (h, c)); returns (output,
        tuple of final states), both shaped as torch returns them."""
        lstm = self.mode == "LSTM"
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        sizes = (real_hidden, self.hidden_size) if lstm else (self.hidden_size,)
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = input
            bsz = [int(b) for b in batch_sizes._data]
            if hx is None:
                hx = tuple(self._zeros(data, bsz[0], s) for s in sizes)
            else:
                hx = tuple(self.permute_hidden(h, sorted_indices) for h in hx)
            self._check_states(data, hx, bsz)
            out, hidden = self._run(data, hx, bsz)
            packed = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
            return packed, tuple(self.permute_hidden(h, unsorted_indices) for h in hidden)
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             f"{'tensor ' if name == 'RNN' else ''}instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        if hx is not None:
            want = 3 if is_batched else 2
            if any(h.dim() != want for h in hx):
                kind = "batched 3-D" if is_batched else "unbatched 2-D"
                if lstm:
                    raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {hx[0].dim()}-D tensor")
            if not is_batched:
                hx = tuple(h.unsqueeze(1) for h in hx)
        else:
            batch = input.size(0) if self.batch_first else input.size(1)
            hx = tuple(self._zeros(input, batch, s) for s in sizes)
        self._check_states(input, hx, None)
        x = _shape.transpose(input, 0, 1) if self.batch_first else input
        out, hidden = self._run(x, hx, None)
        if self.batch_first:
            out = _shape.transpose(out, 0, 1)
        if not is_batched:
            out = out.squeeze(batch_dim)
            hidden = tuple(h.squeeze(1) for h in hidden)
        return out, hidden

    def _check_states(self, input, hx, batch_sizes):
        if self.mode == "LSTM":
            self.check_forward_args(input, hx, batch_sizes)
        else:
            self.check_forward_args(input, hx[0], batch_sizes)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).
    RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, device=None, dtype=None)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        out, hidden = self._forward(input, None if hx is None else (hx,))
        return out, hidden[0]


class LSTM(RNNBase):
    """LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False,
    proj_size=0, device=None, dtype=None); forward(input, (h_0, c_0)=None) -> (output, (h_n, c_n))."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx=None):
        out, hidden = self._forward(input, None if hx is None else tuple(hx))
        return out, hidden


class GRU(RNNBase):
    """GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False,
    device=None, dtype=None)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        out, hidden = self._forward(input, None if hx is None else (hx,))
        return out, hidden[0]


# ---- cells ---------------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = new_param((num_chunks * hidden_size, input_size), dtype)
        self.weight_hh = new_param((num_chunks * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = new_param((num_chunks * hidden_size,), dtype)
            self.bias_hh = new_param((num_chunks * hidden_size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def _prepare(self, name, input, hx, n_states):
        """torch's checks of the cell's input and states; returns (batched input, tuple of batched states,
        is_batched)."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    what = f"hx[{idx}]" if n_states == 2 else "hidden"
                    raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {value.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = _creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (zeros,) * n_states
        elif not is_batched:
            hx = tuple(h.unsqueeze(0) for h in hx)
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        for k, h in enumerate(hx):
            if h.dim() == 2 and input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{k} batch size {h.size(0)}")
            if h.size(-1) != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.size(-1)}, "
                                   f"expected {self.hidden_size}")
        return input, hx, is_batched

    def _cell(self, step, input, hx):
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        return step(gi, hx, self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, hx, is_batched = self._prepare("RNNCell", input, None if hx is None else (hx,), 1)
        if self.nonlinearity == "tanh":
            ret = self._cell(_tanh_step, input, hx)[0]
        elif self.nonlinearity == "relu":
            ret = self._cell(_relu_step, input, hx)[0]
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """LSTMCell(input_size, hidden_size, bias=True, device=None, dtype=None); forward(input, (h, c)=None) -> (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)

    def forward(self, input, hx=None):
        input, hx, is_batched = self._prepare("LSTMCell", input, None if hx is None else tuple(hx), 2)
        h, c = self._cell(_lstm_step, input, hx)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """GRUCell(input_size, hidden_size, bias=True, device=None, dtype=None)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)

    def forward(self, input, hx=None):
        input, hx, is_batched = self._prepare("GRUCell", input, None if hx is None else (hx,), 1)
        ret = self._cell(_gru_step, input, hx)[0]
        return ret if is_batched else ret.squeeze(0)
