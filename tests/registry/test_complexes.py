"""Many complexes: address rules as data, a whole city's registry imported into the complexes its
rows belong to, and the complexes compared."""

import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from typer.testing import CliRunner

from techvalley.core import spine
from techvalley.core.audit import acting_as
from techvalley.core.validation import BadInput
from techvalley.registry import services
from techvalley.registry.models import AddressRule, Company, ImportRun
from techvalley.registry.rules import AMBIGUOUS, MATCHED, UNMATCHED, Rule, RuleSet, conflicts
from tests.factories import XSS, ComplexFactory, ContactFactory

HEADER = "순번,회사명,공장대표주소,업종명,전화번호\n"
CITY = [
    "1,(주)대호,부산광역시 사하구 다산로 203 (다대동),도금업 외 1종,",
    "2,장림정밀,부산광역시 사하구 장림로 78-10 (장림동),유압기기 제조업,",
    "3,녹산상사,부산광역시 강서구 녹산산단362로 17 (송정동),도금업,",
    "4,송정반도체,부산광역시 강서구 녹산산단321로 5 (송정동),반도체 제조용 기계 제조업,",
    "5,화전기계,부산광역시 강서구 화전산단1로 20 (화전동),그 외 기타 특수목적용 기계 제조업,",
    "6,대저식품,부산광역시 강서구 대저로 100 (대저동),빵류 제조업,",  # no complex
    "7,해운대전자,부산광역시 해운대구 센텀로 1 (우동),전자부품 제조업,",  # no complex
]


def registry(tmp_path, rows, name="busan.csv"):
    p = tmp_path / name
    p.write_bytes((HEADER + "\n".join(rows) + "\n").encode("cp949"))
    return p


@pytest.fixture
def city(cx):
    """Three complexes: A by its 법정동 (no rules of its own), noksan and hwajeon by road names."""
    noksan = ComplexFactory(slug="noksan", name="녹산국가산업단지", sigungu="강서구", legal_dongs=[])
    hwajeon = ComplexFactory(slug="hwajeon", name="화전일반산업단지", sigungu="강서구", legal_dongs=[])
    services.add_rule(noksan, sigungu="강서구", address_contains="녹산산단", sido="부산광역시")
    services.add_rule(hwajeon, sigungu="강서구", legal_dong="화전동")
    return {"a": cx, "noksan": noksan, "hwajeon": hwajeon}


# --- the rules ---------------------------------------------------------------------------------


def test_most_specific_rule_wins_and_equal_claims_are_ambiguous():
    rules = RuleSet(
        [
            Rule(1, "강서구"),  # the whole district
            Rule(2, "강서구", "송정동"),
            Rule(3, "강서구", "송정동", "녹산산단"),
            Rule(4, "사하구", "장림동", sido="부산광역시"),
            Rule(5, "사하구", "장림동", "장림로", sido="대구광역시"),
            Rule(6, "기장군", address_contains="장안산단"),
            Rule(7, "기장군", address_contains="장안"),
        ],
        {8: "녹산국가산업단지"},
    )
    assert rules.assign("부산광역시 강서구 녹산산단362로 17 (송정동)") == rules.assign(
        "부산 강서구 녹산산단1로 (송정동)"
    )
    assert rules.assign("부산광역시 강서구 녹산산단362로 17 (송정동)").complex_id == 3
    assert rules.assign("부산광역시 강서구 송정로 1 (송정동)").complex_id == 2
    assert rules.assign("부산광역시 강서구 대저로 1 (대저동)").complex_id == 1
    assert rules.assign("부산광역시 사하구 장림로 1 (장림동)").complex_id == 4  # rule 5 is Daegu's
    assert rules.assign("부산광역시 사하구 다산로 1 (다대동)").status == UNMATCHED
    assert rules.assign("부산광역시 해운대구 센텀로 1 (우동)").status == UNMATCHED
    both = rules.assign("부산광역시 기장군 장안읍 장안산단5로 1")
    assert both.status == AMBIGUOUS and both.claimants == (6, 7) and both.complex_id is None
    # A KICOX row names its complex: that comes first.
    named = rules.assign("부산광역시 사하구 장림로 1 (장림동)", complex_name="녹산 국가산업단지")
    assert named.status == MATCHED and named.complex_id == 8


def test_conflicting_rules_of_two_complexes_are_found():
    found = conflicts(
        [
            Rule(1, "강서구", "송정동"),
            Rule(2, "강서구", "송정동", sido="부산광역시"),  # the same place, once with its 시도
            Rule(3, "기장군", address_contains="장안산단"),
            Rule(4, "기장군", address_contains="장안"),
            Rule(5, "기장군", address_contains="정관"),
            Rule(5, "기장군", address_contains="정관읍"),  # the same complex: no conflict
        ]
    )
    assert {(a.complex_id, b.complex_id) for a, b in found} == {(1, 2), (3, 4)}


@pytest.mark.django_db
def test_rules_are_checked_and_one_rule_belongs_to_one_complex(city):
    with pytest.raises(BadInput, match="시군구"):
        services.add_rule(city["noksan"], sigungu="송정동")
    with pytest.raises(BadInput, match="법정동"):
        services.add_rule(city["noksan"], sigungu="강서구", legal_dong="정관읍")
    with pytest.raises(BadInput, match="시도"):
        services.add_rule(city["noksan"], sigungu="강서구", sido="아틀란티스")
    with pytest.raises(BadInput, match="이미"):
        services.add_rule(city["noksan"], sigungu="강서구", address_contains="녹산산단", sido="부산광역시")
    with pytest.raises(BadInput, match="두 산업단지"):
        services.add_rule(city["hwajeon"], sigungu="강서구", address_contains="녹산산단")
    with pytest.raises(BadInput, match="제어|control"):
        services.add_rule(city["hwajeon"], sigungu="강서구", address_contains="a\x00b")
    assert AddressRule.objects.count() == 2


@pytest.mark.django_db
def test_rules_file_is_loaded_whole_and_again_changes_nothing(city, tmp_path):
    good = tmp_path / "rules.csv"
    good.write_text(
        "complex,complex_name,sido,sigungu,legal_dong,address_contains,note\n"
        "noksan,,부산광역시,강서구,,녹산산단,도로명\n"
        "hwajeon,,,강서구,화전동,,\n"
        "myeongnye,명례일반산업단지,부산광역시,기장군,,명례산단,\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInput, match="myeongnye"):  # unknown complex: nothing changes
        services.load_rules(good)
    assert AddressRule.objects.count() == 2
    with acting_as(None, "test"):
        counts = services.load_rules(good, add_complexes=True)
    assert counts == {"rules": 3, "created": 1, "changed": 1, "removed": 0, "unchanged": 1}  # noksan's note
    assert services.load_rules(good)["unchanged"] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "complex,sigungu,legal_dong,address_contains\nnoksan,강서구,,녹산산단\nhwajeon,강서구,,녹산산단\n"
        "hwajeon,화전동,,\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInput) as exc:
        services.load_rules(bad)
    assert "4행" in exc.value.message  # the bad 시군구, by its line
    assert AddressRule.objects.count() == 3
    exported = services.rules_rows()
    assert ("myeongnye", "명례일반산업단지", "부산광역시", "기장군", "", "명례산단", "") in exported


# --- the city import -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_city_registry_goes_to_its_complexes_once_and_again_changes_nothing(city, tmp_path):
    path = registry(tmp_path, CITY)
    with acting_as(None, "test"):
        result = services.import_by_rules(path)
    assert {k: result.counts[k] for k in ("rows", "assigned", "unmatched", "ambiguous", "complexes", "created")} == {
        "rows": 7,
        "assigned": 5,
        "unmatched": 2,
        "ambiguous": 0,
        "complexes": 3,
        "created": 5,
    }
    assert sorted(u["line"] for u in result.unmatched) == [7, 8]
    names = {c.name: c.complex.slug for c in Company.objects.select_related("complex")}
    assert names == {
        "(주)대호": city["a"].slug,
        "장림정밀": city["a"].slug,
        "녹산상사": "noksan",
        "송정반도체": "noksan",
        "화전기계": "hwajeon",
    }
    assert ImportRun.objects.count() == 3
    again = services.import_by_rules(path)
    assert again.counts["created"] == again.counts["updated"] == again.counts["missing"] == 0
    assert again.counts["unchanged"] == 5 and Company.objects.count() == 5 and ImportRun.objects.count() == 6
    data = result.as_dict()
    assert data["complexes"]["noksan"]["created"] == 2 and data["unmatched_rows"][0]["name"] == "대저식품"


@pytest.mark.django_db
def test_a_row_whose_rule_moves_leaves_one_complex_for_the_other(city, tmp_path):
    path = registry(tmp_path, CITY)
    services.import_by_rules(path)
    # 화전동 now belongs to noksan: 화전기계 is gone from hwajeon and active in noksan only.
    AddressRule.objects.filter(complex=city["hwajeon"]).update(complex=city["noksan"])
    services.add_rule(city["hwajeon"], sigungu="강서구", address_contains="화전산단9로")
    result = services.import_by_rules(path, allow_removals=True)
    assert result.by_complex["noksan"].counts["created"] == 1
    active = Company.objects.filter(name="화전기계", in_registry=True)
    assert [c.complex.slug for c in active] == ["noksan"]
    assert Company.objects.get(name="화전기계", complex=city["hwajeon"]).in_registry is False


@pytest.mark.django_db
def test_ambiguous_rows_are_reported_not_imported(city, tmp_path):
    AddressRule.objects.create(complex=city["a"], sigungu="강서구", address_contains="362로")
    result = services.import_by_rules(registry(tmp_path, CITY))
    assert result.counts["ambiguous"] == 1
    assert result.ambiguous[0]["name"] == "녹산상사"
    assert sorted(result.ambiguous[0]["complexes"]) == ["noksan", city["a"].slug]
    assert not Company.objects.filter(name="녹산상사").exists()


@pytest.mark.django_db
def test_city_import_is_all_or_nothing(city, tmp_path, settings):
    bad = registry(tmp_path, [*CITY, "8,,부산광역시 강서구 녹산산단1로 1 (송정동),도금업,"])
    with pytest.raises(services.CityImportStopped) as exc:
        services.import_by_rules(bad)
    assert exc.value.reason == "rejected" and exc.value.result.counts["invalid"] == 1
    assert Company.objects.count() == 0 and ImportRun.objects.count() == 0
    # Removals over the limit in one complex: nothing is written in any, and the report names it.
    services.import_by_rules(registry(tmp_path, CITY))
    settings.TECHVALLEY_REGISTRY_MAX_REMOVALS = 0
    fewer = registry(
        tmp_path, [r for r in CITY if "녹산상사" not in r] + ["9,새회사,부산 사하구 장림로 9 (장림동),도금업,"]
    )
    with pytest.raises(services.CityImportStopped) as exc:
        services.import_by_rules(fewer)
    assert exc.value.reason == "confirm" and exc.value.result.by_complex["noksan"].needs_confirmation
    assert not Company.objects.filter(name="새회사").exists()
    assert Company.objects.filter(in_registry=True).count() == 5
    dry = services.import_by_rules(fewer, dry_run=True)
    assert dry.needs_confirmation and not Company.objects.filter(name="새회사").exists()


@pytest.mark.django_db(transaction=True)
def test_city_import_command(cx, tmp_path):
    from techvalley.cli import app

    ComplexFactory(slug="noksan", name="녹산국가산업단지", sigungu="강서구", legal_dongs=[])
    rules = tmp_path / "rules.csv"
    rules.write_text("complex,sigungu,address_contains\nnoksan,강서구,녹산산단\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["registry", "rules", "load", str(rules)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["registry", "import", str(registry(tmp_path, CITY)), "--by-rules", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["outcome"], data["assigned"], data["unmatched"], data["complexes"]["noksan"]["created"]) == (
        "imported",
        4,
        3,
        2,
    )
    out = tmp_path / "rules-out.csv"
    assert runner.invoke(app, ["registry", "rules", "export", "-o", str(out)]).exit_code == 0
    assert "noksan,녹산국가산업단지,,강서구,,녹산산단" in out.read_text(encoding="utf-8-sig")
    r = runner.invoke(app, ["registry", "rules", "add", "noksan", "--sigungu", "송정동"])
    assert r.exit_code == 2 and "시군구" in r.output


# --- the complexes compared -----------------------------------------------------------------------


@pytest.fixture
def compared(city, tmp_path):
    services.import_by_rules(registry(tmp_path, CITY))
    daeho = Company.objects.get(name="(주)대호")
    daeho.employees, daeho.revenue_million_krw = 40, 4321
    daeho.save()
    ContactFactory(company=daeho, phone="010-9999-8888")
    return city


@pytest.fixture
def energy_metric():
    """Energy and emissions as the low-carbon app registers them (noksan has no readings): known
    values in place of the app's (restored after)."""
    values = {"green.energy_toe": 1234.5, "green.emissions": 5678.9}
    saved = {key: spine.platform.metrics.get(key) for key in values}
    for key, value in values.items():
        spine.platform.metrics[key] = spine.Metric(
            key,
            key,
            lambda cx, year=None, public_only=False, v=value: (
                None if cx.slug == "noksan" or not public_only else v + year % 10
            ),
            unit="u",
        )
    yield
    for key, metric in saved.items():
        if metric is None:
            del spine.platform.metrics[key]
        else:
            spine.platform.metrics[key] = metric


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "officer"])
def test_comparison_shows_each_complex_and_nothing_private(compared, role, django_user_model):
    c = Client()
    if role == "officer":
        from tests.factories import MembershipFactory, OrganisationFactory

        user = django_user_model.objects.create_user("cmp-officer")
        MembershipFactory(
            user=user, organisation=OrganisationFactory(complex=compared["a"], kind="district"), role="officer"
        )
        c.force_login(user)
    response = c.get(reverse("registry:complexes"), {"sort": "companies"})
    assert response.status_code == 200
    page = response.context["page"]
    figures = {r.complex.slug: (r.companies, r.high_tech, r.employees) for r in page}
    assert figures == {compared["a"].slug: (2, 1, 40), "noksan": (2, 1, 0), "hwajeon": (1, 1, 0)}
    assert [r.complex.slug for r in page][-1] == "hwajeon"  # by companies, most first
    html = response.content.decode()
    assert "<svg" in html and "50.0%" in html and "100.0%" in html
    assert "—" in html  # energy: no app provides it here
    assert "010-9999-8888" not in html and "4,321" not in html and "4321" not in html
    assert XSS not in html


@pytest.mark.django_db
def test_comparison_reads_energy_and_emissions_from_the_metrics(compared, energy_metric):
    response = Client().get(reverse("registry:complexes"), {"year": "2024", "sort": "name"})
    rows = {r.complex.slug: (r.energy_toe, r.emissions) for r in response.context["page"]}
    assert rows["hwajeon"] == (1238.5, 5682.9)
    assert rows["noksan"] == (None, None)
    html = response.content.decode()
    assert "1,238.5" in html or "1238.5" in html


@pytest.mark.django_db
def test_comparison_excel_has_every_complex(compared, energy_metric):
    response = Client().get(reverse("registry:complexes_export"), {"year": "2024"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    table = {row[1]: row for row in ws.iter_rows(min_row=2, values_only=True) if row and row[1]}
    assert table["hwajeon"][2:4] == (1, 100.0) and table["hwajeon"][7] == 1238.5
    assert table["noksan"][7] is None
    assert table[compared["a"].slug][5] == 40


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"sort": "<script>"}, {"year": "99999"}, {"page": "9" * 30}, {"q": "a\x00"}])
def test_comparison_bad_input_is_a_400(compared, query):
    assert Client().get(reverse("registry:complexes"), query).status_code == 400


@pytest.mark.django_db
def test_comparison_queries_do_not_grow_with_the_complexes(compared):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get(reverse("registry:complexes")).status_code == 200
        return len(ctx)

    before = count()
    for i in range(10):
        ComplexFactory(slug=f"more-{i}", name=f"단지 {i}")
    assert count() == before


# --- the address rules page (officers of the complex) ---------------------------------------------


@pytest.mark.django_db
def test_officers_edit_their_complexs_rules_on_the_page(world, city):
    officer, other = Client(), Client()
    officer.force_login(world["users"]["officer"])
    other.force_login(world["users"]["other_officer"])
    url = reverse("registry:complex_rules")
    page = officer.get(url)
    assert page.status_code == 200 and "장림동" in page.content.decode()  # derived from the complex's 법정동
    added = officer.post(url, {"sigungu": "사하구", "legal_dong": "장림동", "note": XSS})
    assert added.status_code == 302
    rule = AddressRule.objects.get(complex=city["a"])
    html = officer.get(url).content.decode()
    assert XSS not in html and "&lt;script&gt;" in html
    clash = officer.post(url, {"sigungu": "강서구", "address_contains": "녹산산단"})
    assert clash.status_code == 200 and "두 산업단지" in clash.content.decode()
    # An officer of another complex neither sees nor changes complex A's rules.
    assert other.get(url).status_code == 403
    assert other.post(reverse("registry:complex_rule_remove", args=[rule.pk])).status_code == 403
    assert other.get(url, {"complex": "noksan"}).status_code == 200  # their own complex's
    assert officer.post(reverse("registry:complex_rule_remove", args=[rule.pk])).status_code == 302
    assert not AddressRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.django_db
def test_comparison_api(compared, energy_metric):
    data = Client().get("/api/registry/complexes", {"year": "2024", "sort": "name"}).json()
    by_slug = {d["slug"]: d for d in data}
    assert by_slug["hwajeon"]["companies"] == 1 and by_slug["hwajeon"]["high_tech_share"] == 100.0
    assert by_slug["hwajeon"]["energy_toe"] == 1238.5 and by_slug["noksan"]["emissions_tco2eq"] is None
    bad = Client().get("/api/registry/complexes", {"sort": "<script>"})
    assert bad.status_code == 400 and bad.json()["field"] == "sort"
