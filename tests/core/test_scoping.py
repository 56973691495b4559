"""The role × object matrix: who sees a company's private data, who may change what.

Pages and API are checked against the same table, since both go through the same selectors.
"""

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core.models import ApiToken

ROLES = ["anonymous", "visitor", "member_a", "manager_a", "manager_b", "university", "officer", "other_officer"]
SEES_PRIVATE_A = {"member_a", "manager_a", "officer"}
EDITS_A = {"manager_a", "officer"}
OFFICER_ONLY = {"officer"}


def client_for(world, role):
    c = Client()
    user = world["users"][role]
    if user is not None:
        c.force_login(user)
    return c


def api_headers(world, role):
    user = world["users"][role]
    if user is None:
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=user, name='t').key}"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_company_page_private_data(world, role):
    html = client_for(world, role).get(reverse("registry:company_detail", args=[world["a"].pk])).content.decode()
    sees = role in SEES_PRIVATE_A
    assert ("010-1111-2222" in html) is sees
    assert ("4,321" in html) is sees  # revenue
    if role != "anonymous" and not sees:
        assert "010-****-2222" in html  # masked, so people know a contact exists
    assert "010-3333-4444" not in html  # company B's contact never shows on A's page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_company_private_data(world, role):
    c = Client()
    data = c.get(f"/api/registry/companies/{world['a'].pk}", **api_headers(world, role)).json()
    sees = role in SEES_PRIVATE_A
    assert data["private"] is sees
    assert (data["revenue_million_krw"] == 4321) is sees
    phones = [x["phone"] for x in data["contacts"]]
    assert (phones == ["010-1111-2222"]) is sees


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_edit_profile_page_and_api(world, role):
    c = client_for(world, role)
    page = c.get(reverse("registry:company_edit", args=[world["a"].pk]))
    assert (page.status_code == 200) is (role in EDITS_A)
    r = Client().patch(
        f"/api/registry/companies/{world['a'].pk}/profile",
        data={"employees": 42},
        content_type="application/json",
        **api_headers(world, role),
    )
    assert (r.status_code == 200) is (role in EDITS_A), r.content
    world["a"].refresh_from_db()
    assert (world["a"].employees == 42) is (role in EDITS_A)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["registry:review_queue", "registry:import_list", "core:audit_list"])
def test_officer_pages(world, role, name):
    response = client_for(world, role).get(reverse(name))
    assert (response.status_code == 200) is (role in OFFICER_ONLY)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/api/registry/review", "/api/core/audit"])
def test_officer_api(world, role, url):
    response = Client().get(url, **api_headers(world, role))
    assert (response.status_code == 200) is (role in OFFICER_ONLY)


@pytest.mark.django_db
def test_a_bad_token_is_refused_not_treated_as_anonymous(world):
    response = Client().get(f"/api/registry/companies/{world['a'].pk}", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world["users"]["manager_a"])
    r = c.patch(
        f"/api/registry/companies/{world['a'].pk}/profile", data={"employees": 7}, content_type="application/json"
    )
    assert r.status_code in (401, 403)
