"""What the registry contributes for installations of many complexes: the complexes compared
(public aggregates, Excel) and the header's link to them; their access table.

Registered from ``RegistryConfig.ready`` (``contributions.py`` is the registry's other module
of contributions; both register into the same spine).
"""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import ANYONE, Access

spine.nav(spine.NavEntry("complexes", _("All complexes"), "registry:complexes", order=10, group="complexes"))

spine.access(
    "registry_complexes",
    [
        Access("registry:complexes", ANYONE, note="public aggregates of every complex"),
        Access("registry:complexes", ANYONE, params={"query": {"page": "4611686018427387905"}}, note="400"),
        Access("registry:complexes", ANYONE, params={"query": {"sort": "<script>", "year": "99999"}}, note="400"),
        Access("registry:complexes_export", ANYONE, note="public aggregates of every complex"),
    ],
)
