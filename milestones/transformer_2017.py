"""2017, Vaswani et al.: attention is all you need -- here a small decoder-only transformer learns to reverse.

Task: read ``a_1 .. a_L SEP`` (L = 8 tokens over a vocabulary of 10) and write ``a_L .. a_1``, one token at a
time, left to right (teacher forcing in training). The 10**8 possible sequences make memorising impossible;
training sequences are freshly sampled every step and never equal a held-out test sequence.

Model: token + learned position embeddings, causal TransformerEncoder blocks (pre-norm, no dropout), a final
LayerNorm and a linear head; cross-entropy on the L output positions only; Adam.

Goal: exact-sequence accuracy >= 0.99 on the held-out sequences, i.e. all L output tokens right. It is measured
with teacher forcing in one pass, which equals greedy autoregressive decoding: if every teacher-forced argmax
is right, greedy decoding reproduces the targets token by token; if one is wrong, greedy decoding has the same
correct prefix up to it and makes the same mistake there. ``generate`` decodes greedily; a test checks both agree.
"""
import numpy as np

from ._core import Milestone, as_tensor, rng, to_numpy
from .data import reversal_io, reversal_task


def build_decoder(lib, vocab, seq_len, d_model, heads, layers, ff):
    nn = lib.nn

    class DecoderOnly(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, d_model)
            self.pos = nn.Embedding(seq_len, d_model)
            block = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=ff, dropout=0.0, activation="relu",
                                               batch_first=True, norm_first=True)
            self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, vocab)

        def forward(self, ids):
            t = ids.shape[1]
            h = self.tok(ids) + self.pos(lib.arange(t))
            causal = lib.triu(lib.ones(t, t, dtype=lib.bool), diagonal=1)  # True: may not attend (the future)
            h = self.blocks(h, mask=causal, is_causal=True)
            return self.head(self.norm(h))

    return DecoderOnly()


class Transformer2017(Milestone):
    name = "transformer_2017"
    title = "Decoder-only transformer reverses sequences (Vaswani et al. 2017)"
    goal = "held-out exact-sequence accuracy >= 0.99"
    length, vocab, n_test = 8, 10, 1000
    d_model, heads, layers, ff = 32, 2, 2, 64
    steps, batch_size, lr = 150, 64, 3e-3  # torch, 8 seeds: 60 steps gave >= 0.966, 80 steps 1.0

    def data(self, seed):
        test, sampler = reversal_task(self.length, self.vocab, self.n_test, seed)
        x_te, y_te = reversal_io(test, self.vocab)
        return dict(sampler=sampler, test=test, x_test=x_te, y_test=y_te)

    def build(self, lib, data):
        # tokens 0..vocab-1 plus SEP; positions 0..2L-1
        return build_decoder(lib, self.vocab + 1, 2 * self.length, self.d_model, self.heads, self.layers, self.ff)

    def optimizer(self, lib, params):
        return lib.optim.Adam(params, lr=self.lr)

    def batches(self, data, seed):
        g = rng(seed, 1)
        for _ in range(self.steps):
            yield reversal_io(data["sampler"](g, self.batch_size), self.vocab)

    def loss(self, lib, model, x, y):
        logits = model(x)
        return lib.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))

    def evaluate(self, lib, model, data, dtype):
        logits = to_numpy(model(as_tensor(lib, data["x_test"], dtype)))
        y = data["y_test"]
        scored = y != -100
        right = (logits.argmax(-1) == y) | ~scored
        return float(np.mean(right.all(axis=1)))

    def generate(self, lib, model, seqs):
        """Greedy autoregressive decoding of the reversals of ``seqs`` (n, L): returns (n, L) tokens."""
        ids = np.concatenate([seqs, np.full((len(seqs), 1), self.vocab)], axis=1)
        with lib.no_grad():
            for _ in range(self.length):
                logits = to_numpy(model(as_tensor(lib, ids)))
                ids = np.concatenate([ids, logits[:, -1].argmax(-1)[:, None]], axis=1)
        return ids[:, self.length + 1:]

    def passed(self, accuracy, final_loss):
        return accuracy >= 0.99


MILESTONE = Transformer2017()
