import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import XSS, CompanyFactory


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["portal:home", "registry:company_list", "registry:structure"])
def test_public_pages_render_in_korean_and_english(world, name):
    c = Client()
    ko = c.get(reverse(name))
    assert ko.status_code == 200 and '<html lang="ko">' in ko.content.decode()
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    en = c.get(reverse(name))
    assert '<html lang="en">' in en.content.decode()


@pytest.mark.django_db
def test_pages_escape_company_names(world):
    CompanyFactory(complex=world["cx"])
    html = Client().get(reverse("registry:company_list")).content.decode()
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_directory_filters_and_htmx_partial(world):
    CompanyFactory(
        complex=world["cx"], name="특수반도체", ksic_code="26110", tech_intensity="high", legal_dong="장림동"
    )
    c = Client()
    full = c.get(reverse("registry:company_list"), {"intensity": "high"}).content.decode()
    assert "특수반도체" in full and "에이금속" not in full and "<html" in full
    part = c.get(reverse("registry:company_list"), {"q": "반도체"}, HTTP_HX_REQUEST="true").content.decode()
    assert "특수반도체" in part and "<html" not in part
    assert "특수반도체" in c.get(reverse("registry:company_list"), {"division": "26"}).content.decode()
    assert "특수반도체" not in c.get(reverse("registry:company_list"), {"dong": "다대동"}).content.decode()


@pytest.mark.django_db
def test_directory_query_count_does_not_grow_with_page_size(world, settings):
    for _ in range(60):
        CompanyFactory(complex=world["cx"])
    c = Client()
    c.force_login(world["users"]["officer"])

    def count(page_size):
        settings.TECHVALLEY_PAGE_SIZE = page_size
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("registry:company_list")).status_code == 200
        return len(ctx)

    assert count(5) == count(50)


@pytest.mark.django_db
def test_review_queue_sets_an_industry(world):
    bad = CompanyFactory(
        complex=world["cx"],
        industry_name="포장용판지상자및기타종이용기제조업",
        ksic_code="",
        ksic_status="review",
        tech_intensity="unknown",
    )
    c = Client()
    c.force_login(world["users"]["officer"])
    html = c.get(reverse("registry:review_queue")).content.decode()
    assert "1722" in html  # the suggestion
    r = c.post(reverse("registry:company_industry", args=[bad.pk]), {"code": "17221", "reason": "현장 확인"})
    assert r.status_code == 302
    bad.refresh_from_db()
    assert (bad.ksic_code, bad.ksic_status, bad.ksic_method, bad.tech_intensity) == (
        "17221",
        "resolved",
        "manual",
        "low",
    )
    r = c.post(reverse("registry:company_industry", args=[bad.pk]), {"code": "99999"}, follow=True)
    assert "99999" in r.content.decode()


@pytest.mark.django_db
def test_import_page_dry_run_then_import(world, tmp_path):
    c = Client()
    c.force_login(world["users"]["officer"])
    data = (
        "순번,회사명,공장대표주소,업종명,전화번호\n1,웹업로드,부산광역시 사하구 장림로 1 (장림동),도금업,\n"
        "2,,부산광역시 사하구 장림로 2 (장림동),도금업,\n"
    ).encode("cp949")
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(reverse("registry:import_list"), {"file": SimpleUploadedFile("r.csv", data), "dry_run": "on"})
    html = r.content.decode()
    assert "Rejected" in html or "거부" in html
    r = c.post(reverse("registry:import_list"), {"file": SimpleUploadedFile("r.csv", data), "skip_invalid": "on"})
    assert world["cx"].companies.filter(name="웹업로드").exists()
    r = c.post(reverse("registry:import_list"), {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert "회사명" in r.content.decode()


@pytest.mark.django_db
def test_no_page_loads_anything_from_the_internet(world):
    c = Client()
    c.force_login(world["users"]["officer"])
    for name in [
        "portal:home",
        "portal:dashboard",
        "registry:company_list",
        "registry:structure",
        "registry:review_queue",
    ]:
        html = c.get(reverse(name)).content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], (name, external)


@pytest.mark.django_db
def test_api_docs_and_schema(world):
    c = Client()
    schema = c.get("/api/openapi.json").json()
    assert "/api/registry/companies" in schema["paths"] and "/api/ksic/resolve" in schema["paths"]
    r = c.get("/api/ksic/resolve", {"name": ["도금업 외 2종", "모르는업"]}).json()
    assert r[0]["code"] == "25922" and r[1]["status"] == "review"
    assert c.get("/api/registry/structure").json()["total"]["companies"] == 2


@pytest.mark.django_db
def test_api_docs_are_served_locally(world):
    html = Client().get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn." not in html


@pytest.mark.django_db
def test_excel_download_follows_the_filters_and_masks_contacts(world):
    import io

    from openpyxl import load_workbook

    CompanyFactory(complex=world["cx"], name="특수반도체", ksic_code="26110", tech_intensity="high")
    r = Client().get(reverse("registry:company_export"), {"intensity": "medium_low"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    ws = load_workbook(io.BytesIO(r.content)).active
    names = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted([world["a"].name, world["b"].name])  # markup kept as text, not escaped twice
    phones = [row[-1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "010-1111-2222" not in phones and "010-****-2222" in phones
