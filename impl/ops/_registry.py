"""One declaration per op: ``@op`` registers a function once, and impl's exports follow from the registry.

``impl/__init__.py`` exports every declared function (``impl.name`` and its aliases), and ``impl/_methods.py``
binds every declared method, alias and Python operator on ``Tensor``. Nothing else keeps a list of op names.

    @op(aliases=("multiply",), operators=("__mul__",), reflected=("__rmul__",))
    def mul(input, other):
        ...

- ``function=False``: a method only (``Tensor.view``; torch has no ``torch.view``).
- ``method=False``: a function only (``impl.cat``); ``method=callable``: the method is that callable instead of the
  function (for methods whose argument order differs from the function's, e.g. ``Tensor.where``).
- ``aliases``: more names for both; ``method_aliases``/``function_aliases``: names for one side only.
- ``operators``: Python operators bound to the method; ``reflected``: operators bound with swapped operands
  (``__radd__``).

numpy's names: torch's argument parser takes ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=`` in every
native function and method (``x.sum(axis=0, keepdims=True)``). ``@op`` gives every declared op with a ``dim`` or
``keepdim`` parameter the same spelling, except the ops torch implements in Python (``_PYTHON_LEVEL``).
"""
import functools
import inspect
import types
from dataclasses import dataclass


@dataclass(frozen=True)
class Declaration:
    name: str
    fn: object
    function: bool
    method: object  # False, True or the callable bound as the method
    aliases: tuple
    function_aliases: tuple
    method_aliases: tuple
    operators: tuple
    reflected: tuple

    def function_names(self):
        return (self.name, *self.aliases, *self.function_aliases) if self.function else self.function_aliases

    def method_names(self):
        return (self.name, *self.aliases, *self.method_aliases) if self.method else self.method_aliases

    def method_fn(self):
        return self.fn if self.method is True or self.method is False else self.method


REGISTRY: dict[str, Declaration] = {}

_NUMPY_NAMES = (("axis", "dim"), ("keepdims", "keepdim"))
# torch.split/Tensor.split, torch.norm/Tensor.norm, unique, unique_consecutive and Tensor.unflatten are Python
# functions in torch: they take ``dim`` only (TypeError on ``axis``).
_PYTHON_LEVEL = frozenset({"split", "norm", "unflatten", "unique", "unique_consecutive"})


def _numpy_names(key, fn):
    """``fn`` accepting ``axis=``/``keepdims=`` for its ``dim``/``keepdim`` parameters, as torch's native ops."""
    if key in _PYTHON_LEVEL:
        return fn
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    pairs = tuple((np_name, name) for np_name, name in _NUMPY_NAMES if name in params)
    if not pairs:
        return fn

    @functools.wraps(fn)
    def accepting_numpy_names(*args, **kwargs):
        if kwargs:
            for np_name, name in pairs:
                if np_name in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{key}() got multiple values for argument '{name}' (also given as {np_name})")
                    kwargs[name] = kwargs.pop(np_name)
        return fn(*args, **kwargs)

    # In the op's module globals, as the op itself: tools that recompile an op from its source (inspect follows
    # __wrapped__) run it in the wrapper's globals.
    wrapper = types.FunctionType(accepting_numpy_names.__code__, fn.__globals__, fn.__name__, None,
                                 accepting_numpy_names.__closure__)
    return functools.update_wrapper(wrapper, fn)


def op(name=None, *, function=True, method=True, aliases=(), function_aliases=(), method_aliases=(), operators=(),
       reflected=()):
    """Declare an op (see the module docstring); ``@op`` alone declares it under the function's own name."""
    if callable(name):
        return op()(name)

    def declare(fn):
        key = name or fn.__name__
        if key in REGISTRY:
            raise ValueError(f"op {key!r} is declared twice ({REGISTRY[key].fn.__module__} and {fn.__module__})")
        fn = _numpy_names(key, fn)
        REGISTRY[key] = Declaration(key, fn, function, method, tuple(aliases), tuple(function_aliases),
                                    tuple(method_aliases), tuple(operators), tuple(reflected))
        return fn

    return declare


def functions():
    """``{public name: function}`` for ``impl``'s namespace."""
    return {n: d.fn for d in REGISTRY.values() for n in d.function_names()}


def methods():
    """``{attribute name: callable}`` for ``Tensor``: methods, aliases and operators."""
    out = {}
    for d in REGISTRY.values():
        fn = d.method_fn()
        for n in (*d.method_names(), *d.operators):
            out[n] = fn
        for n in d.reflected:
            out[n] = _reflected(fn)
    return out


def _reflected(fn):
    return lambda self, other: fn(other, self)
