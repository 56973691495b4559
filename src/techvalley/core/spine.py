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
- ``related(...)``: links an app offers on another app's record pages (a company page).

Command-line groups follow a convention instead (the CLI starts without Django): each app's
``cli.py`` exposes ``GROUPS`` (name → ``typer.Typer``) and the root command adds them.

Base templates, the portal, the API and the root URLconf iterate what is registered and
name no app.
"""

from __future__ import annotations

import datetime as dt
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

    # reading ---------------------------------------------------------------------------
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


def autodiscover() -> None:
    """Import every installed app's ``contributions`` module (once, at start-up)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("contributions")
