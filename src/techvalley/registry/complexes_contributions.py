"""What the registry contributes for installations of many complexes: the complexes compared
(public aggregates, Excel) and the header's link to them, the address rules of a complex (its
officers); their access table.

Registered from ``RegistryConfig.ready`` (``contributions.py`` is the registry's other module
of contributions; both register into the same spine).
"""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import ANYONE, OFFICERS, Access


def _can_edit_rules(viewer) -> bool:
    return viewer.is_officer_here


spine.nav(
    spine.NavEntry("complexes", _("All complexes"), "registry:complexes", order=10, group="complexes"),
    spine.NavEntry("rules", _("Address rules"), "registry:complex_rules", _can_edit_rules, order=75, group="officer"),
)
RULE_FORM = {"sigungu": "강서구", "address_contains": "접근점검로", "note": "<script>alert(1)</script>"}

spine.access(
    "registry_complexes",
    [
        Access("registry:complexes", ANYONE, note="public aggregates of every complex"),
        Access("registry:complexes", ANYONE, params={"query": {"page": "4611686018427387905"}}, note="400"),
        Access("registry:complexes", ANYONE, params={"query": {"sort": "<script>", "year": "99999"}}, note="400"),
        Access("registry:complexes_export", ANYONE, note="public aggregates of every complex"),
        Access("api:GET /registry/complexes", ANYONE, params={"query": {"year": "2025", "sort": "high_tech"}}),
        Access("api:GET /registry/complexes", ANYONE, params={"query": {"sort": "<script>"}}, note="400"),
        Access("registry:complex_rules", OFFICERS, note="the current complex's officers"),
        Access("registry:complex_rules", OFFICERS, method="POST", body=RULE_FORM),
        Access("registry:complex_rule_remove", OFFICERS, obj="address_rule", method="POST"),
    ],
)
