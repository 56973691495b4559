from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "techvalley.registry"
    label = "registry"
    verbose_name = _("Company registry")

    def ready(self) -> None:
        # The pages for many complexes register their menu entry and access table here
        # (``contributions.py`` is imported by core's autodiscovery).
        from techvalley.registry import complexes_contributions  # noqa: F401
