"""Read queries of the core app, scoped to the viewer: the audit trail, filtered and made readable.

The audit trail stores what changed as attribute names and raw values (``organisation_id:
None → 8``). ``describe_entries`` turns a page of entries into what an officer reads: the
record type's verbose name, each field's verbose name, choices by their label and related
records by their name — with one query per related model on the page, not per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from techvalley.core import audit
from techvalley.core.models import AuditEntry, Complex
from techvalley.core.scoping import Viewer, officer_q
from techvalley.core.validation import YEAR_MAX, YEAR_MIN, BadInput, clean_text, int_param

#: Korean names for fields whose verbose name is only their attribute name (Django made it from
#: the field's name). Apps should give their fields verbose names; these keep the trail readable
#: meanwhile. Looked up with gettext at display time, so any catalogue may translate them.
FALLBACK_FIELD_NAMES = [
    gettext_noop("complex"),
    gettext_noop("user"),
    gettext_noop("company"),
    gettext_noop("parent"),
    gettext_noop("order"),
    gettext_noop("report"),
    gettext_noop("lon"),
    gettext_noop("lat"),
    gettext_noop("created at"),
    gettext_noop("created by"),
    gettext_noop("submitted at"),
    gettext_noop("reviewed at"),
    gettext_noop("uploaded at"),
    gettext_noop("uploaded by"),
    gettext_noop("size (bytes)"),
    gettext_noop("registry key"),
    gettext_noop("ksic level"),
    gettext_noop("ksic method"),
    gettext_noop("ksic confidence"),
    gettext_noop("ksic status"),
    gettext_noop("estimated fields"),
    gettext_noop("link model"),
    gettext_noop("link id"),
    gettext_noop("source type"),
    gettext_noop("source id"),
    gettext_noop("target id"),
    gettext_noop("username"),
    gettext_noop("email"),
    gettext_noop("key"),
]
#: Companies matched by a name in the company filter, at most.
COMPANY_MATCHES = 50
#: Records of a company followed by the company filter, at most.
COMPANY_RECORDS = 5000


def complex_for(slug: str | None = None) -> Complex | None:
    """The complex a page, API call or command is about: the one named by ``slug``; else the
    installation's default (``TECHVALLEY_DEFAULT_COMPLEX``); else the only complex there is.
    None when the slug is unknown, or none is named and there are several (or none)."""
    from django.conf import settings

    if slug:
        return Complex.objects.filter(slug=slug).first()
    found = Complex.objects.filter(slug=settings.TECHVALLEY_DEFAULT_COMPLEX).first()
    if found is None:
        only = list(Complex.objects.order_by("id")[:2])
        found = only[0] if len(only) == 1 else None
    return found


# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """What an officer narrows the audit trail to. Every field is optional.

    ``company``: a company's id, or part of its name — the company's own entries and those of
    the records that belong to it (contacts, sites, meters …).
    """

    actor: str = ""
    model: str = ""
    action: str = ""
    company: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    object_id: str = ""

    @classmethod
    def from_params(cls, params: Mapping) -> AuditFilters:
        """Read and check the filters of a query string (``BadInput`` on a bad value)."""

        def text(name: str, max_length: int = 150) -> str:
            return clean_text(params.get(name) or "", name, max_length=max_length).strip()

        action = text("action", 10)
        if action and action not in AuditEntry.Action.values:
            raise BadInput(
                f"action: '{action}'은(는) 알 수 없는 동작입니다 ({', '.join(AuditEntry.Action.values)}). "
                f"/ unknown action.",
                field="action",
            )
        since, until = _date(params.get("since"), "since"), _date(params.get("until"), "until")
        if since and until and since > until:
            raise BadInput("since, until: 시작일이 종료일보다 늦습니다. / since is after until.", field="since")
        return cls(
            actor=text("actor"),
            model=text("model", 100),
            action=action,
            company=text("company", 200),
            since=since,
            until=until,
            object_id=text("object_id", 64),
        )

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (empty ones left out): for links and the pager."""
        values = {
            "actor": self.actor,
            "model": self.model,
            "action": self.action,
            "company": self.company,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "object_id": self.object_id,
        }
        return {k: v for k, v in values.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.as_query())


def _date(value, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    text = clean_text(value, name, max_length=10).strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"{name}: '{text}'은(는) 날짜가 아닙니다 (YYYY-MM-DD). / not a date (YYYY-MM-DD).", field=name
        ) from None
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise BadInput(f"{name}: {YEAR_MIN}~{YEAR_MAX}년 사이여야 합니다. / year out of range.", field=name)
    return day


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- the company filter, without importing the registry ---------------------------------------


def company_model() -> type[models.Model] | None:
    """The model other audited records point to with their ``company`` field (the registry's
    company), found through the audit registry so that core names no app."""
    for model in audit._AUDITED:
        try:
            f = model._meta.get_field("company")
        except Exception:  # noqa: BLE001 — FieldDoesNotExist
            continue
        if f.many_to_one or f.one_to_one:
            return f.related_model
    return None


def company_ids(cx: Complex, text: str) -> list[int]:
    """Companies of the complex named by ``text``: an id, or part of a name."""
    model = company_model()
    if model is None or not text:
        return []
    qs = model._default_manager.all()
    if any(f.name == "complex" for f in model._meta.concrete_fields):
        qs = qs.filter(complex=cx)
    if text.isascii() and text.isdigit():
        return list(qs.filter(pk=int_param(text, "company", lo=1)).values_list("pk", flat=True))
    return list(qs.filter(name__icontains=text).order_by("pk").values_list("pk", flat=True)[:COMPANY_MATCHES])


def _company_q(entries: QuerySet, ids: list[int]) -> Q:
    """Entries about these companies, or about records created (or deleted) as theirs."""
    model = company_model()
    if model is None or not ids:
        return Q(pk__in=[])
    q = Q(model=model._meta.label, object_id__in=[str(i) for i in ids])
    belonging = (
        entries.filter(Q(changes__company_id__1__in=ids) | Q(changes__company_id__0__in=ids))
        .order_by()
        .values_list("model", "object_id")
        .distinct()[:COMPANY_RECORDS]
    )
    by_model: dict[str, set[str]] = defaultdict(set)
    for label, object_id in belonging:
        by_model[label].add(object_id)
    for label, object_ids in by_model.items():
        q |= Q(model=label, object_id__in=sorted(object_ids))
    return q


# --- the trail -----------------------------------------------------------------------------


def audit_trail(
    viewer: Viewer,
    cx: Complex | None = None,
    model: str = "",
    object_id: str = "",
    *,
    filters: AuditFilters | None = None,
) -> QuerySet:
    """Changes to domain data, newest first: officers of the complex only, narrowed by ``filters``
    (``model``/``object_id`` are the short form for one record's history)."""
    qs = AuditEntry.objects.filter(officer_q(viewer))
    if cx is not None:
        qs = qs.filter(complex=cx)
    f = filters or AuditFilters()
    model, object_id = model or f.model, object_id or f.object_id
    if model:
        qs = qs.filter(model=model)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if f.actor:
        qs = qs.filter(actor_label=f.actor)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.since:
        qs = qs.filter(at__gte=_start_of(f.since))
    if f.until:
        qs = qs.filter(at__lt=_start_of(f.until + dt.timedelta(days=1)))
    if f.company:
        scope = AuditEntry.objects.filter(officer_q(viewer))
        if cx is not None:
            scope = scope.filter(complex=cx)
        qs = qs.filter(_company_q(scope, company_ids(cx, f.company) if cx is not None else []))
    return qs


def kind_label(label: str) -> str:
    """The readable name of a record type ("registry.Company" → "기업")."""
    model = _model(label)
    return capfirst(_(str(model._meta.verbose_name))) if model is not None else label


def audit_choices(viewer: Viewer, cx: Complex) -> dict:
    """The values the filter menus offer: who made changes and which kinds of record changed."""
    base = AuditEntry.objects.filter(officer_q(viewer), complex=cx)
    actors = list(base.order_by("actor_label").values_list("actor_label", flat=True).distinct()[:200])
    labels = base.order_by("model").values_list("model", flat=True).distinct()
    kinds = sorted(((label, kind_label(label)) for label in labels), key=lambda pair: pair[1])
    return {
        "actors": [(a, actor_label(a)) for a in actors],
        "kinds": kinds,
        "actions": list(AuditEntry.Action.choices),
    }


# --- readable entries ----------------------------------------------------------------------


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class ReadableEntry:
    """An audit entry as an officer reads it."""

    entry: AuditEntry
    kind: str
    actor: str
    action: str
    changes: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict:
        e = self.entry
        return {
            "at": e.at,
            "actor": self.actor,
            "actor_label": e.actor_label,
            "action": e.action,
            "action_label": self.action,
            "model": e.model,
            "kind": self.kind,
            "object_id": e.object_id,
            "object_repr": e.object_repr,
            "reason": e.reason,
            "changes": e.changes,
            "changes_readable": [
                {"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in self.changes
            ],
        }


def actor_label(label: str) -> str:
    """Who made a change, in words: a username, the command line, the demo loader, the system."""
    if label.startswith("cli:"):
        return _("command line (%(user)s)") % {"user": label[4:]}
    if label == "demo":
        return _("demo data")
    if label in ("", "system"):
        return _("system")
    return label


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _fields_by_attname(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    found = {}
    for f in model._meta.concrete_fields:
        found[f.attname] = f
        found[f.name] = f
    return found


def field_label(f: models.Field | None, key: str) -> str:
    if f is None:
        return _(key.removesuffix("_id").replace("_", " "))
    return capfirst(_(str(f.verbose_name)))


def _plain(value, f: models.Field | None) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if f is not None and f.choices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{moment:%Y-%m-%d %H:%M}"
    if isinstance(value, list):
        joiner = "; " if any(isinstance(v, list | dict) for v in value) else ", "
        return joiner.join(_plain(v, None) for v in value)
    if isinstance(value, dict):
        # A structured value (a card's row): its values, not its keys (which are code, not words).
        return " · ".join(_plain(v, None) for v in value.values() if v not in (None, "", [], {}))
    if isinstance(f, NUMBER_FIELDS) and not isinstance(value, bool):
        number = _number(value)
        if number is not None:
            return number
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


NUMBER_FIELDS = (models.DecimalField, models.FloatField, models.IntegerField)


def _number(value) -> str | None:
    """A stored number as written, whatever its type in the trail ("40.0", 40 and 40.00 → "40")."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite():
        return str(value)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else format(d.normalize(), "f")


def describe_entries(entries: Iterable[AuditEntry]) -> list[ReadableEntry]:
    """Entries with readable record types, field names and values (related records by name).

    Related records are looked up once per related model for all the entries given, so a page
    costs the same number of queries whatever its size.
    """
    entries = list(entries)
    models_of = {label: _model(label) for label in {e.model for e in entries}}
    fields_of = {label: _fields_by_attname(m) for label, m in models_of.items()}

    wanted: dict[type[models.Model], set] = defaultdict(set)
    for e in entries:
        for key, pair in (e.changes or {}).items():
            f = fields_of[e.model].get(key)
            if f is not None and f.is_relation and f.related_model is not None and isinstance(pair, list | tuple):
                for v in pair:
                    if v is not None and not isinstance(v, list | dict):
                        wanted[f.related_model].add(v)
    names: dict[type[models.Model], dict[str, str]] = {}
    for related, ids in wanted.items():
        try:
            found = related._default_manager.in_bulk(list(ids))
        except (ValueError, TypeError):
            found = {}
        names[related] = {str(pk): str(obj) for pk, obj in found.items()}

    def value(v, f: models.Field | None) -> str:
        if v is not None and f is not None and f.is_relation and f.related_model is not None:
            name = names.get(f.related_model, {}).get(str(v))
            if name is not None:
                return name
            return pgettext("a related record that no longer exists", "#%(id)s (deleted)") % {"id": v}
        return _plain(v, f)

    readable = []
    for e in entries:
        model = models_of[e.model]
        changes = []
        for key, pair in (e.changes or {}).items():
            f = fields_of[e.model].get(key)
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            shown = Change(key, field_label(f, key), value(old, f), value(new, f))
            if e.action == AuditEntry.Action.UPDATE and shown.old == shown.new:
                continue  # the same value stored in another type (40.0 and 40): not a change to show
            changes.append(shown)
        readable.append(
            ReadableEntry(
                entry=e,
                kind=capfirst(_(str(model._meta.verbose_name))) if model is not None else e.model,
                actor=actor_label(e.actor_label),
                action=e.get_action_display(),
                changes=changes,
            )
        )
    # A model may put its structured values in words itself (e.g. survey answers under their
    # questions): core names no app, it looks the method up on the model.
    for label, model in models_of.items():
        hook = getattr(model, "describe_audit", None)
        if callable(hook):
            hook([r for r in readable if r.entry.model == label])
    return readable
