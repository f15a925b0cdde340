"""torch.utils.hooks.RemovableHandle: what every register_*_hook returns."""
import itertools

_ids = itertools.count()


class RemovableHandle:
    """Removes the hook it was returned for from its table; usable as a context manager."""

    def __init__(self, table):
        self.id = next(_ids)
        self._table = table

    def remove(self):
        self._table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False
