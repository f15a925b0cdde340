"""Where a regression entry's bug was seen: the sources a ``**Seen in:**`` line may cite.

``test_meta.py`` requires every ``**Seen in:**`` line to take one of three forms, so that a reader of this
repository alone can follow it:

1. a public project named in :data:`PUBLIC_SOURCES`, with its notes named by title or subject, e.g.
   "TinyTorch's gradient-flow fix summary (transformer milestone)";
2. ``found while developing`` plus the test (a path in this repository, optionally ``::test_name``) that
   found it -- or, when the finder was not recorded, the test that catches it now (said as such);
3. :data:`CLASSIC_PITFALL` with the ISO date the entry was catalogued: a bug class every hand-written
   autograd engine has to guard against, catalogued before any public note or test here recorded it.

Add a project here before citing it; describe it by what it is when its notes name no project.
"""

PUBLIC_SOURCES = {
    "TinyTorch": (
        "TinyTorch, an educational framework in which students build a PyTorch-like library from scratch and "
        "train historical milestone models with it (perceptron 1957, XOR, MLP digits 1986, CNN 1998, "
        "transformer 2017). Cited notes: its milestone-fixes analysis (which milestones really learn; conv, "
        "attention and embedding gradients missing), its gradient-flow fix summary for transformer training "
        "(ten fixes: batched matmul/transpose, softmax, dropout, sub/div backward, embedding and positional "
        "encoding, batched attention, LayerNorm, milestone scripts) and its gradient-flow fixes summary "
        "(Conv2d, MaxPool2d and Embedding backward, reshape and residual graph cuts in the CNN and "
        "transformer milestones)."
    ),
    "MicroGrad+": (
        "MicroGrad+, a course capstone that extends micrograd to tensors. Cited notes: its troubleshooting "
        "guide (gradient explosion, wrong gradient shape under broadcasting, numerically unstable softmax, "
        "forgetting to zero gradients)."
    ),
    "MLP Training Issues": (
        "The 'MLP Training Issues' notes of a remote-tensor library (a client sends tensor ops to a dispatcher "
        "that runs them on workers); the notes name no project. They record in-place updates, tape clearing "
        "after backward, broadcasting gradients of mean/add, transpose shapes, recursive Module.parameters(), "
        "scalar-tensor operators and zero_() not resetting gradients."
    ),
}

CLASSIC_PITFALL = "a classic pitfall of hand-written autograd engines"
