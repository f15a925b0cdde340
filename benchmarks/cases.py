"""Benchmark cases. Each case is written once against the torch API and run on both libraries:
``setup(lib, rng) -> step`` returns a zero-argument callable doing one timed unit of work."""
import numpy as np


def _t(lib, arr, requires_grad=False):
    t = lib.tensor(np.asarray(arr, dtype=np.float32))
    return t.requires_grad_(True) if requires_grad else t


def matmul(lib, rng):
    a, b = _t(lib, rng.standard_normal((512, 512))), _t(lib, rng.standard_normal((512, 512)))
    return lambda: a @ b


def bmm(lib, rng):
    a, b = _t(lib, rng.standard_normal((32, 64, 64))), _t(lib, rng.standard_normal((32, 64, 64)))
    return lambda: a @ b


def _fwd_bwd(out_fn, *leaves):
    def step():
        for p in leaves:
            p.grad = None
        out_fn().sum().backward()

    return step


def conv2d(lib, rng):
    F = lib.nn.functional
    x = _t(lib, rng.standard_normal((64, 16, 16, 16)), True)
    w = _t(lib, rng.standard_normal((32, 16, 3, 3)) * 0.1, True)
    b = _t(lib, rng.standard_normal(32), True)
    return _fwd_bwd(lambda: F.conv2d(x, w, b, padding=1), x, w, b)


def conv_transpose2d(lib, rng):
    """A decoder's upsampling layer: 8x8 -> 16x16 with a 4x4 kernel, stride 2, padding 1."""
    F = lib.nn.functional
    x = _t(lib, rng.standard_normal((64, 32, 8, 8)), True)
    w = _t(lib, rng.standard_normal((32, 16, 4, 4)) * 0.1, True)
    b = _t(lib, rng.standard_normal(16), True)
    return _fwd_bwd(lambda: F.conv_transpose2d(x, w, b, stride=2, padding=1), x, w, b)


def max_pool2d(lib, rng):
    F = lib.nn.functional
    x = _t(lib, rng.standard_normal((64, 32, 16, 16)), True)
    return _fwd_bwd(lambda: F.max_pool2d(x, 2), x)


def softmax_cross_entropy(lib, rng):
    F = lib.nn.functional
    x = _t(lib, rng.standard_normal((4096, 1000)), True)
    y = lib.tensor(rng.integers(0, 1000, 4096))

    def step():
        x.grad = None
        F.cross_entropy(x, y).backward()

    return step


def layer_norm(lib, rng):
    F = lib.nn.functional
    x = _t(lib, rng.standard_normal((64, 128, 256)), True)
    w, b = _t(lib, np.ones(256), True), _t(lib, np.zeros(256), True)
    return _fwd_bwd(lambda: F.layer_norm(x, (256,), w, b), x, w, b)


def attention(lib, rng):
    F = lib.nn.functional
    q, k, v = (_t(lib, rng.standard_normal((32, 4, 64, 32)), True) for _ in range(3))
    return _fwd_bwd(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True), q, k, v)


def elementwise_chain(lib, rng):
    x = _t(lib, rng.uniform(0.5, 1.5, 10**6), True)

    def chain():
        y = x * 1.5 + 0.25
        y = y.exp().log().sqrt()
        y = y.tanh() * y.sigmoid()
        return (y - 0.1).relu() / 2.0

    return _fwd_bwd(chain, x)


def tiny_op(lib, rng):
    a, b = _t(lib, rng.standard_normal(4)), _t(lib, rng.standard_normal(4))

    def step():  # 100 tiny adds per call: the per-op dispatch overhead
        for _ in range(100):
            a + b

    return step


def _train_step(lib, model, x, y):
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    F = lib.nn.functional

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def mlp_step(lib, rng):
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    x, y = _t(lib, rng.standard_normal((128, 64))), lib.tensor(rng.integers(0, 10, 128))
    return _train_step(lib, model, x, y)


def cnn_step(lib, rng):
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 64), nn.ReLU(), nn.Linear(64, 10),
    )
    x, y = _t(lib, rng.standard_normal((128, 1, 8, 8))), lib.tensor(rng.integers(0, 10, 128))
    return _train_step(lib, model, x, y)


class _TinyGPT:
    """Token + learned positions, a 2-layer causal TransformerEncoder, LayerNorm, head."""

    def __init__(self, lib, vocab=16, d=64, heads=4, layers=2, T=12):
        nn = lib.nn
        self.lib, self.T = lib, T
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(T, d)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=4 * d, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False) if lib.__name__ == "torch" else nn.TransformerEncoder(layer, layers)
        self.norm, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)
        self.mask = lib.triu(lib.full((T, T), float("-inf")), diagonal=1)
        self.pos_ids = lib.arange(T)

    def parameters(self):
        for m in (self.tok, self.pos, self.enc, self.norm, self.head):
            yield from m.parameters()

    def __call__(self, ids):
        h = self.tok(ids) + self.pos(self.pos_ids)
        h = self.enc(h, mask=self.mask, is_causal=True)
        return self.head(self.norm(h)).reshape(-1, self.head.out_features)


def transformer_step(lib, rng):
    lib.manual_seed(0)
    model = _TinyGPT(lib)
    ids = lib.tensor(rng.integers(0, 16, (32, 12)))
    y = lib.tensor(rng.integers(0, 16, 32 * 12))
    return _train_step(lib, model, ids, y)


def lstm(lib, rng):
    """One-layer LSTM over a (64, 32, 256) sequence (time, batch, features), hidden 256: forward + backward."""
    lib.manual_seed(0)
    model = lib.nn.LSTM(256, 256)
    x = _t(lib, rng.standard_normal((64, 32, 256)), True)
    return _fwd_bwd(lambda: model(x)[0], x, *model.parameters())


OPS = {
    "matmul 512x512": matmul,
    "bmm (32,64,64)": bmm,
    "conv2d fwd+bwd": conv2d,
    "conv_transpose2d fwd+bwd": conv_transpose2d,
    "max_pool2d fwd+bwd": max_pool2d,
    "softmax+cross_entropy (4096,1000)": softmax_cross_entropy,
    "layer_norm fwd+bwd (64,128,256)": layer_norm,
    "sdpa fwd+bwd (32,4,64,32)": attention,
    "10 elementwise ops on 1e6": elementwise_chain,
    "tiny op x100": tiny_op,
    "LSTM fwd+bwd (T=64, B=32, H=256)": lstm,
}
STEPS = {
    "MLP train step": mlp_step,
    "CNN train step": cnn_step,
    "transformer train step": transformer_step,
}
ALL = {**OPS, **STEPS}
# Targets from the performance issue (median impl/torch).
TARGETS = {
    "MLP train step": 1.5,
    "CNN train step": 2.5,
    "transformer train step": 3.0,
    "conv2d fwd+bwd": 3.0,
    "tiny op x100": 3.0,
}
