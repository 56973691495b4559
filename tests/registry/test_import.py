import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from techvalley.core.audit import acting_as
from techvalley.core.models import AuditEntry
from techvalley.registry import services
from techvalley.registry.demo import demo_file
from techvalley.registry.models import Company, ImportRun

HEADER = "순번,회사명,공장대표주소,업종명,전화번호\n"
ROWS_2024 = [
    "1,(주)대호,부산광역시 사하구 다산로 203 (다대동),도금업 외 1종,",
    "2,장림정밀,부산광역시 사하구 장림로 78-10 (장림동),유압기기 제조업,",
    "3,신평식품,부산광역시 사하구 신산로 14 (신평동),기타 수산동물 가공 및 저장 처리업,",
    "4,녹산상사,부산광역시 강서구 녹산산단362로 17 (송정동),도금업,",  # another complex
    "5,이상한회사,부산광역시 사하구 다산로 1 (다대동),용접기제조업,",  # not a KSIC name
]


def registry(tmp_path, rows, name="registry.csv"):
    p = tmp_path / name
    p.write_bytes((HEADER + "\n".join(rows) + "\n").encode("cp949"))
    return p


@pytest.mark.django_db
def test_import_counts_then_reimport_changes_nothing(cx, tmp_path):
    path = registry(tmp_path, ROWS_2024)
    with acting_as(None, "test"):
        first = services.import_registry(path, cx)
    assert {k: first.counts[k] for k in ("created", "updated", "unchanged", "invalid", "review", "outside")} == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
        "review": 1,
        "outside": 1,
    }
    daeho = Company.objects.get(name="(주)대호")
    assert (daeho.ksic_code, daeho.extra_industries, daeho.legal_dong, daeho.tech_intensity) == (
        "25922",
        1,
        "다대동",
        "medium_low",
    )
    assert Company.objects.get(name="이상한회사").ksic_status == "review"
    audit_before = AuditEntry.objects.count()
    assert audit_before == 4
    second = services.import_registry(path, cx)
    assert second.counts["created"] == second.counts["updated"] == 0 and second.counts["unchanged"] == 4
    assert AuditEntry.objects.count() == audit_before
    assert Company.objects.count() == 4


@pytest.mark.django_db
def test_newer_registry_updates_marks_gone_and_keeps_history(cx, tmp_path):
    services.import_registry(registry(tmp_path, ROWS_2024), cx)
    rows_2025 = [
        "1,주식회사 대호,부산광역시 사하구 다산로 203 (다대동),금속 열처리업,",  # renamed legal form, new industry
        "2,장림정밀,부산광역시 사하구 장림로 78-10 (장림동),유압기기 제조업,",
        "6,새로운기업,부산광역시 사하구 다산로 9 (구평동),반도체 제조용 기계 제조업,",
    ]
    with acting_as(None, "officer-x"):
        result = services.import_registry(registry(tmp_path, rows_2025, "r2025.csv"), cx, allow_removals=True)
    assert {k: result.counts[k] for k in ("created", "updated", "unchanged", "missing")} == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "missing": 2,
    }
    daeho = Company.objects.get(registry_key__startswith="대호")
    assert daeho.ksic_code == "25921" and daeho.name == "주식회사 대호"
    change = AuditEntry.objects.filter(model="registry.Company", object_id=str(daeho.pk), action="update").get()
    assert change.changes["ksic_code"] == ["25922", "25921"] and change.actor_label == "officer-x"
    gone = Company.objects.get(name="신평식품")
    assert not gone.in_registry and gone.missing_since is not None
    # The structure of both imports is kept, so the change between them can be shown.
    runs = list(ImportRun.objects.order_by("id"))
    assert runs[0].structure["total"]["companies"] == 4 and runs[1].structure["total"]["companies"] == 3
    # Coming back to the registry is an update, not a new company.
    services.import_registry(registry(tmp_path, ROWS_2024, "r2024-again.csv"), cx, allow_removals=True)
    assert Company.objects.get(name="신평식품").in_registry


@pytest.mark.django_db
def test_bad_rows_reject_the_whole_file_unless_skipped(cx, tmp_path):
    bad = registry(tmp_path, ROWS_2024 + ["9,,부산광역시 사하구 다산로 2 (다대동),도금업,"])
    with pytest.raises(services.ImportRejected) as exc:
        services.import_registry(bad, cx)
    assert exc.value.result.errors[0].line == 7
    assert Company.objects.count() == 0 and ImportRun.objects.count() == 0
    result = services.import_registry(bad, cx, skip_invalid=True)
    assert result.counts["created"] == 4 and result.counts["invalid"] == 1


@pytest.mark.django_db
def test_dry_run_writes_nothing(cx, tmp_path):
    result = services.import_registry(registry(tmp_path, ROWS_2024), cx, dry_run=True)
    assert result.counts["created"] == 4
    assert Company.objects.count() == 0 and AuditEntry.objects.count() == 0 and ImportRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_crash_part_way_leaves_the_data_as_it_was(cx, tmp_path, monkeypatch):
    services.import_registry(registry(tmp_path, ROWS_2024), cx)
    before = sorted(Company.objects.values_list("name", "ksic_code", "in_registry"))
    audit_before = AuditEntry.objects.count()

    def explode(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(services, "_write_audit", explode)  # after companies were written
    newer = ROWS_2024[:2] + ["7,다른회사,부산광역시 사하구 다산로 7 (다대동),도금업,"]
    with pytest.raises(RuntimeError):
        services.import_registry(registry(tmp_path, newer, "newer.csv"), cx, allow_removals=True)
    assert sorted(Company.objects.values_list("name", "ksic_code", "in_registry")) == before
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_repeated_registrations_merge_into_one_company(cx, tmp_path):
    rows = [
        "1,(주)경부산업,부산광역시 사하구 다산로 195 (다대동),도금업,",
        "2,(주)경부산업,부산광역시 사하구 다산로 195 (다대동),금속 열처리업,",
    ]
    result = services.import_registry(registry(tmp_path, rows), cx)
    assert result.counts["created"] == 1 and result.counts["merged"] == 1
    assert Company.objects.get().other_ksic == [{"code": "25921", "revision": 11}]


@pytest.mark.django_db
def test_real_saha_registry_import(cx):
    result = services.import_registry(demo_file("saha_factory_registry_2025-12-31.cp949.csv"), cx)
    assert result.counts["invalid"] == 0
    assert 1350 <= result.counts["created"] <= 1400  # the four dongs of the complex
    assert result.counts["outside"] > 80  # 감천동, 하단동 … are in Saha-gu but not the complex
    assert set(Company.objects.values_list("legal_dong", flat=True)) == {"장림동", "신평동", "다대동", "구평동"}


@pytest.mark.django_db
def test_import_writes_in_batches_not_per_row(cx, tmp_path):
    def queries(n):
        rows = [f"{i},회사{n}_{i},부산광역시 사하구 다산로 {i} (다대동),도금업," for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            services.import_registry(registry(tmp_path, rows, f"q{n}.csv"), cx, snapshot=False)
        return len(ctx)

    # Bulk statements are split by the backend's parameter limit (999 on SQLite), never per row.
    assert queries(400) - queries(10) <= 400 // 20


@pytest.mark.django_db
def test_structure_change_api_between_two_imports(world, tmp_path):
    from django.test import Client

    services.import_registry(registry(tmp_path, ROWS_2024), world["cx"])
    services.import_registry(registry(tmp_path, ROWS_2024[:2], "smaller.csv"), world["cx"], allow_removals=True)
    c = Client()
    c.force_login(world["users"]["officer"])
    change = c.get("/api/registry/structure/change").json()["change"]
    food = next(r for r in change["division"] if r["key"] == "10")
    assert (food["companies_before"], food["companies_after"], food["companies_change"]) == (1, 0, -1)
    assert Client().get("/api/registry/structure/change").status_code == 403
