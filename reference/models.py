"""Twin model builders: one architecture definition, written against torch's API, built in either library.

``build_*(lib, cfg)`` constructs the model with ``lib`` = ``torch`` or the library under test
(``reference.targets.current().lib``: impl by default); ``twins(builder, cfg)`` builds both, copies torch's weights
into the target's model by state_dict key (``reference.twins.copy_state_dict``), and returns them.
"""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .twins import copy_state_dict


@dataclass(frozen=True)
class MLPConfig:
    in_features: int
    widths: tuple
    out_features: int
    activation: str  # relu | gelu | tanh
    dropout: float  # used in eval mode only: the twins must agree exactly


@dataclass(frozen=True)
class CNNConfig:
    in_channels: int
    size: int  # square input
    blocks: tuple  # ((out_channels, kernel, stride, padding, batch_norm, pool), ...)
    hidden: int
    classes: int
    train: bool  # batch norm in training mode (batch statistics, running stats updated)


@dataclass(frozen=True)
class TransformerConfig:
    vocab: int
    d_model: int
    heads: int
    layers: int
    seq_len: int
    norm_first: bool
    activation: str  # relu | gelu


@dataclass(frozen=True)
class LSTMConfig:
    vocab: int
    embed: int
    hidden: int
    layers: int
    bidirectional: bool
    seq_len: int


_ACT = {"relu": "ReLU", "gelu": "GELU", "tanh": "Tanh"}


def build_mlp(lib, cfg: MLPConfig):
    nn = lib.nn
    layers, d = [], cfg.in_features
    for w in cfg.widths:
        layers += [nn.Linear(d, w), getattr(nn, _ACT[cfg.activation])(), nn.Dropout(cfg.dropout)]
        d = w
    layers.append(nn.Linear(d, cfg.out_features))
    return nn.Sequential(*layers).eval()


def build_cnn(lib, cfg: CNNConfig):
    nn = lib.nn
    layers, c, s = [], cfg.in_channels, cfg.size
    for out_c, k, stride, pad, bn, pool in cfg.blocks:
        layers.append(nn.Conv2d(c, out_c, k, stride=stride, padding=pad))
        s = (s + 2 * pad - k) // stride + 1
        if bn:
            layers.append(nn.BatchNorm2d(out_c))
        layers.append(nn.ReLU())
        if pool:
            layers.append(nn.MaxPool2d(2))
            s //= 2
        c = out_c
    layers += [nn.Flatten(), nn.Linear(c * s * s, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, cfg.classes)]
    model = nn.Sequential(*layers)
    return model.train() if cfg.train else model.eval()


def cnn_output_size(cfg: CNNConfig):
    s = cfg.size
    for _, k, stride, pad, _, pool in cfg.blocks:
        s = (s + 2 * pad - k) // stride + 1
        if s < 1:
            return 0
        if pool:
            s //= 2
    return s


def build_transformer(lib, cfg: TransformerConfig):
    """Decoder-only: token embedding + learned positions + causal encoder blocks + final LayerNorm + head."""
    nn = lib.nn

    class DecoderOnly(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(cfg.vocab, cfg.d_model)
            self.pos = nn.Embedding(cfg.seq_len, cfg.d_model)
            layer = nn.TransformerEncoderLayer(
                cfg.d_model, cfg.heads, dim_feedforward=2 * cfg.d_model, dropout=0.0,
                activation=cfg.activation, batch_first=True, norm_first=cfg.norm_first,
            )
            self.blocks = nn.TransformerEncoder(layer, cfg.layers, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(cfg.d_model)
            self.head = nn.Linear(cfg.d_model, cfg.vocab)

        def forward(self, ids):
            t = ids.shape[1]
            h = self.tok(ids) + self.pos(lib.arange(t))
            causal = lib.triu(lib.ones(t, t, dtype=lib.bool), diagonal=1)  # True = may not attend
            h = self.blocks(h, mask=causal, is_causal=True)
            return self.head(self.norm(h))

    return DecoderOnly()


def build_lstm(lib, cfg: LSTMConfig):
    """Token embedding + (multi-layer, optionally bidirectional) batch-first LSTM + a head at every position."""
    nn = lib.nn

    class LSTMTagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(cfg.vocab, cfg.embed)
            self.lstm = nn.LSTM(cfg.embed, cfg.hidden, num_layers=cfg.layers, batch_first=True,
                                bidirectional=cfg.bidirectional)
            self.head = nn.Linear(cfg.hidden * (2 if cfg.bidirectional else 1), cfg.vocab)

        def forward(self, ids):
            out, _ = self.lstm(self.tok(ids))
            return self.head(out)

    return LSTMTagger()


def twins(builder, cfg, dtype="float64", seed=0):
    """(torch_model, model of the library under test) with identical weights; both in ``dtype``."""
    import torch

    from reference import targets

    torch.manual_seed(seed)
    t_model = builder(torch, cfg)
    i_model = builder(targets.current().lib, cfg)
    if dtype == "float64":
        t_model, i_model = t_model.double(), i_model.double()
    copy_state_dict(t_model, i_model)
    return t_model, i_model


# ---- hypothesis strategies for architectures ------------------------------------------------------------
mlp_configs = st.builds(
    MLPConfig,
    in_features=st.integers(1, 12),
    widths=st.lists(st.integers(1, 16), min_size=0, max_size=3).map(tuple),
    out_features=st.integers(1, 6),
    activation=st.sampled_from(["relu", "gelu", "tanh"]),
    dropout=st.sampled_from([0.0, 0.3]),
)


@st.composite
def cnn_configs(draw):
    n_blocks = draw(st.integers(1, 2))
    blocks = tuple(
        (
            draw(st.integers(1, 4)),
            draw(st.sampled_from([1, 2, 3])),
            draw(st.sampled_from([1, 2])),
            draw(st.sampled_from([0, 1])),
            draw(st.booleans()),
            draw(st.booleans()),
        )
        for _ in range(n_blocks)
    )
    cfg = CNNConfig(
        in_channels=draw(st.integers(1, 3)),
        size=draw(st.integers(6, 10)),
        blocks=blocks,
        hidden=draw(st.integers(2, 8)),
        classes=draw(st.integers(2, 5)),
        train=draw(st.booleans()),
    )
    if cnn_output_size(cfg) < 1:
        # Too much downsampling for this input: drop pooling and stride rather than reject the example.
        cfg = CNNConfig(cfg.in_channels, cfg.size, tuple((c, k, 1, p, bn, False) for c, k, _, p, bn, _ in blocks),
                        cfg.hidden, cfg.classes, cfg.train)
    return cfg


@st.composite
def transformer_configs(draw):
    heads = draw(st.sampled_from([1, 2, 4]))
    return TransformerConfig(
        vocab=draw(st.integers(3, 12)),
        d_model=heads * draw(st.sampled_from([2, 4])),
        heads=heads,
        layers=draw(st.integers(1, 2)),
        seq_len=draw(st.integers(1, 6)),
        norm_first=draw(st.booleans()),
        activation=draw(st.sampled_from(["relu", "gelu"])),
    )


lstm_configs = st.builds(
    LSTMConfig,
    vocab=st.integers(3, 10),
    embed=st.integers(1, 6),
    hidden=st.integers(1, 6),
    layers=st.integers(1, 2),
    bidirectional=st.booleans(),
    seq_len=st.integers(1, 6),
)
