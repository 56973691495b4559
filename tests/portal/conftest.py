import contextlib

import pytest

from techvalley.core import spine


@pytest.fixture(autouse=True)
def fresh_cache():
    """Stage counts are cached by the complex's last audit id, which a rolled-back test reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@contextlib.contextmanager
def registered(*, transitions=(), datasets=(), layers=(), panels=()):
    """Register contributions for one test, as another app would, and remove them after."""
    p = spine.platform
    p.transitions.extend(transitions)
    p.map_layers.extend(layers)
    p.panels.extend(panels)
    for d in datasets:
        p.datasets[d.key] = d
    try:
        yield
    finally:
        for t in transitions:
            p.transitions.remove(t)
        for la in layers:
            p.map_layers.remove(la)
        for pa in panels:
            p.panels.remove(pa)
        for d in datasets:
            p.datasets.pop(d.key, None)
