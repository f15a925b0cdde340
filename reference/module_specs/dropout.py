"""The dropouts where they are deterministic, compared with torch: eval mode (any p) and p=0 in training are the
identity. Their random training mode cannot match torch's generator: property_tests/test_module_special.py tests
its structure and rate."""
from reference.module_specs._common import ModuleSample, randn, rng_of, st
from reference.modulespec import ModuleSpec

SHAPES = {"Dropout": None, "Dropout1d": (2, 4, 6), "Dropout2d": (2, 4, 3, 2), "Dropout3d": (2, 4, 2, 2, 2),
          "AlphaDropout": (3, 4), "FeatureAlphaDropout": (2, 4, 3)}


@st.composite
def _dropout(draw, name):
    rng = rng_of(draw)
    p = draw(st.sampled_from([0.0, 0.3, 0.9, 1.0]))
    shape = SHAPES[name]
    if shape is None:
        shape = draw(st.lists(st.integers(1, 4), max_size=3))
    elif name in ("Dropout1d", "Dropout3d") and draw(st.booleans()):
        shape = shape[1:]  # unbatched
    return ModuleSample(dict(p=p), (randn(rng, shape),), mode=None if p == 0 else "eval")


SPECS = [ModuleSpec(name, _dropout(name), max_examples=4) for name in SHAPES]
