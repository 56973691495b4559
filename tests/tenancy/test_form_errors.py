"""The public self-check and inquiry: errors name the field by its label (never its key), come all
at once, in Korean and English; phone numbers and the area range are checked; the vacancy figures
carry their source and date."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core.validation import BadInput
from techvalley.tenancy import services
from techvalley.tenancy.demo import load_tenancy_demo
from techvalley.tenancy.models import Lead

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def demo(world):
    load_tenancy_demo(world["cx"], today=TODAY)
    return world


def _errors(html: str) -> dict[str, str]:
    """The error text shown before each field's input, by field name, and the form's own ('')."""
    out = {}
    for m in re.finditer(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S):
        after = html[m.end() : m.end() + 600]
        name = re.search(r'name="([a-z_0-9]+)"', after)
        out[name.group(1) if name and "nonfield" not in m.group(0) else ""] = re.sub(r"<[^>]+>", " ", m.group(1))
    return out


GOOD = {
    "company_name": "새 기업",
    "contact_name": "김담당",
    "phone": "010-1234-5678",
    "use": "tenant",
    "consent": "on",
}


def test_self_check_unknown_code_shows_the_label_not_the_key(demo):
    html = (
        Client()
        .get(
            reverse("tenancy:self_check"),
            {"ksic": "99999", "revision": "11", "use": "tenant", "area_m2": "100", "centre": "pentaplex"},
        )
        .content.decode()
    )
    assert "ksic:" not in html and "ksic&#x27;" not in html
    errors = _errors(html)
    assert "ksic" in errors, errors
    assert "업종코드(KSIC)" in errors["ksic"] and "99999" in errors["ksic"] and " / " in errors["ksic"]
    assert "data-verdict" not in html


def test_inquiry_shows_every_error_at_once_on_its_field(demo):
    before = Lead.objects.count()
    bad = {**GOOD, "company_name": "", "phone": "010-1234", "ksic": "99999", "area_min_m2": "300", "area_max_m2": "100"}
    r = Client().post(reverse("tenancy:inquiry"), bad)
    assert r.status_code == 200 and Lead.objects.count() == before
    html = r.content.decode()
    errors = _errors(html)
    assert {"company_name", "phone", "ksic", "area_min_m2"} <= set(errors), errors
    assert "ksic:" not in html and "area_min_m2 &gt;" not in html
    assert "업종코드(KSIC)" in errors["ksic"]
    assert "최소" in errors["area_min_m2"] and "최대" in errors["area_min_m2"]
    for text in errors.values():
        # Korean first, English second
        assert " / " in text and re.search(r"[가-힣]", text.split(" / ")[0]) and re.search(r"[A-Za-z]", text)


@pytest.mark.parametrize("phone", ["010-1234", "010-12345-67890", "12345", "010-abcd-5678", "+1 202 555 0100"])
def test_inquiry_refuses_phone_numbers_that_are_not_korean(demo, phone):
    r = Client().post(reverse("tenancy:inquiry"), {**GOOD, "phone": phone})
    assert r.status_code == 200 and "phone" in _errors(r.content.decode())
    assert not Lead.objects.filter(company_name="새 기업").exists()
    with pytest.raises(BadInput) as exc:
        services.submit_inquiry(demo["cx"], {**GOOD, "phone": phone}, consent=True)
    assert exc.value.field == "phone"


@pytest.mark.parametrize(
    "phone, stored",
    [
        ("010-1234-5678", "010-1234-5678"),
        ("01012345678", "010-1234-5678"),
        ("051 123 4567", "051-123-4567"),
        ("02-123-4567", "02-123-4567"),
        ("(02) 1234-5678", "02-1234-5678"),
        ("+82 10-1234-5678", "010-1234-5678"),
        ("1588-1234", "1588-1234"),
        ("070-1234-5678", "070-1234-5678"),
    ],
)
def test_inquiry_takes_korean_phone_numbers(demo, phone, stored):
    r = Client().post(reverse("tenancy:inquiry"), {**GOOD, "phone": phone, "area_min_m2": "100", "area_max_m2": "300"})
    assert r.status_code == 302, _errors(r.content.decode())
    lead = Lead.objects.get(company_name="새 기업")
    assert lead.phone == stored and lead.area_min_m2 == 100 and lead.area_max_m2 == 300


def test_inquiry_area_range_is_checked_in_the_api_too(demo):
    r = Client().post(
        "/api/tenancy/inquiries",
        {**GOOD, "consent": True, "area_min_m2": 300, "area_max_m2": 100},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "area_min_m2"


def test_required_and_number_errors_are_bilingual(demo):
    r = Client().post(reverse("tenancy:inquiry"), {"use": "tenant", "area_min_m2": "abc"})
    errors = _errors(r.content.decode())
    assert errors["company_name"].strip().startswith("필수 항목입니다. / This field is required.")
    assert "Enter a number" in errors["area_min_m2"]
    assert "Give a phone number or an email address" in errors["phone"]
    self_check = Client().get(reverse("tenancy:self_check"), {"ksic": "", "area_m2": "x", "centre": "pentaplex"})
    errors = _errors(self_check.content.decode())
    assert "This field is required" in errors["ksic"] and "Enter a number" in errors["area_m2"]


def test_vacancy_figures_carry_source_and_date(demo):
    html = Client().get(reverse("tenancy:vacancy_list")).content.decode()
    source = html[html.index('id="vacancy-source"') :]
    source = source[: source.index("</p>")]
    assert "출처" in source and "구청이 등록한 호실" in source
    assert "기준" in source and re.search(r"\d{4}-\d{2}-\d{2}", source)
