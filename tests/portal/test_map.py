"""The offline map: every registered layer, toggles and filters, a legend in the points' colours,
click-through to the record, public fields only for the public."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import spine
from tests.factories import CompanyFactory
from tests.portal.conftest import registered


def _located(world):
    cx = world["cx"]
    CompanyFactory(complex=cx, name="위치있음", lat=35.08, lon=128.97, tech_intensity="high", ksic_code="26110")
    CompanyFactory(complex=cx, name="저위기업", lat=35.09, lon=128.96, tech_intensity="low", ksic_code="10110")


@pytest.mark.django_db
def test_legend_colours_match_the_points(world):
    _located(world)
    centres = spine.MapLayer(
        "test.centres",
        "support centres",
        lambda viewer, cx: [spine.MapPoint(35.085, 128.965, "혁신지원센터", "centre", "/facilities/", "5F")],
        (("centre", "support centre", "#ff7f00"),),
    )
    with registered(layers=[centres]):
        html = Client().get(reverse("portal:map")).content.decode()
        colours = {(la.key, k): c for la in spine.platform.map_layers for k, _l, c in la.categories}
    swatch = r'<circle cx="6" cy="6" r="5" fill="(#[0-9a-f]{6})"/></svg> '
    legend = dict(re.findall(swatch + r'<span class="legend-label" data-colour="\1">([^<]+)<', html))
    assert "#6a3d9a" in legend and "#ff7f00" in legend
    point = r'<a href="([^"]+)" data-layer="([^"]+)" data-cat="([^"]+)" class="pt[^"]*">'
    points = re.findall(point + r'<circle [^>]* fill="(#[0-9a-f]{6})"><title>([^<]+)</title>', html)
    assert len(points) == 3
    for _url, layer, cat, colour, _title in points:
        assert colours[(layer, cat)] == colour
        assert colour in legend
    high = next(p for p in points if "위치있음" in p[4])
    assert high[0].startswith("/registry/companies/") and high[2] == "high"
    assert re.search(r'<script src="/static/portal/map\.js"', html) and "onclick" not in html


@pytest.mark.django_db
def test_filters_hide_layers_and_categories(world):
    _located(world)
    html = (
        Client()
        .get(reverse("portal:map"), {"layer": "registry.companies", "cat": "registry.companies:high"})
        .content.decode()
    )
    shown = re.findall(r'data-cat="(\w+)" class="pt"', html)
    hidden = re.findall(r'data-cat="(\w+)" class="pt off"', html)
    assert shown == ["high"] and hidden == ["low"]
    assert re.search(r'value="registry.companies:low">', html) and re.search(
        r'value="registry.companies:high" checked>', html
    )
    html = Client().get(reverse("portal:map"), {"layer": "nothing-known", "cat": "x"}).content.decode()
    assert 'class="pt off"' in html  # unknown choices select nothing, never an error


@pytest.mark.django_db
def test_public_sees_public_fields_only(world):
    _located(world)
    CompanyFactory(complex=world["cx"], lat=35.081, lon=128.971)  # its name carries <script>
    html = Client().get(reverse("portal:map")).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "010-1111-2222" not in html and "a@example.com" not in html and "4321" not in html


@pytest.mark.django_db
def test_a_layer_for_officers_only_is_not_drawn_for_the_public(world):
    secret = spine.MapLayer(
        "test.leads",
        "leads",
        lambda viewer, cx: [spine.MapPoint(35.08, 128.97, "유치대상", "lead")],
        (("lead", "lead", "#000000"),),
        visible=lambda viewer: viewer.is_officer,
    )
    with registered(layers=[secret]):
        public = Client().get(reverse("portal:map")).content.decode()
        c = Client()
        c.force_login(world["users"]["officer"])
        officer = c.get(reverse("portal:map")).content.decode()
    assert "유치대상" not in public and "유치대상" in officer


def test_company_points_markup_is_what_format_html_made():
    """The front page's points are escaped by hand (a thousand format_html calls cost more than
    the rest of the page): the markup is the same as before, names escaped."""
    from django.utils.html import format_html_join

    from techvalley.portal import mapping

    pts = [(129.0 + i / 1000, 35.08 + i / 2000, "high" if i % 2 else None, f"회사 <b>&'\"{i}") for i in range(50)]
    drawn = mapping.svg_map(pts)
    before = format_html_join(
        "", '<circle cx="{}" cy="{}" r="3" class="pt {}"><title>{}</title></circle>', drawn["points"]
    )
    assert str(drawn["points_svg"]) == str(before)
    assert "<b>" not in drawn["points_svg"] and "&lt;b&gt;&amp;&#x27;&quot;" in drawn["points_svg"]


@pytest.mark.django_db
def test_the_map_says_how_many_companies_it_cannot_place(world):
    """Companies without coordinates are counted under their layer, not left out silently."""
    from techvalley.registry.models import Company

    _located(world)
    Company.objects.filter(complex=world["cx"], lat__isnull=True).update(lat=35.08, lon=128.97)
    html = Client().get(reverse("portal:map")).content.decode()
    assert "unplaced" not in html  # every company of the complex has a location
    for i in range(3):
        CompanyFactory(complex=world["cx"], name=f"주소없음{i}", lat=None, lon=None)
    html = Client().get(reverse("portal:map")).content.decode()
    (note,) = re.findall(r'<p class="small muted unplaced">([^<]+)</p>', html)
    assert "3곳" in note or "3 more" in note
