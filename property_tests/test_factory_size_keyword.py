"""The factories' ``size``, every way torch takes it, on the library under test (reference.targets) and torch side by
side: ``size=`` by keyword (``zeros(size=(2, 3))``), one sequence, several ints, ``()`` for 0-d, and the TypeError
torch raises when the size is given twice, not at all, or by keyword as a bare int. ``randint``'s two forms take
``size=`` too. Shapes and dtypes are compared (the random values are not: each library has its own stream)."""
import pytest
import torch

from reference import targets

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib

FACTORIES = ("zeros", "ones", "empty", "rand", "randn")


def made(side, name, *args, **kwargs):
    """(shape, dtype name) of the tensor ``side.name(*args, **kwargs)`` makes, with kwargs' dtype names resolved."""
    if "dtype" in kwargs:
        kwargs = {**kwargs, "dtype": getattr(side, kwargs["dtype"])}
    t = getattr(side, name)(*args, **kwargs)
    return tuple(t.shape), str(t.dtype).rsplit(".", 1)[-1]


def refused(side, name, *args, **kwargs):
    """(exception class, message) of ``side.name(*args, **kwargs)``; fails if it made a tensor."""
    with pytest.raises(Exception) as info:
        getattr(side, name)(*args, **kwargs)
    return info.type, str(info.value)


SHAPES = [  # (args, kwargs): every way of asking for a shape that torch accepts
    ((), {"size": (2, 3)}),
    ((), {"size": [2, 3]}),
    ((), {"size": ()}),
    ((), {"size": (0, 4)}),
    ((), {"size": (2, 3), "dtype": "float64"}),
    ((), {"dtype": "float64", "size": (4,)}),
    (((2, 3),), {}),
    (([2, 3],), {}),
    ((2, 3), {}),
    ((5,), {}),
    (((),), {}),
]


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("args, kwargs", SHAPES, ids=lambda v: repr(v))
def test_factories_make_the_shape_torch_makes(name, args, kwargs):
    ours, theirs = made(lib, name, *args, **kwargs), made(torch, name, *args, **kwargs)
    assert ours == theirs, f"{name}(*{args}, **{kwargs}): {T.name} made {ours}, torch {theirs}"


@pytest.mark.parametrize("name", FACTORIES)
def test_size_from_a_torch_size_like_tuple_of_the_library(name):
    shape = tuple(getattr(lib, name)(2, 3).shape)  # the library's own Size object, as code passes it on
    assert made(lib, name, size=shape) == made(torch, name, size=torch.Size([2, 3])) == ((2, 3), "float32")


REFUSED = [  # (args, kwargs, message torch gives for zeros/ones/empty, or None when only the class is compared)
    (((2, 3),), {"size": (2, 3)}, "got multiple values for argument 'size'"),
    ((2, 3), {"size": (2, 3)}, "got multiple values for argument 'size'"),
    ((), {}, 'missing 1 required positional arguments: "size"'),
    ((), {"dtype": None}, 'missing 1 required positional arguments: "size"'),
    ((), {"size": 2}, "(): argument 'size' must be tuple of ints, not int"),
    ((), {"size": None}, None),  # torch: "must be tuple of ints, not NoneType"; a size=None default means "not given"
    ((), {"size": (2.0, 3)}, None),  # the element's type is reported in different words
]


def torch_words(name, args, kwargs, message):
    """torch's rand/randn have a generator overload, so its argument parser words two of these differently."""
    if name in ("rand", "randn"):
        if args and "size" in kwargs:
            return "received an invalid combination of arguments"
        if not args and not kwargs:
            return None  # torch: "received an invalid combination of arguments - got ()"
    return message


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("args, kwargs, message", REFUSED, ids=lambda v: repr(v))
def test_factories_refuse_what_torch_refuses_with_its_class(name, args, kwargs, message):
    ours, theirs = refused(lib, name, *args, **kwargs), refused(torch, name, *args, **kwargs)
    assert ours[0] is theirs[0] is TypeError, f"{name}(*{args}, **{kwargs}): {T.name} {ours}, torch {theirs}"
    message = torch_words(name, args, kwargs, message)
    if message is not None:
        assert message in theirs[1], f"the expected message is torch's own: {theirs[1]!r}"
        if T.messages:
            assert message in ours[1], f"{name}: {T.name} says {ours[1]!r}, torch {theirs[1]!r}"


RANDINT = [  # (args, kwargs, the range [low, high) they ask for) torch accepts
    ((0, 5), {"size": (2, 3)}, (0, 5)),
    ((5,), {"size": (2, 3)}, (0, 5)),
    ((), {"low": 2, "high": 5, "size": (2, 3)}, (2, 5)),
    ((), {"high": 5, "size": (2, 3)}, (0, 5)),
    ((1, 5, (2, 3)), {}, (1, 5)),
    ((5, (2, 3)), {}, (0, 5)),
    ((5, ()), {}, (0, 5)),
    ((-3, 3), {"size": [40], "dtype": "float64"}, (-3, 3)),
]


@pytest.mark.parametrize("args, kwargs, bounds", RANDINT, ids=lambda v: repr(v))
def test_randint_takes_size_as_torch_does(args, kwargs, bounds):
    ours, theirs = made(lib, "randint", *args, **kwargs), made(torch, "randint", *args, **kwargs)
    assert ours == theirs, f"randint(*{args}, **{kwargs}): {T.name} made {ours}, torch {theirs}"
    values = T.to_numpy(lib.randint(*args, **{k: v for k, v in kwargs.items() if k != "dtype"}))
    low, high = bounds
    assert ((values >= low) & (values < high)).all(), f"randint values outside [{low}, {high}): {values}"


@pytest.mark.parametrize("args, kwargs", [
    ((5,), {}),  # no size
    ((0, 5), {}),  # torch reads this as randint(high=0, size=5) and refuses the int size
    ((5,), {"size": 3}),
    ((0, 5, (2,)), {"size": (2,)}),
], ids=repr)
def test_randint_refuses_what_torch_refuses(args, kwargs):
    ours, theirs = refused(lib, "randint", *args, **kwargs), refused(torch, "randint", *args, **kwargs)
    assert ours[0] is theirs[0] is TypeError, f"randint(*{args}, **{kwargs}): {T.name} {ours}, torch {theirs}"


@pytest.mark.parametrize("args", [(5, 2, (3,)), (3, 3, (2,)), (0, (3,)), (-1, (2,))],
                         ids=["low5-high2", "low3-high3", "high0", "high-1"])
def test_randint_refuses_an_empty_range_as_torch_does(args):
    ours, theirs = refused(lib, "randint", *args), refused(torch, "randint", *args)
    assert ours[0] is theirs[0] is RuntimeError, f"randint(*{args}): {T.name} {ours}, torch {theirs}"


def test_full_takes_size_and_fill_value_by_keyword():
    ours, theirs = made(lib, "full", size=(2, 3), fill_value=1.5), made(torch, "full", size=(2, 3), fill_value=1.5)
    assert ours == theirs == ((2, 3), "float32")
    assert refused(lib, "full", (2, 3), 1.0, size=(2, 3))[0] is refused(torch, "full", (2, 3), 1.0, size=(2, 3))[0]
