"""Who may see what: the one place that scopes private data.

A company's private data (contacts, revenue, and later energy, survey answers, bookings) is
visible to the members of its own organisation and to the district officers of its complex,
never to another company. Pages and API both call selectors that use ``private_q``; the
permission predicates (``can_…``) are the readable rules the views check before a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q


@dataclass(frozen=True)
class Viewer:
    """What the platform knows about the person looking: their organisations and roles."""

    user_id: int | None = None
    username: str = ""
    is_superuser: bool = False
    officer_complex_ids: frozenset[int] = field(default_factory=frozenset)
    planner_complex_ids: frozenset[int] = field(default_factory=frozenset)
    org_ids: frozenset[int] = field(default_factory=frozenset)
    manager_org_ids: frozenset[int] = field(default_factory=frozenset)
    #: Organisations of each kind the viewer belongs to: {"company": {…}, "university": {…}, …}.
    org_kinds: tuple[tuple[str, frozenset[int]], ...] = ()
    #: The complexes of all the viewer's organisations (a person may belong to several).
    complex_ids: frozenset[int] = field(default_factory=frozenset)
    #: The complex the page being shown is about (set for menus: ``core.context``), if known.
    here: int | None = None

    def orgs_of_kind(self, kind: str) -> frozenset[int]:
        return dict(self.org_kinds).get(kind, frozenset())

    @property
    def company_org_ids(self) -> frozenset[int]:
        """The companies' organisations the viewer belongs to (as manager or member)."""
        return self.orgs_of_kind("company")

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_officer(self) -> bool:
        return self.is_superuser or bool(self.officer_complex_ids)

    def is_officer_of(self, complex_id: int | None) -> bool:
        return self.is_superuser or complex_id in self.officer_complex_ids

    @property
    def is_officer_here(self) -> bool:
        """An officer of the complex the page is about (``here``); of any complex when unknown.
        For menu entries whose page works on the current complex: an officer of another complex
        is not shown links that would answer 403."""
        return self.is_officer_of(self.here) if self.here is not None else self.is_officer

    def is_planner_of(self, complex_id: int | None) -> bool:
        """Planning officers (기획부서) approve or return the departments' progress reports."""
        return self.is_superuser or complex_id in self.planner_complex_ids

    def can_see_private(self, organisation_id: int | None, complex_id: int | None) -> bool:
        return self.is_officer_of(complex_id) or (organisation_id is not None and organisation_id in self.org_ids)

    def can_manage(self, organisation_id: int | None, complex_id: int | None) -> bool:
        return self.is_officer_of(complex_id) or (
            organisation_id is not None and organisation_id in self.manager_org_ids
        )

    @property
    def role_label(self) -> str:
        if self.is_superuser:
            return "admin"
        if self.planner_complex_ids:
            return "planner"
        if self.officer_complex_ids:
            return "officer"
        if self.manager_org_ids & self.company_org_ids:
            return "manager"
        if self.company_org_ids:
            return "member"
        for kind, label in (("university", "university"), ("agency", "agency"), ("support_centre", "centre")):
            if self.orgs_of_kind(kind):
                return label
        if self.org_ids:
            return "member"
        return "visitor" if self.is_authenticated else "public"


ANONYMOUS = Viewer()


def viewer_for(user) -> Viewer:
    """Build the viewer of a user once (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_techvalley_viewer", None)
    if cached is not None:
        return cached
    from techvalley.core.models import Membership, Organisation

    rows = list(
        Membership.objects.filter(user=user).values_list(
            "organisation_id", "role", "organisation__kind", "organisation__complex_id"
        )
    )
    district = [(role, c) for _, role, kind, c in rows if kind == Organisation.Kind.DISTRICT]
    officer = frozenset(c for role, c in district if role in (Membership.Role.OFFICER, Membership.Role.PLANNER))
    planner = frozenset(c for role, c in district if role == Membership.Role.PLANNER)
    viewer = Viewer(
        user_id=user.pk,
        username=user.get_username(),
        is_superuser=user.is_superuser,
        officer_complex_ids=officer,
        planner_complex_ids=planner,
        org_ids=frozenset(o for o, *_ in rows),
        manager_org_ids=frozenset(o for o, role, *_ in rows if role in (Membership.Role.MANAGER,)),
        org_kinds=tuple(
            (k, frozenset(o for o, _, kind, _ in rows if kind == k)) for k in sorted({kind for _, _, kind, _ in rows})
        ),
        complex_ids=frozenset(c for *_, c in rows),
    )
    user._techvalley_viewer = viewer
    return viewer


def private_q(viewer: Viewer, organisation_field: str = "organisation", complex_field: str = "complex") -> Q:
    """A filter keeping only rows whose private data the viewer may see."""
    if viewer.is_superuser:
        return Q()
    q = Q(**{f"{complex_field}__in": viewer.officer_complex_ids}) if viewer.officer_complex_ids else Q(pk__in=[])
    if viewer.org_ids:
        q |= Q(**{f"{organisation_field}__in": viewer.org_ids})
    return q


def officer_q(viewer: Viewer, complex_field: str = "complex") -> Q:
    """A filter for officer-only records (audit trail, review queue): the viewer's complexes."""
    if viewer.is_superuser:
        return Q()
    return Q(**{f"{complex_field}__in": viewer.officer_complex_ids}) if viewer.officer_complex_ids else Q(pk__in=[])
