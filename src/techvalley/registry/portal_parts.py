"""The registry's part of the portal, registered through the spine (decision 0007).

- ``spine.transition("registry")``: each company's registry history as timeline events, read
  from the audit trail (imports record every changed field with the file's name; profile edits
  record who changed what) — KSIC and technology-level changes between registry imports and
  entering or leaving the registry (published data, for everyone); R&D centre, certifications
  and smart-factory level changes (the company's change history: its own people and the
  district officers only). Its signals ``tech_level``, ``rnd_centre``, ``certifications`` (벤처,
  이노비즈, 메인비즈 held) and ``smart_factory_level`` (0 none … 4 advanced) are computed for
  many companies in two queries, as of a date: the current values, with every change recorded
  after that date undone.
- ``spine.dataset``: ``registry.companies`` (published registry fields only: no phone,
  representative, contact, e-mail, business or corporate number) and
  ``registry.industry_structure`` (companies by KSIC division and technology level).
- ``spine.map_layer("registry.companies")``: companies by technology level (public fields).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

AUDIT_MODEL = "registry.Company"
#: Changes from the published registry: every viewer sees them.
PUBLIC_FIELDS = ("ksic_code", "tech_intensity", "in_registry")
#: Changes to the company's own profile: its change history is private (registry.permissions).
PRIVATE_FIELDS = ("rd_centre", "certifications", "smart_factory_level")
SMART_FACTORY_LEVELS = {"none": 0, "basic": 1, "intermediate1": 2, "intermediate2": 3, "advanced": 4}
#: The certifications the ``certifications`` signal counts (벤처 · 이노비즈 · 메인비즈).
INNOVATION_CERTIFICATIONS = ("venture", "innobiz", "mainbiz")
#: One colour per technology level: the map's points and its legend (the home page's dots too).
TECH_LEVEL_COLOURS = {
    "high": "#6a3d9a",
    "medium_high": "#1f78b4",
    "medium_low": "#33a02c",
    "low": "#b2a14f",
    "knowledge_services": "#e31a8c",
    "other": "#888888",
    "unknown": "#c8c8c8",
}
#: Above this many companies, look changes up by complex rather than by a list of ids.
_MANY = 500


def _source_file(reason: str) -> str:
    for prefix in ("not in registry import ", "registry import "):
        if reason.startswith(prefix):
            return reason[len(prefix) :]
    return ""


def _intensity(key) -> str:
    from techvalley.registry.labels import INTENSITIES

    return str(INTENSITIES.get(key, key or "—"))


def _certification(key) -> str:
    from techvalley.registry.models import CERTIFICATIONS

    return str(CERTIFICATIONS.get(key, key))


def _smart_factory(key) -> str:
    from techvalley.registry.models import SmartFactoryLevel

    return str(dict(SmartFactoryLevel.choices).get(key, key or "—"))


# --- the transition record ---------------------------------------------------------------


def events(company, viewer) -> list[spine.TimelineEvent]:
    """The company's registry history: public changes for everyone, profile changes for its own
    people and the district officers."""
    from django.urls import reverse

    from techvalley.core.models import AuditEntry
    from techvalley.registry import permissions

    private = permissions.can_view_private(viewer, company)
    url = reverse("registry:company_detail", args=[company.pk])
    entries = (
        AuditEntry.objects.filter(model=AUDIT_MODEL, object_id=str(company.pk))
        .order_by("at", "id")
        .values_list("at", "action", "changes", "reason")
    )
    out: list[spine.TimelineEvent] = []
    for at, action, changes, reason in entries:
        day = timezone.localdate(at) if timezone.is_aware(at) else at.date()
        file = _source_file(reason or "")
        source = _("Busan factory registry: %(file)s") % {"file": file} if file else _("company profile")

        def add(kind, label, detail="", *, src=source, day=day):
            out.append(spine.TimelineEvent(day, kind, label, detail, url, src))

        changes = changes or {}
        if action == "create":
            code = (changes.get("ksic_code") or [None, ""])[1]
            add("registry.entered", _("Entered the registry"), code or "", src=source if file else _("the platform"))
        old_code, new_code = changes.get("ksic_code", [None, None])
        if action == "update" and "ksic_code" in changes:
            add("registry.ksic", _("Industry changed (KSIC)"), f"{old_code or '—'} → {new_code or '—'}")
        if action == "update" and "tech_intensity" in changes:
            old, new = changes["tech_intensity"]
            add("registry.tech_level", _("Technology level changed"), f"{_intensity(old)} → {_intensity(new)}")
        if action == "update" and "in_registry" in changes:
            left = not changes["in_registry"][1]
            add("registry.listed", _("Left the registry") if left else _("Back in the registry"))
        if not private:
            continue
        if "rd_centre" in changes:
            old, new = changes["rd_centre"]
            if bool(old) != bool(new):
                add("registry.rnd_centre", _("R&D centre registered") if new else _("R&D centre closed"))
        if "certifications" in changes:
            old, new = set(changes["certifications"][0] or []), set(changes["certifications"][1] or [])
            for key in sorted(new - old):
                add("registry.certification", _("Certification obtained"), _certification(key))
            for key in sorted(old - new):
                add("registry.certification", _("Certification ended"), _certification(key))
        if "smart_factory_level" in changes:
            old, new = changes["smart_factory_level"]
            if (old or "none") != (new or "none"):
                add(
                    "registry.smart_factory",
                    _("Smart-factory level changed"),
                    f"{_smart_factory(old or 'none')} → {_smart_factory(new)}",
                )
    return out


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _by_ids(qs, companies, field: str):
    """Rows of ``qs`` for these companies: by a list of ids, or (many) by their complexes."""
    ids = {c.pk for c in companies}
    if len(ids) <= _MANY:
        return qs.filter(**{f"{field}__in": [str(i) for i in ids] if field == "object_id" else ids}), ids
    complexes = {c.complex_id for c in companies}
    return qs.filter(complex_id__in=complexes), ids


def signals(companies, as_of: dt.date | None = None) -> dict[int, list[spine.CompanySignal]]:
    """``tech_level``, ``rnd_centre``, ``certifications``, ``smart_factory_level`` per company,
    now or as of a day (the values then: changes recorded after that day undone). Two queries."""
    from techvalley.core.models import AuditEntry
    from techvalley.registry.models import Company

    companies = list(companies)
    if not companies:
        return {}
    fields = ("tech_intensity", "rd_centre", "certifications", "smart_factory_level")
    qs, ids = _by_ids(Company.objects.all(), companies, "pk")
    state = {row[0]: dict(zip(fields, row[1:], strict=True)) for row in qs.values_list("id", *fields) if row[0] in ids}
    if as_of is not None and as_of < timezone.localdate():
        later, _ids = _by_ids(
            AuditEntry.objects.filter(model=AUDIT_MODEL, at__gte=_end_of(as_of)), companies, "object_id"
        )
        undone: set[tuple[int, str]] = set()
        for object_id, changes in later.order_by("at", "id").values_list("object_id", "changes"):
            pk = int(object_id)
            if pk not in state:
                continue
            for f in fields:
                # The first change after the day holds, as its old value, the value on that day.
                if f in (changes or {}) and (pk, f) not in undone:
                    undone.add((pk, f))
                    state[pk][f] = changes[f][0]
    day = as_of or timezone.localdate()
    source = _("Busan factory registry and company profiles")
    labels = (
        _("technology level"),
        _("R&D centre (기업부설연구소)"),
        _("venture, Inno-Biz and Main-Biz certifications held"),
        _("smart-factory level (0 none … 4 advanced)"),
    )
    Signal = spine.CompanySignal
    out = {}
    for pk, s in state.items():
        certs = s["certifications"] or []
        out[pk] = [
            Signal("tech_level", labels[0], s["tech_intensity"] or "unknown", day, source),
            Signal("rnd_centre", labels[1], bool(s["rd_centre"]), day, source),
            Signal("certifications", labels[2], sum(1 for c in certs if c in INNOVATION_CERTIFICATIONS), day, source),
            Signal(
                "smart_factory_level",
                labels[3],
                SMART_FACTORY_LEVELS.get(s["smart_factory_level"] or "none", 0),
                day,
                source,
            ),
        ]
    return out


# --- open data ---------------------------------------------------------------------------

COMPANY_COLUMNS = (
    spine.Column("company_id", "integer", _("the platform's number of the company (stable across imports)")),
    spine.Column("name", "string", _("company name as registered (회사명)")),
    spine.Column("legal_dong", "string", _("legal dong (법정동) of the factory")),
    spine.Column("address", "string", _("road-name address of the factory (공장대표주소)")),
    spine.Column("industry_name", "string", _("industry as registered (업종명)")),
    spine.Column("ksic_code", "string", _("KSIC code placed from the registered industry (empty: under review)")),
    spine.Column("ksic_division", "string", _("KSIC division (first two digits)")),
    spine.Column(
        "tech_level",
        "string",
        _("technology level: high, medium_high, medium_low, low, knowledge_services, other, unknown"),
    ),
    spine.Column("size_class", "string", _("size class by employees: micro, small, medium, large, unknown")),
    spine.Column("status", "string", _("operating status: operating, suspended, closed, not_started, construction")),
    spine.Column("lat", "number", _("latitude of the geocoded address (WGS84; empty: not located)"), "°"),
    spine.Column("lon", "number", _("longitude of the geocoded address (WGS84; empty: not located)"), "°"),
)


def company_rows(cx):
    from techvalley.registry.models import Company

    rows = (
        Company.objects.filter(complex=cx, in_registry=True)
        .order_by("name", "id")
        .values_list(
            "id",
            "name",
            "legal_dong",
            "address",
            "industry_name",
            "ksic_code",
            "tech_intensity",
            "size_class",
            "status",
            "lat",
            "lon",
        )
    )
    for pk, name, dong, address, industry, code, level, size, status, lat, lon in rows.iterator(chunk_size=2000):
        yield (pk, name, dong, address, industry, code, code[:2], level, size, status, lat, lon)


def updated(cx) -> dt.date | None:
    """The day the complex's companies last changed (an import or a profile edit)."""
    from django.db.models import Max

    from techvalley.registry.models import Company

    last = Company.objects.filter(complex=cx).aggregate(last=Max("updated_at"))["last"]
    return timezone.localdate(last) if last else None


STRUCTURE_COLUMNS = (
    spine.Column("ksic_division", "string", _("KSIC division (first two digits; empty: under review)")),
    spine.Column("division_name", "string", _("name of the KSIC division")),
    spine.Column("tech_level", "string", _("technology level of the division (see the companies dataset)")),
    spine.Column("companies", "integer", _("companies in the registry"), _("companies")),
)


def structure_rows(cx):
    from django.db.models import Count
    from django.db.models.functions import Substr

    from techvalley.registry.models import Company
    from techvalley.registry.selectors import label_division

    rows = (
        Company.objects.filter(complex=cx, in_registry=True)
        .annotate(division=Substr("ksic_code", 1, 2))
        .values_list("division", "tech_intensity")
        .annotate(n=Count("id"))
        .order_by("division", "tech_intensity")
    )
    for division, level, n in rows:
        yield (division or "", label_division(division or ""), level, n)


# --- the map -------------------------------------------------------------------------------


def company_points(viewer, cx) -> list[spine.MapPoint]:
    """Every located company of the registry, coloured by technology level: published fields
    (name, KSIC code, registered industry) only, whoever looks."""
    from django.urls import reverse

    from techvalley.registry.models import Company

    marker = 987654321
    pattern = reverse("registry:company_detail", args=[marker]).replace(str(marker), "{}")
    rows = Company.objects.filter(complex=cx, in_registry=True, lon__isnull=False, lat__isnull=False).values_list(
        "id", "lat", "lon", "name", "tech_intensity", "ksic_code", "industry_name"
    )
    return [
        spine.MapPoint(lat, lon, name, level or "unknown", pattern.format(pk), f"{code} {industry}".strip())
        for pk, lat, lon, name, level, code, industry in rows
    ]


def unplaced_companies(viewer, cx) -> int:
    """Companies of the registry the map cannot place (no coordinates from their address)."""
    from django.db.models import Q

    from techvalley.registry.models import Company

    return (
        Company.objects.filter(complex=cx, in_registry=True).filter(Q(lon__isnull=True) | Q(lat__isnull=True)).count()
    )


def _tech_level_categories():
    from techvalley.registry.labels import INTENSITIES

    return tuple((key, INTENSITIES[key], colour) for key, colour in TECH_LEVEL_COLOURS.items())


spine.transition(spine.Transition("registry", _("Company registry"), events, signals, order=10))
spine.dataset(
    spine.Dataset(
        "registry.companies",
        _("Companies of the complex"),
        _(
            "Every company with a registered factory in the complex, as the factory registry publishes it: name, "
            "address, registered industry, the KSIC code and technology level placed from it, size class and "
            "location. No phone number, representative, contact person, e-mail, business or corporate number."
        ),
        COMPANY_COLUMNS,
        company_rows,
        updated,
        source=_("Busan factory registry (부산광역시 공장등록 현황), classified by the platform"),
        order=10,
    ),
    spine.Dataset(
        "registry.industry_structure",
        _("Industry structure"),
        _("Companies of the complex by KSIC division and technology level."),
        STRUCTURE_COLUMNS,
        structure_rows,
        updated,
        source=_("Busan factory registry (부산광역시 공장등록 현황), classified by the platform"),
        order=11,
    ),
)
spine.map_layer(
    spine.MapLayer(
        "registry.companies",
        _("Companies by technology level"),
        company_points,
        _tech_level_categories(),
        order=10,
        unplaced=unplaced_companies,
    )
)
