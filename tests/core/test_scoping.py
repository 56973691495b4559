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


# --- many complexes: the complex a page is about ----------------------------------------------


@pytest.mark.django_db
def test_complex_chosen_with_query_is_remembered_for_the_next_pages(world):
    other = world["users"]["other_officer"]
    c = Client()
    c.force_login(other)
    # The installation's default first: an officer of another complex is no officer here.
    assert c.get(reverse("registry:review_queue")).status_code == 403
    page = c.get(reverse("registry:review_queue"), {"complex": "noksan"})
    assert page.status_code == 200 and "녹산국가산업단지" in page.content.decode()
    again = c.get(reverse("registry:review_queue"))  # no parameter: the session remembers noksan
    assert again.status_code == 200 and "녹산국가산업단지" in again.content.decode()
    assert c.get(reverse("registry:structure")).context["complex"].slug == "noksan"
    # Switching back to complex A: the officer of noksan sees none of its officer pages.
    assert c.get(reverse("registry:review_queue"), {"complex": world["cx"].slug}).status_code == 403
    assert c.get(reverse("core:audit_list")).status_code == 403  # still on A, from the session


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["no-such-complex", "<script>alert(1)</script>", "x" * 40])
def test_unknown_complex_is_a_404_with_the_sites_page(world, slug):
    response = Client().get(reverse("registry:company_list"), {"complex": slug})
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="error-page"' in html and "<script>alert(1)</script>" not in html
    assert "no-such-complex" in html if slug == "no-such-complex" else True


@pytest.mark.django_db
def test_too_long_or_control_character_slug_is_a_400(world):
    assert Client().get(reverse("registry:company_list"), {"complex": "x" * 51}).status_code == 400
    assert Client().get(reverse("registry:company_list"), {"complex": "a\x00b"}).status_code == 400


@pytest.mark.django_db
def test_a_removed_complex_in_the_session_is_forgotten(world):
    from techvalley.core.views import SESSION_KEY

    c = Client()
    session = c.session
    session[SESSION_KEY] = "gone-since"
    session.save()
    assert c.get(reverse("registry:company_list")).context["complex"] == world["cx"]
    assert SESSION_KEY not in c.session


@pytest.mark.django_db
def test_switcher_lists_own_complexes_first_and_only_when_there_are_several(cx):
    from tests.factories import ComplexFactory, MembershipFactory, OrganisationFactory, UserFactory

    html = Client().get(reverse("registry:company_list")).content.decode()
    assert 'class="complex-switch' not in html  # one complex: no switcher
    noksan = ComplexFactory(slug="noksan", name="녹산국가산업단지")
    ComplexFactory(slug="hwajeon", name="화전일반산업단지")
    html = Client().get(reverse("registry:company_list")).content.decode()
    assert 'class="complex-switch' in html and 'value="hwajeon"' in html
    assert f'href="{reverse("registry:complexes")}"' in html  # the list of all complexes
    person = UserFactory(username="two-complexes")
    MembershipFactory(user=person, organisation=OrganisationFactory(complex=noksan, kind="district"), role="officer")
    c = Client()
    c.force_login(person)
    html = c.get(reverse("registry:company_list"), {"complex": "hwajeon"}).content.decode()
    own, others = html.split('<optgroup label="', 2)[1:3]
    assert 'value="noksan"' in own and 'value="hwajeon"' not in own
    assert 'value="hwajeon" selected' in others


@pytest.mark.django_db
def test_switcher_stays_small_with_a_thousand_complexes(cx, settings):
    from techvalley.core import context
    from techvalley.core.models import Complex

    Complex.objects.bulk_create(Complex(slug=f"cx-{i:04d}", name=f"단지 {i:04d}") for i in range(1000))
    html = Client().get(reverse("registry:company_list"), {"complex": "cx-0999"}).content.decode()
    switcher = html.split('id="complex-switch"', 1)[1].split("</select>", 1)[0]
    assert switcher.count("<option ") <= context.SWITCHER_MAX + 1
    assert 'value="cx-0999" selected' in switcher  # the complex of the page is always listed
    assert "1001" in html  # "All 1001 complexes"


@pytest.mark.django_db
def test_menus_know_the_complex_of_the_page(world):
    """Officer menus built with ``viewer.is_officer_here``: an officer of another complex sees
    them on their own complex's pages, not on complex A's (where the page would answer 403)."""
    from techvalley.core import spine

    entry = spine.NavEntry("t-here", "HERE-ONLY", "registry:review_queue", lambda v: v.is_officer_here, group="officer")
    spine.platform.nav_entries.append(entry)
    try:
        c = client_for(world, "other_officer")
        on_a = c.get(reverse("registry:company_list"))
        assert on_a.context["viewer"].here == world["cx"].pk and "HERE-ONLY" not in on_a.content.decode()
        on_noksan = c.get(reverse("registry:company_list"), {"complex": "noksan"})
        assert "HERE-ONLY" in on_noksan.content.decode()
        assert "HERE-ONLY" in client_for(world, "officer").get(reverse("registry:company_list")).content.decode()
        assert "HERE-ONLY" not in client_for(world, "manager_a").get(reverse("registry:company_list")).content.decode()
    finally:
        spine.platform.nav_entries.remove(entry)


@pytest.mark.django_db
def test_switching_complex_on_the_login_page_keeps_where_to_go_next(cx):
    from tests.factories import ComplexFactory

    ComplexFactory(slug="hwajeon", name="화전일반산업단지")
    html = Client().get(reverse("core:login"), {"next": "/dashboard/?x=<b>"}).content.decode()
    form = html.split('class="complex-switch', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="next" value="/dashboard/?x=&lt;b&gt;">' in form
    html = Client().get(reverse("core:login")).content.decode()
    assert 'name="next"' not in html.split('class="complex-switch', 1)[1].split("</form>", 1)[0]
