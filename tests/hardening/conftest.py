import pytest

# Registers core.privacy's Consent model (until core/models.py imports it: see the report).
import techvalley.core.privacy  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_throttle(settings, tmp_path):
    """Each test counts failed sign-ins from zero, in a cache of its own."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "throttle"),
        },
    }
    from django.core.cache import caches

    caches["throttle"].clear()
    yield
    caches["throttle"].clear()
