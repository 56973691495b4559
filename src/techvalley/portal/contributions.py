"""What the portal contributes through the spine: the front page and public pages, each person's
home, the complex dashboard, the transition record, the map, open data and the monthly report;
and one panel of its own, the companies per transition stage."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import ANYONE, OFFICERS, SIGNED_IN, Access

spine.pages("", "techvalley.portal.urls")


def _is_officer(viewer) -> bool:
    return viewer.is_officer


spine.nav(
    spine.NavEntry("home", _("Home"), "portal:home", order=0),
    spine.NavEntry("dashboard", _("Dashboard"), "portal:dashboard", lambda v: v.is_authenticated, order=10),
    spine.NavEntry("complex", _("The complex at a glance"), "portal:complex", order=12),
    spine.NavEntry("map", _("Map"), "portal:map", order=14),
    spine.NavEntry("transition", _("Transition"), "portal:transition", order=16),
    spine.NavEntry("opendata", _("Open data"), "portal:opendata", order=90),
    spine.NavEntry("report", _("Monthly report"), "portal:report", _is_officer, order=95, group="officer"),
)

DATASET = {"key": "registry.companies"}

spine.access(
    "portal",
    [
        Access("portal:home", ANYONE),
        Access("portal:dashboard", SIGNED_IN, note="each role sees the panels it may see"),
        Access("portal:complex", ANYONE),
        Access("portal:transition", ANYONE, note="counts per stage only"),
        Access(
            "portal:company_transition",
            ANYONE,
            obj="company",
            note="public events for everyone; profile history, stage and signals to its own people and officers",
        ),
        Access("portal:map", ANYONE, note="each layer gives the viewer what it may see"),
        Access("portal:map", ANYONE, params={"query": {"layer": "nope", "cat": "\u00b2"}}, note="unknown: ignored"),
        Access("portal:opendata", ANYONE),
        Access("portal:dataset", ANYONE, params=DATASET),
        *(Access("portal:dataset_download", ANYONE, params={**DATASET, "fmt": f}) for f in ("csv", "json", "parquet")),
        Access("portal:dataset_dictionary", ANYONE, params=DATASET),
        Access("portal:report", OFFICERS),
        *(Access("portal:report_download", OFFICERS, params={"fmt": f}) for f in ("pdf", "xlsx", "hwpx")),
    ],
)


def _stage_figures(viewer, cx) -> list[spine.Figure]:
    from django.urls import reverse
    from django.utils import timezone

    from techvalley.portal import stages

    when, counts = stages.counted(cx)
    source = _("the stage rule over the apps' signals (registry, facilities, collaboration, green …)")
    url = reverse("portal:transition")
    when = timezone.localtime(when)
    return [
        spine.Figure(f"stage-{s.key}", s.label, counts[s.key], _("companies"), source, when, url) for s in stages.STAGES
    ]


spine.panel(spine.Panel("transition-stages", _("Companies by transition stage"), _stage_figures, order=25))


def _transition_url(company) -> str:
    from django.urls import reverse

    return reverse("portal:company_transition", args=[company.pk])


spine.related(spine.RelatedLink("transition", "registry.Company", _("Transition record"), _transition_url, order=5))
