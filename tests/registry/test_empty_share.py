"""A complex with no company has no high-tech share: the registry's figures (the dashboard panel
and the structure page) show "—" with a note, not 0.0 %; one company gives a real share."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.models import Membership, Organisation
from techvalley.core.scoping import viewer_for
from techvalley.registry import selectors
from tests.factories import CompanyFactory, ComplexFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty(db):
    cx = ComplexFactory(slug="empty-cx", name="빈 산업단지", legal_dongs=["다대동"])
    district = OrganisationFactory(complex=cx, name="빈구청", kind=Organisation.Kind.DISTRICT)
    officer = MembershipFactory(
        organisation=district, role=Membership.Role.OFFICER, user=UserFactory(username="empty_officer")
    ).user
    return cx, officer


def registry_figures(viewer, cx):
    panel = next(p for p in spine.platform.panels if p.key == "registry")
    return {f.key: f for f in panel.figures(viewer, cx)}


def card(html: str, key: str) -> str:
    found = re.search(rf'data-figure="{key}">(.*?)</div>\s*</div>', html, re.S)
    assert found, key
    return found.group(1)


def test_an_empty_complex_has_no_share(empty):
    cx, officer = empty
    figures = registry_figures(viewer_for(officer), cx)
    for key in ("high_tech_share", "strict_high_tech_share"):
        assert figures[key].value is None and figures[key].unit == ""
        assert "No companies" in str(figures[key].note) or "등록 기업 없음" in str(figures[key].note)
    assert figures["companies"].value == 0
    assert selectors.share_pct(selectors.structure(cx), "high_tech_share") is None


def test_dashboard_and_structure_page_show_a_dash(empty):
    cx, officer = empty
    c = Client()
    c.force_login(officer)
    html = c.get(reverse("portal:dashboard"), {"complex": cx.slug}).content.decode()
    for key in ("high_tech_share", "strict_high_tech_share"):
        shown = card(html, key)
        assert "—" in shown and "0.0" not in shown and "%" not in shown.split("</a>")[0]
        assert "등록 기업 없음" in shown
    html = c.get(reverse("registry:structure"), {"complex": cx.slug}).content.decode()
    assert "0.0%" not in html and html.count('<div class="figure">—</div>') == 2


def test_one_company_gives_a_share(empty):
    cx, officer = empty
    CompanyFactory(complex=cx, organisation=None, tech_intensity="high", ksic_code="26110")
    figures = registry_figures(viewer_for(officer), cx)
    assert figures["high_tech_share"].value == 100.0 and figures["high_tech_share"].unit == "%"


def test_api_gives_null_shares_for_an_empty_complex(empty):
    cx, _ = empty
    data = Client().get("/api/registry/structure", {"complex": cx.slug}).json()
    assert data["total"]["companies"] == 0
    assert data["high_tech_share"] is None and data["strict_high_tech_share"] is None
    CompanyFactory(complex=cx, organisation=None, tech_intensity="high", ksic_code="26110")
    assert Client().get("/api/registry/structure", {"complex": cx.slug}).json()["high_tech_share"] == 1.0
