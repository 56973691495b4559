"""Every URL and API operation is in an app's access table, and the tables hold for every role.

See ``tests/access.py`` for the harness and ``core/spine.py`` for the ``Access`` entries.
"""

import pytest
from django.core.management import call_command

from techvalley.core import spine
from tests import access


def test_every_url_and_api_operation_has_an_access_entry():
    declared = {e.name for e in spine.platform.all_access()}
    missing = (access.url_names() | access.api_operations()) - declared
    assert not missing, f"not in any app's access table: {sorted(missing)}"


def test_no_stale_access_entries():
    declared = {e.name for e in spine.platform.all_access()}
    stale = declared - access.url_names() - access.api_operations()
    assert not stale, f"access entries for URLs that do not exist: {sorted(stale)}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = access.build_world()
    yield built
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize("case", access.cases(), ids=access.case_id)
def test_access_table(world, case, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    entry, role, side = case
    response = access.request(entry, world, role, side)
    got = access.verdict(response, entry, world)
    expected = access.expected(entry, role, side)
    assert got == expected or (expected == "either" and got != "error"), (
        f"{access.case_id(case)}: {response.status_code} {response.content[:300]!r}"
    )
    leaks = access.leaked(response, world, role)
    assert not leaks, f"{access.case_id(case)}: shows complex A's private data {leaks} to an officer of complex B"


def _links(html: str) -> list[str]:
    import re

    # Links that switch the site to another complex (the list of complexes: "/?complex=…") are
    # not followed: the crawl stays on the role's own complex; an officer on a complex not theirs
    # is the ``other_officer`` role's crawl.
    return [
        h
        for h in re.findall(r'<a [^>]*href="(/[^"#]*)"', html)
        if not h.startswith(("/admin/", "/api/", "/i18n/")) and "complex=" not in h
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", access.ALL_ROLES)
def test_no_link_or_menu_entry_leads_to_a_403(world, role, settings):
    """Crawl from the front page and the dashboard as each role: every link shown opens."""
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client(raise_request_exception=False)
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    seen, queue, broken = set(), ["/", "/dashboard/"], []
    while queue and len(seen) < 150:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (403, 500):
            broken.append((url, response.status_code))
            continue
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            queue += [h.replace("&amp;", "&") for h in _links(response.content.decode()) if h not in seen]
    assert len(seen) > 10, seen  # the crawl reached the menus' pages
    assert broken == [], f"{role} is shown links that fail: {broken}"
