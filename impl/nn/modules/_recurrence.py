"""One layer and direction of an LSTM or a plain (tanh/relu) RNN over a whole sequence as one recorded primitive.

The op-by-op recurrence records about a dozen nodes per time step (linear, add, chunk, sigmoid, tanh, mul...), and
walking them costs more than the arithmetic at the sizes recurrent models use. Here the forward runs the same
equations on arrays, in the same order (``gates = (h W_hh^T + b_hh) + (x W_ih^T + b_ih)``, torch's CPU order),
keeping the gate activations, and the backward is backpropagation through time on arrays: one matmul per step for
the recurrent gradient, and one matmul each for the input, weight and bias gradients over all steps at once.

The primitive's output packs every step's state: (T, B, 2H) holding [h_t, c_t] for an LSTM, (T, B, H) for an RNN;
the layer's output sequence and final states are views of it. ``create_graph`` and forward mode differentiate the
composite, the op-by-op recurrence (``composite`` below), which gives the same packed tensor.
"""
import numpy as np

from ..._autograd import apply_fused
from ...ops import shape as _shape
from ...ops.elementwise import _sigmoid_np
from .. import functional as F


def _activate(mode, a, hidden):
    """Gate activations of the pre-activations ``a`` (B, G*H), in place: LSTM (i, f, g, o) = (σ, σ, tanh, σ)."""
    if mode == "LSTM":
        a[:, :2 * hidden] = _sigmoid_np(a[:, :2 * hidden])
        a[:, 2 * hidden:3 * hidden] = np.tanh(a[:, 2 * hidden:3 * hidden])
        a[:, 3 * hidden:] = _sigmoid_np(a[:, 3 * hidden:])
        return a
    if mode == "RNN_TANH":
        return np.tanh(a, out=a)
    np.copyto(a, 0, where=a < 0)  # relu as impl's: -0.0 and nan pass through
    return a


def run(mode, step, x, state, w_ih, w_hh, b_ih, b_hh, reverse):
    """x (T, B, I), state (h0,) or (h0, c0) each (B, H): returns (output (T, B, H), final state tuple)."""
    lstm = mode == "LSTM"
    h0, c0 = (state[0], state[1]) if lstm else (state[0], None)
    X, Wih, Whh = x._data, w_ih._data, w_hh._data
    T, B, n_in = X.shape
    H = Whh.shape[1]
    dt = X.dtype
    gi = np.matmul(X.reshape(T * B, n_in), Wih.T)
    if b_ih is not None:
        gi += b_ih._data
    gi = gi.reshape(T, B, -1)
    order = range(T - 1, -1, -1) if reverse else range(T)
    acts = np.empty_like(gi)  # activated gates per step
    hs = np.empty((T, B, H), dt)
    cs = np.empty((T, B, H), dt) if lstm else None
    tcs = np.empty((T, B, H), dt) if lstm else None
    h = h0._data
    c = c0._data if lstm else None
    for t in order:
        a = np.matmul(h, Whh.T)
        if b_hh is not None:
            a += b_hh._data
        a += gi[t]
        a = _activate(mode, a, H)
        acts[t] = a
        if lstm:
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            c = f * c + i * g
            cs[t] = c
            tcs[t] = np.tanh(c)
            h = o * tcs[t]
        else:
            h = a
        hs[t] = h
    packed = np.concatenate([hs, cs], axis=-1) if lstm else hs.copy()

    def previous(seq, first):
        """The state each step started from: (T, B, H), ``first`` at the first step of this direction."""
        prev = np.empty_like(seq)
        if reverse:
            prev[:-1], prev[-1] = seq[1:], first
        else:
            prev[1:], prev[0] = seq[:-1], first
        return prev

    def backward(g):
        gh_all = g[..., :H]
        dG = np.empty_like(acts)
        dh = np.zeros((B, H), dt)
        dc = np.zeros((B, H), dt) if lstm else None
        c_prev_all = previous(cs, c0._data) if lstm else None
        for t in reversed(order):
            dh = dh + gh_all[t]
            a = acts[t]
            if lstm:
                i, f, gg, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
                tc = tcs[t]
                dc = dc + g[t, :, H:] + dh * o * (1 - tc * tc)
                dG[t, :, :H] = dc * gg * i * (1 - i)
                dG[t, :, H:2 * H] = dc * c_prev_all[t] * f * (1 - f)
                dG[t, :, 2 * H:3 * H] = dc * i * (1 - gg * gg)
                dG[t, :, 3 * H:] = dh * tc * o * (1 - o)
                dc = dc * f
            elif mode == "RNN_TANH":
                dG[t] = dh * (1 - a * a)
            else:
                dG[t] = np.where(a <= 0, dt.type(0), dh)
            dh = np.matmul(dG[t], Whh)
        d2 = dG.reshape(T * B, -1)
        gx = np.matmul(d2, Wih).reshape(X.shape) if x.requires_grad else None
        gw_ih = np.matmul(d2.T, X.reshape(T * B, n_in)) if w_ih.requires_grad else None
        gw_hh = np.matmul(d2.T, previous(hs, h0._data).reshape(T * B, H)) if w_hh.requires_grad else None
        gb = d2.sum(axis=0) if (b_ih is not None or b_hh is not None) else None
        return gx, dh, dc, gw_ih, gw_hh, gb, gb

    def composite(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        gis = [F.linear(xt, w_ih, b_ih) for xt in x.unbind(0)]
        state = (h0, c0) if lstm else (h0,)
        ys = [None] * T
        for t in order:
            state = step(gis[t], state, w_hh, b_hh)
            ys[t] = _shape.cat(list(state), -1) if lstm else state[0]
        return _shape.stack(ys, 0)

    name = "LstmBackward0" if lstm else "RnnTanhBackward0" if mode == "RNN_TANH" else "RnnReluBackward0"
    y = apply_fused(name, packed, (x, h0, c0, w_ih, w_hh, b_ih, b_hh), backward,
                    saved=(x, h0, c0, w_ih, w_hh), composite=composite)
    last = 0 if reverse else T - 1
    if not lstm:
        return y, (_shape.select(y, 0, last),)
    return (_shape.narrow(y, -1, 0, H),
            (_shape.narrow(_shape.select(y, 0, last), -1, 0, H), _shape.narrow(_shape.select(y, 0, last), -1, H, H)))
