"""``scipy.stats``, imported on first use.

Importing scipy.stats costs ~1.5 s of CPU, and every pytest worker imports every test module while collecting;
only the few distribution tests call it, so they reach it through this module (``from reference import lazy_stats
as stats``; ``stats.norm(0, 1)`` imports scipy.stats then)."""


def __getattr__(name):
    if name.startswith("__"):  # introspection (pytest's collector asks a module for __bases__): not scipy's
        raise AttributeError(name)
    from scipy import stats

    return getattr(stats, name)
