"""The spine: what each app contributes to the platform, collected in one place.

Apps never edit one another, nor core. Each app declares its contributions in its own
``contributions.py`` (``from techvalley.core import spine; spine.nav(...)``), which core
imports once at start-up (``CoreConfig.ready``):

- ``pages(prefix, urlconf)``: its URL patterns, mounted under ``/prefix``;
- ``api(prefix, router)``: its django-ninja router, mounted under ``/api/prefix``;
- ``nav(...)``: menu entries, each with the predicate that decides who sees it (an entry a
  viewer cannot open is never shown: no menu item leads to a 403);
- ``panel(...)``: dashboard panels made of figures (value, unit, source, as-of date, link);
- ``linkable(...)``: record types another record (a plan achievement) may link to;
- ``search(...)``: site-search providers, each scoped to the viewer;
- ``access(app, entries)``: the access table — every URL name and API operation of the app,
  with the roles allowed (``tests/core/test_access.py`` walks them all);
- ``demo_step(...)``: a step of ``techvalley demo``;
- ``related(...)``: links an app offers on another app's record pages (a company page);
- ``metric(...)``: a number one app computes that another shows (the card's 구민소통 count,
  computed by surveys from its communication records, shown by plan tracking);
- ``action(...)``: something one app does at another's request (plan tracking creates a
  sub-project when an officer promotes a survey candidate);
- ``transition(...)``: what an app knows of a company's change from traditional manufacturing
  to high-tech — events for its timeline and signals the portal's stage rule reads;
- ``dataset(...)``: a public dataset for the open-data pages (columns with a dictionary, rows);
- ``map_layer(...)``: a layer of the complex map (points with categories and colours).

Command-line groups follow a convention instead (the CLI starts without Django): each app's
``cli.py`` exposes ``GROUPS`` (name → ``typer.Typer``) and the root command adds them.

Base templates, the portal, the API and the root URLconf iterate what is registered and
name no app.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

# --- who may use what --------------------------------------------------------------------

#: Every kind of person the access tables speak of. "visitor" is signed in without an
#: organisation; "member"/"manager" belong to a company; the rest to their organisation.
ROLES = ("anonymous", "visitor", "member", "manager", "university", "agency", "centre", "officer", "planner")
ANYONE = frozenset(ROLES)
SIGNED_IN = ANYONE - {"anonymous"}
OFFICERS = frozenset({"officer", "planner"})
PLANNERS = frozenset({"planner"})
#: Members of any organisation (company, university, agency, centre, district).
ORG_MEMBERS = frozenset({"member", "manager", "university", "agency", "centre", "officer", "planner"})
#: "own:ROLE": the role, but only on objects of its own company.
OWN_COMPANY = frozenset({"own:member", "own:manager"})
OWN_MANAGER = frozenset({"own:manager"})


@dataclass(frozen=True)
class Access:
    """One entry of an app's access table.

    ``name`` is a URL name (``"green:company"``) or an API operation (``"api:GET /green/report"``,
    the path as the OpenAPI document writes it, without ``/api``). ``roles`` says who may use
    it (tokens from ``ROLES``, plus ``own:ROLE`` for a role that may use it only on its own
    company's objects). ``obj`` names the kind of object the URL is about (``"company"`` for a
    company-owned record) so the access test tries it on two companies' objects.
    """

    name: str
    roles: frozenset[str]
    obj: str = ""
    method: str = "GET"
    #: Fixed URL parameters (``{"fmt": "pdf"}``); object ids come from ``obj``.
    params: dict = field(default_factory=dict, hash=False, compare=False)
    #: A valid request body for a write (JSON for the API, form fields for pages), so the
    #: test sees the permission check rather than a validation error.
    body: dict | None = field(default=None, hash=False, compare=False)
    note: str = ""

    def allows(self, role: str, own: bool = True) -> bool:
        return role in self.roles or (own and f"own:{role}" in self.roles)


# --- what a page shows ----------------------------------------------------------------


def _always(*_args) -> bool:
    return True


@dataclass(frozen=True)
class NavEntry:
    """A menu entry. ``group``: "main" (everyone's menu) or "officer" (the officers' menu)."""

    key: str
    label: Any
    url_name: str
    visible: Callable[..., bool] = _always  # (viewer) -> bool
    order: int = 100
    group: str = "main"


@dataclass(frozen=True)
class Figure:
    """One figure on a dashboard: what it is, its value, where it comes from and as of when."""

    key: str
    label: Any
    value: Any
    unit: Any = ""
    source: Any = ""
    as_of: dt.date | dt.datetime | str | None = None
    url: str = ""
    note: Any = ""


@dataclass(frozen=True)
class Panel:
    """A dashboard panel. ``figures(viewer, complex)`` returns its figures (scoped to the viewer).

    ``audiences``: where it appears — "complex" (the complex dashboard), "officer" (an
    officer's home: things to act on), "company" (a company's home).
    """

    key: str
    title: Any
    figures: Callable[..., list[Figure]]
    visible: Callable[..., bool] = _always  # (viewer, complex) -> bool
    order: int = 100
    audiences: frozenset[str] = frozenset({"complex"})


@dataclass(frozen=True)
class LinkableType:
    """A record type other records may link to (a plan achievement → an agreement, a course …).

    ``model`` is "app_label.ModelName". ``candidates(complex, query)`` returns the records an
    officer may pick from; ``url(obj)`` the record's page; ``is_public(obj)`` whether the link
    may be shown on public pages.
    """

    key: str
    label: Any
    model: str
    candidates: Callable[..., Iterable[Any]]
    url: Callable[[Any], str]
    is_public: Callable[[Any], bool] = _always
    title: Callable[[Any], str] = str

    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model)


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    kind: Any
    snippet: str = ""


@dataclass(frozen=True)
class SearchProvider:
    """Site search: ``search(viewer, complex, query, limit)`` returns hits the viewer may see."""

    key: str
    label: Any
    search: Callable[..., list[SearchHit]]
    order: int = 100


@dataclass(frozen=True)
class RelatedLink:
    """A link another app offers on a record's page ("check this company's eligibility for a
    knowledge-industry centre" on a company page). ``model`` is "app_label.ModelName";
    ``url(obj)`` may return "" when the link does not apply to that record."""

    key: str
    model: str
    label: Any
    url: Callable[[Any], str]
    visible: Callable[..., bool] = _always  # (viewer, obj) -> bool
    order: int = 100


@dataclass(frozen=True)
class DemoStep:
    """A step of ``techvalley demo``.

    ``run(summary, options)`` gets what the earlier steps returned (``summary["complex"]`` is
    the demo complex's slug once the registry step ran) and the command's options
    (``energy_days`` …); it returns a dict merged into the summary. ``atomic`` steps run in
    one transaction together, before the others (bulk steps such as the energy lake).
    """

    key: str
    label: str
    run: Callable[..., dict | None]
    order: int = 100
    atomic: bool = True


@dataclass(frozen=True)
class Metric:
    """A number one app computes and another shows, without importing it.

    ``compute(complex, **params)`` returns the value (``params`` are documented by the app
    that registers it, e.g. ``year=2024, public_only=True``). Readers call
    ``platform.metric_value(key, complex, ...)``, which answers None when no app registered it.
    """

    key: str
    label: Any
    compute: Callable[..., Any]
    unit: Any = ""
    source: Any = ""


@dataclass(frozen=True)
class Action:
    """Something an app does at another app's request (plan tracking creates a sub-project
    from a survey candidate). ``run(actor, complex, **payload)`` does it in its own
    services (audited, validated: it raises ``BadInput``) and returns the record it made;
    ``visible(viewer)`` says who may ask for it (the button is shown only to them)."""

    key: str
    label: Any
    run: Callable[..., Any]
    visible: Callable[..., bool] = _always  # (viewer) -> bool


@dataclass(frozen=True)
class TimelineEvent:
    """One dated step of a company's transition record (a KSIC change, a certification, a
    course finished, an agreement signed …). ``kind`` is the contributing key."""

    date: dt.date
    kind: str
    label: Any
    detail: Any = ""
    url: str = ""
    source: Any = ""


@dataclass(frozen=True)
class CompanySignal:
    """One fact about a company that the portal's stage rule reads (``key`` from
    ``SIGNAL_KEYS``; ``value`` a number, bool or short text), with its source and date."""

    key: str
    label: Any
    value: Any
    as_of: dt.date | None = None
    source: Any = ""


#: The signals the stage rule knows (an app may register others; the rule ignores them).
SIGNAL_KEYS = (
    "tech_level",  # registry: "high" | "medium_high" | "medium_low" | "low" | "knowledge" | "other"
    "rnd_centre",  # bool: 기업부설연구소
    "certifications",  # int: 벤처 · 이노비즈 · 메인비즈 held
    "smart_factory_level",  # int 0–5
    "training_hours",  # number: workers' training hours (facilities)
    "equipment_hours",  # number: shared-equipment hours used (facilities)
    "collaborations",  # int: agreements / joint programmes the company takes part in
    "collaboration_outcomes",  # int: patents, products, tech transfers from them
    "energy_intensity",  # number: tCO2eq per employee (green)
    "kic_tenant",  # bool: a tenant of a knowledge-industry centre
)


@dataclass(frozen=True)
class Transition:
    """An app's part of each company's transition record.

    ``events(company, viewer)`` returns the company's ``TimelineEvent`` list the viewer may see;
    ``signals(companies, as_of)`` returns ``{company_id: [CompanySignal, ...]}`` for many
    companies at once (as of a date, or now when None) — the complex view counts stages from it,
    so it must not run a query per company.
    """

    key: str
    label: Any
    events: Callable[..., list[TimelineEvent]]
    signals: Callable[..., dict[int, list[CompanySignal]]] = lambda companies, as_of=None: {}
    order: int = 100


@dataclass(frozen=True)
class Column:
    """A column of a public dataset and its entry in the data dictionary."""

    name: str
    type: str  # "string" | "integer" | "number" | "date" | "boolean"
    description: Any
    unit: str = ""


@dataclass(frozen=True)
class Dataset:
    """A public dataset (공공데이터) the portal offers as CSV, Parquet and JSON.

    ``rows(complex)`` yields tuples in ``columns`` order; ``updated(complex)`` is the date
    the data last changed. Nothing personal may appear (phone, representative, contact,
    e-mail, business number): the portal's test checks every registered dataset.
    """

    key: str
    title: Any
    description: Any
    columns: tuple[Column, ...]
    rows: Callable[..., Iterable[tuple]]
    updated: Callable[..., dt.date | None]
    source: Any = ""
    licence: str = "공공누리 제1유형 (출처표시) / KOGL Type 1 (attribution)"
    order: int = 100


@dataclass(frozen=True)
class MapPoint:
    lat: float
    lon: float
    label: str
    category: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class MapLayer:
    """A layer of the complex map. ``points(viewer, complex)`` returns the points the viewer
    may see (public fields only for the public); ``categories`` is ``((key, label, colour),
    ...)`` — the legend, in the colours the points are drawn with; ``unplaced(viewer, complex)``
    counts the records left off the map for want of a location."""

    key: str
    label: Any
    points: Callable[..., list[MapPoint]]
    categories: tuple[tuple[str, Any, str], ...]
    visible: Callable[..., bool] = _always  # (viewer) -> bool
    order: int = 100
    # (viewer, complex) -> how many of the layer's records the viewer may see have no location
    # (the map says so instead of leaving them out silently); None: every record is placed.
    unplaced: Callable[..., int] | None = None


@dataclass(frozen=True)
class PersonalData:
    """Personal data an app holds (개인정보), for ``core.privacy``: ``export(user)`` returns what
    the app holds about a signed-in person (JSON-able; unmasked, it is theirs) for their export;
    ``erase_consented(consent)`` erases or anonymises the app's record named by a
    ``core.privacy.Consent`` whose retention ended or that was withdrawn (``consent.purpose_key``
    is this ``key``; ``consent.record_type``/``record_id`` name the record). ``retention_days`` is
    the app's default period for new consents; ``items`` what it collects (for the privacy notice).
    Register with ``spine.personal_data(PersonalData(...))``; read ``platform.personal_data_by_key``."""

    key: str
    label: Any
    export: Callable[..., Any] | None = None  # (user) -> JSON-able
    erase_consented: Callable[..., Any] | None = None  # (consent) -> None
    retention_days: int = 365
    items: tuple[str, ...] = ()


@dataclass
class Contributions:
    """Everything the apps registered. One instance, ``platform``, lives in this module; the
    module-level functions (``spine.nav(...)``) register into it."""

    page_routes: list[tuple[str, str]] = field(default_factory=list)
    api_routes: list[tuple[str, str]] = field(default_factory=list)
    nav_entries: list[NavEntry] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    linkable_types: dict[str, LinkableType] = field(default_factory=dict)
    search_providers: list[SearchProvider] = field(default_factory=list)
    access_tables: dict[str, tuple[Access, ...]] = field(default_factory=dict)
    demo_steps: list[DemoStep] = field(default_factory=list)
    related_links: list[RelatedLink] = field(default_factory=list)
    metrics: dict[str, Metric] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    transitions: list[Transition] = field(default_factory=list)
    datasets: dict[str, Dataset] = field(default_factory=dict)
    map_layers: list[MapLayer] = field(default_factory=list)
    personal_data_by_key: dict[str, PersonalData] = field(default_factory=dict)
    warmups: list[Callable[[], Any]] = field(default_factory=list)

    # registration --------------------------------------------------------------------
    def pages(self, prefix: str, urlconf: str) -> None:
        self.page_routes.append((prefix, urlconf))

    def api(self, prefix: str, router: str) -> None:
        """``router``: dotted path "techvalley.green.api.router", imported when the API is built."""
        self.api_routes.append((prefix, router))

    def nav(self, *entries: NavEntry) -> None:
        self.nav_entries.extend(entries)

    def panel(self, *panels: Panel) -> None:
        self.panels.extend(panels)

    def linkable(self, *types: LinkableType) -> None:
        for t in types:
            if t.key in self.linkable_types:
                raise ValueError(f"linkable type {t.key!r} registered twice")
            self.linkable_types[t.key] = t

    def search(self, *providers: SearchProvider) -> None:
        self.search_providers.extend(providers)

    def access(self, app_label: str, entries: Iterable[Access]) -> None:
        self.access_tables[app_label] = tuple(entries)

    def demo_step(self, *steps: DemoStep) -> None:
        self.demo_steps.extend(steps)

    def related(self, *links: RelatedLink) -> None:
        self.related_links.extend(links)

    def metric(self, *metrics: Metric) -> None:
        for m in metrics:
            _once(self.metrics, m.key, m, "metric")

    def action(self, *actions: Action) -> None:
        for a in actions:
            _once(self.actions, a.key, a, "action")

    def transition(self, *parts: Transition) -> None:
        self.transitions.extend(parts)

    def warmup(self, *loaders: Callable[[], Any]) -> None:
        """Something slow to load on first use (a language model, an index) that a server worker
        should load when it starts rather than on a user's first request: no arguments, no
        database access, idempotent (the app keeps what it loaded)."""
        self.warmups.extend(loaders)

    def warm_up_in_background(self) -> threading.Thread:
        """Run every registered warm-up in one daemon thread (the worker serves meanwhile; a
        request that needs a model still loading waits for it, as it would have anyway). A
        failing warm-up is logged and skipped: it only costs the first request its load time."""

        def run() -> None:
            log = logging.getLogger("techvalley.warmup")
            for loader in self.warmups:
                started = time.perf_counter()
                try:
                    loader()
                except Exception:  # never take the worker down for an optimisation
                    log.exception("warm-up %s failed", getattr(loader, "__qualname__", loader))
                else:
                    log.info(
                        "warm-up %s: %.1f s", getattr(loader, "__qualname__", loader), time.perf_counter() - started
                    )

        thread = threading.Thread(target=run, name="techvalley-warmup", daemon=True)
        thread.start()
        return thread

    def dataset(self, *datasets: Dataset) -> None:
        for d in datasets:
            _once(self.datasets, d.key, d, "dataset")

    def map_layer(self, *layers: MapLayer) -> None:
        self.map_layers.extend(layers)

    def personal_data(self, *providers: PersonalData) -> None:
        for p in providers:
            _once(self.personal_data_by_key, p.key, p, "personal data")

    # reading ---------------------------------------------------------------------------
    def metric_value(self, key: str, complex, **params):
        """The registered metric's value, or None when no installed app provides it."""
        m = self.metrics.get(key)
        return None if m is None else m.compute(complex, **params)

    def action_for(self, key: str, viewer=None) -> Action | None:
        """The registered action, if any app offers it and (given a viewer) the viewer may ask."""
        a = self.actions.get(key)
        if a is None or (viewer is not None and not a.visible(viewer)):
            return None
        return a

    def timeline(self, company, viewer) -> list[TimelineEvent]:
        """The company's transition events from every app, oldest first."""
        parts = sorted(self.transitions, key=lambda t: (t.order, t.key))
        events = [e for t in parts for e in t.events(company, viewer)]
        return sorted(events, key=lambda e: (e.date, e.kind))

    def signals(self, companies, as_of=None) -> dict[int, dict[str, CompanySignal]]:
        """``{company_id: {signal key: CompanySignal}}`` from every app, for many companies."""
        companies = list(companies)
        out: dict[int, dict[str, CompanySignal]] = {c.pk: {} for c in companies}
        for t in sorted(self.transitions, key=lambda t: (t.order, t.key)):
            for cid, sigs in t.signals(companies, as_of).items():
                out.setdefault(cid, {}).update({s.key: s for s in sigs})
        return out

    def layers_for(self, viewer) -> list[MapLayer]:
        return sorted((la for la in self.map_layers if la.visible(viewer)), key=lambda la: (la.order, la.key))

    def datasets_sorted(self) -> list[Dataset]:
        return sorted(self.datasets.values(), key=lambda d: (d.order, d.key))

    def menu(self, viewer, group: str = "main") -> list[NavEntry]:
        return sorted(
            (e for e in self.nav_entries if e.group == group and e.visible(viewer)), key=lambda e: (e.order, e.key)
        )

    def panels_for(self, viewer, complex, audience: str) -> list[tuple[Panel, list[Figure]]]:
        chosen = sorted(
            (p for p in self.panels if audience in p.audiences and p.visible(viewer, complex)),
            key=lambda p: (p.order, p.key),
        )
        return [(p, p.figures(viewer, complex)) for p in chosen]

    def related_for(self, obj, viewer) -> list[tuple[RelatedLink, str]]:
        """The links other apps offer on ``obj``'s page, for this viewer."""
        label = obj._meta.label
        out = []
        for link in sorted(self.related_links, key=lambda r: (r.order, r.key)):
            if link.model == label and link.visible(viewer, obj):
                url = link.url(obj)
                if url:
                    out.append((link, url))
        return out

    def routers(self):
        return [(prefix, import_string(path)) for prefix, path in self.api_routes]

    def all_access(self) -> list[Access]:
        return [e for table in self.access_tables.values() for e in table]

    def run_search(self, viewer, complex, query: str, limit: int = 10) -> list[tuple[SearchProvider, list[SearchHit]]]:
        found = []
        for p in sorted(self.search_providers, key=lambda p: (p.order, p.key)):
            hits = p.search(viewer, complex, query, limit)
            if hits:
                found.append((p, hits))
        return found


def _once(registry: dict, key: str, value, what: str) -> None:
    if key in registry:
        raise ValueError(f"{what} {key!r} registered twice")
    registry[key] = value


platform = Contributions()
pages = platform.pages
api = platform.api
nav = platform.nav
panel = platform.panel
linkable = platform.linkable
search = platform.search
access = platform.access
demo_step = platform.demo_step
related = platform.related
metric = platform.metric
action = platform.action
transition = platform.transition
dataset = platform.dataset
map_layer = platform.map_layer
personal_data = platform.personal_data
warmup = platform.warmup


def autodiscover() -> None:
    """Import every installed app's ``contributions`` module (once, at start-up)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("contributions")
