"""The access-table harness: every URL and API operation, for every role, on two companies' objects.

Each app declares its access table with the spine (``spine.access(app, [Access(...)])``).
``tests/core/test_access.py`` checks that the tables cover every URL pattern and every
OpenAPI operation, then requests each entry as every role of ``spine.ROLES`` (members and
managers belong to company A) against objects of company A and of company B.

Objects come from the apps' tests: each ``tests/<app>/access_objects.py`` has
``build(world) -> {obj_kind: {"a": params, "b": params}}``, where params fill the URL's
parameters (``{"pk": 3}``) — for kinds that belong to no company, "a" and "b" may be equal.

Many complexes: every entry is also requested by an officer of *another* complex
(``other_officer``, a district officer of complex B who switched the site to complex A, where
both companies are). Without editing any app's table, the harness expects of that role exactly
what a signed-in visitor without an organisation may do: denied wherever "officer" is allowed on
complex A's objects and a visitor is not (what any organisation's members may do is the
app's choice, not judged), and no private marker of complex A in what it is shown (``world["private_markers"]``: contact
phones; apps' builders may add theirs).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from techvalley.core import spine
from techvalley.core.models import ApiToken, Membership, Organisation
from tests.factories import (
    CompanyFactory,
    ComplexFactory,
    ContactFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

API_PREFIX = "api:"
#: Roles the harness adds to ``spine.ROLES``: an officer of another complex (B).
EXTRA_ROLES = ("other_officer",)
ALL_ROLES = (*spine.ROLES, *EXTRA_ROLES)
OTHER_COMPLEX_SLUG = "other-complex"


def url_names() -> set[str]:
    """Every named page URL of the platform's apps (the API's operations are counted apart)."""
    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                if p.namespace in ("admin", "api"):
                    continue
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                module = getattr(p.callback, "__module__", "") or ""
                if module.startswith("techvalley."):
                    names.add(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def api_operations() -> set[str]:
    from techvalley.api import api

    schema = api.get_openapi_schema()
    ops = set()
    for path, methods in schema["paths"].items():
        for method in methods:
            ops.add(f"{API_PREFIX}{method.upper()} {path.removeprefix('/api')}")
    return ops


def build_world() -> dict:
    """Users of every role (member and manager of company A), two companies, each app's objects."""
    cx = ComplexFactory()
    org_a = OrganisationFactory(complex=cx, name="회사A <script>alert(1)</script>")
    org_b = OrganisationFactory(complex=cx, name="회사B <script>alert(1)</script>")
    company_a = CompanyFactory(complex=cx, organisation=org_a)
    company_b = CompanyFactory(complex=cx, organisation=org_b)
    ContactFactory(company=company_a, phone="010-1111-2222")
    ContactFactory(company=company_b, phone="010-3333-4444")
    orgs = {
        kind: OrganisationFactory(complex=cx, kind=kind, name=f"{kind} <script>alert(1)</script>")
        for kind in (
            Organisation.Kind.DISTRICT,
            Organisation.Kind.UNIVERSITY,
            Organisation.Kind.AGENCY,
            Organisation.Kind.SUPPORT_CENTRE,
        )
    }
    R = Membership.Role
    memberships = {
        "visitor": None,
        "member": (org_a, R.MEMBER),
        "manager": (org_a, R.MANAGER),
        "university": (orgs["university"], R.MEMBER),
        "agency": (orgs["agency"], R.MEMBER),
        "centre": (orgs["support_centre"], R.MANAGER),
        "officer": (orgs["district"], R.OFFICER),
        "planner": (orgs["district"], R.PLANNER),
    }
    users = {"anonymous": None}
    for role, ms in memberships.items():
        user = UserFactory(username=f"access-{role}")
        if ms is not None:
            MembershipFactory(user=user, organisation=ms[0], role=ms[1])
        users[role] = user
    # Complex B, with its own district office and officer: it must see nothing private of complex A.
    cx_b = ComplexFactory(
        slug=OTHER_COMPLEX_SLUG, name="다른산업단지 <script>alert(1)</script>", legal_dongs=["녹산동"]
    )
    district_b = OrganisationFactory(complex=cx_b, kind=Organisation.Kind.DISTRICT, name="B구청 <script>")
    users["other_officer"] = UserFactory(username="access-other_officer")
    MembershipFactory(user=users["other_officer"], organisation=district_b, role=R.OFFICER)
    world = {
        "cx": cx,
        "cx_b": cx_b,
        "a": company_a,
        "b": company_b,
        "org_a": org_a,
        "org_b": org_b,
        "orgs": orgs,
        "users": users,
        # Texts only those entitled to complex A's private data may be shown.
        "private_markers": ["010-1111-2222", "010-3333-4444"],
    }
    from django.contrib.contenttypes.models import ContentType

    from techvalley.core.models import RecordLink

    link = RecordLink.objects.create(
        complex=cx,
        source_type=ContentType.objects.get_for_model(org_a),
        source_id=org_a.pk,
        target_type="t",
        target_id=1,
    )
    world["objects"] = {
        "company": {side: {"pk": c.pk, "company_id": c.pk} for side, c in (("a", company_a), ("b", company_b))},
        "organisation": {side: {"pk": o.pk} for side, o in (("a", org_a), ("b", org_b))},
        "record_link": {side: {"pk": link.pk} for side in ("a", "b")},
    }
    for module in access_object_modules():
        world["objects"].update(module.build(world))
    return world


def access_object_modules():
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            name = f"tests.{info.name}.access_objects"
            try:
                yield importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise


def cases() -> list[tuple[spine.Access, str, str]]:
    out = []
    for entry in spine.platform.all_access():
        for role in ALL_ROLES:
            for side in ("a", "b") if entry.obj else ("a",):
                out.append((entry, role, side))
    return out


def case_id(case) -> str:
    entry, role, side = case
    return f"{entry.method} {entry.name} as {role} on {side}"


def _params(entry: spine.Access, world: dict, side: str) -> dict:
    params = dict(entry.params)
    if entry.obj:
        found = world["objects"].get(entry.obj)
        assert found is not None, f"no test object of kind {entry.obj!r}: add it to tests/<app>/access_objects.py"
        params.update(found[side])
    return params


def url_for(entry: spine.Access, params: dict) -> tuple[str, dict]:
    """The URL of an entry with its parameters, and its query string (``params["query"]``)."""
    if entry.name.startswith(API_PREFIX):
        _method, path = entry.name.removeprefix(API_PREFIX).split(" ", 1)
        url = "/api" + re.sub(r"\{(\w+)\}", lambda m: str(params[m.group(1)]), path)
    else:
        url = reverse(entry.name, kwargs=_url_kwargs(entry.name, params))
    return url, params.get("query") or {}


def request(entry: spine.Access, world: dict, role: str, side: str):
    params = _params(entry, world, side)
    body = entry.body(world["objects"], side) if callable(entry.body) else entry.body
    user = world["users"][role]
    client = Client(raise_request_exception=False)
    url, query = url_for(entry, params)
    if entry.name.startswith(API_PREFIX):
        method = entry.name.removeprefix(API_PREFIX).split(" ", 1)[0]
        headers = {}
        if user is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.objects.create(user=user, name='access').key}"
        if method == "GET":
            return client.get(url, query, **headers)
        return getattr(client, method.lower())(url, data=body or {}, content_type="application/json", **headers)
    if user is not None:
        client.force_login(user)
        if role == "other_officer":  # switched the site to complex A (the header's switcher)
            from techvalley.core.views import SESSION_KEY

            session = client.session
            session[SESSION_KEY] = world["cx"].slug
            session.save()
    if entry.method == "GET":
        return client.get(url, query)
    return getattr(client, entry.method.lower())(url, data=body or {})


def _url_kwargs(name: str, params: dict) -> dict:
    """Keep the parameters the URL pattern takes."""
    keys = _pattern_keys(name)
    return {k: v for k, v in params.items() if k in keys}


def _pattern_keys(name: str) -> set[str]:
    ns, _, short = name.rpartition(":")
    resolver = get_resolver()
    for part in ns.split(":") if ns else []:
        resolver = resolver.namespace_dict[part][1]
    keys: set[str] = set()
    for possibility, *_ in resolver.reverse_dict.getlist(short):
        for _fmt, params in possibility:
            keys.update(params)
    return keys


def expected(entry: spine.Access, role: str, side: str) -> str:
    """What the access table says a role may do on side "a" or "b": "allowed", "denied", or
    "either" (the status is not judged; what is shown still is, by ``leaked``).

    An officer of another complex may do what a signed-in visitor without an organisation may,
    and nothing that only this complex's officers, companies or partners may do. What a table
    opens to members of any organisation (``ORG_MEMBERS``) is the app's choice about outside
    organisations (a room booked at the outside rate, or bookings for this complex's
    organisations only): either answer is accepted there."""
    if role == "other_officer":
        if entry.allows("visitor"):
            return "allowed"
        return "either" if spine.ORG_MEMBERS <= entry.roles else "denied"
    return "allowed" if entry.allows(role, own=(side == "a")) else "denied"


def leaked(response, world: dict, role: str) -> list[str]:
    """Private markers of complex A in a response shown to an officer of another complex."""
    if role != "other_officer" or response.status_code >= 300:
        return []
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/json")) or getattr(response, "streaming", False):
        return []
    body = response.content.decode("utf-8", "replace")
    return [m for m in world.get("private_markers", []) if m in body]


def verdict(response, entry: spine.Access, world: dict | None = None) -> str:
    """'allowed', 'denied' or 'error' from the response. A redirect to the sign-in page, or to
    another complex than complex A (an officer of B sent to B's own page), is a denial."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403, 404):
        return "denied"
    location = response.get("Location", "") if status in (301, 302, 303) else ""
    if "/login/" in location:
        return "denied"
    if world is not None and "complex=" in location and f"complex={world['cx'].slug}" not in location:
        return "denied"
    return "allowed"
