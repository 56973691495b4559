"""Data safety of registry imports (issue 8 §1): nothing silently lost, nothing half-written."""

import io
import json
import time
import zipfile

import pytest

from techvalley.core.models import AuditEntry
from techvalley.core.validation import BadInput
from techvalley.registry import services
from techvalley.registry.models import Company, ImportRun
from techvalley.registry.parsers import RegistryFileError, read_registry

HEADER = "순번,회사명,공장대표주소,업종명,전화번호\n"


def csv_file(tmp_path, rows, name="registry.csv"):
    p = tmp_path / name
    p.write_bytes((HEADER + "".join(r + "\n" for r in rows)).encode("cp949"))
    return p


def rows(n, start=0):
    return [f"{i},회사{i},부산광역시 사하구 다산로 {i} (다대동),도금업," for i in range(start, start + n)]


@pytest.mark.django_db
def test_a_header_only_or_empty_file_is_refused_and_marks_nobody_gone(cx, tmp_path):
    services.import_registry(csv_file(tmp_path, rows(5)), cx)
    for text in (HEADER, HEADER + "\n\n", ""):
        p = tmp_path / "empty.csv"
        p.write_bytes(text.encode("cp949"))
        with pytest.raises(RegistryFileError):
            services.import_registry(p, cx, dry_run=True)
        with pytest.raises(RegistryFileError):
            services.import_registry(p, cx)
    assert Company.objects.filter(in_registry=True).count() == 5


@pytest.mark.django_db
def test_a_file_of_only_invalid_rows_is_refused_even_with_skip_invalid(cx, tmp_path):
    services.import_registry(csv_file(tmp_path, rows(5)), cx)
    bad = csv_file(tmp_path, ["1,,부산광역시 사하구 다산로 1 (다대동),도금업,"] * 6, "bad.csv")
    with pytest.raises(services.ImportRejected):
        services.import_registry(bad, cx, skip_invalid=True)
    assert Company.objects.filter(in_registry=True).count() == 5


@pytest.mark.django_db
def test_skipped_rows_never_count_as_missing(cx, tmp_path):
    services.import_registry(csv_file(tmp_path, rows(30)), cx)
    newer = rows(30)
    newer[3] = "3,회사3,부산광역시 사하구 다산로 3 (다대동),도금업,,extra column"  # bad row of a known company
    newer[7] = "7,,부산광역시 사하구 다산로 7 (다대동),도금업,"  # no name, but its address is known
    result = services.import_registry(csv_file(tmp_path, newer, "newer.csv"), cx, skip_invalid=True)
    assert result.counts["invalid"] == 2 and result.counts["missing"] == 0 and result.counts["kept"] == 2
    assert Company.objects.filter(in_registry=False).count() == 0


@pytest.mark.django_db
def test_many_removals_stop_the_import_until_confirmed(cx, tmp_path, settings):
    services.import_registry(csv_file(tmp_path, rows(60)), cx)
    smaller = csv_file(tmp_path, rows(6), "partial.csv")
    # The preview lists who would be gone and says it needs confirmation, writing nothing.
    preview = services.import_registry(smaller, cx, dry_run=True)
    assert preview.needs_confirmation and preview.counts["missing"] == 54 and len(preview.gone) == 54
    assert {"id", "name", "address"} <= set(preview.gone[0])
    audit_before = AuditEntry.objects.count()
    with pytest.raises(services.RemovalsNotConfirmed) as exc:
        services.import_registry(smaller, cx)
    assert exc.value.result.counts["missing"] == 54
    assert Company.objects.filter(in_registry=True).count() == 60 and AuditEntry.objects.count() == audit_before
    # A partial file marks nobody; confirmed removals go through.
    assert services.import_registry(smaller, cx, snapshot=False).counts["missing"] == 0
    assert services.import_registry(smaller, cx, allow_removals=True).counts["missing"] == 54
    assert Company.objects.filter(in_registry=True).count() == 6


@pytest.mark.django_db
def test_the_removal_limits_are_a_share_and_a_number(cx, tmp_path, settings):
    services.import_registry(csv_file(tmp_path, rows(40)), cx)
    # 3 of 40 (7.5%): under 10% and under 50 — goes through.
    assert services.import_registry(csv_file(tmp_path, rows(37), "a.csv"), cx).counts["missing"] == 3
    # 5 of 37 (13.5%): over the share.
    with pytest.raises(services.RemovalsNotConfirmed):
        services.import_registry(csv_file(tmp_path, rows(32), "b.csv"), cx)
    settings.TECHVALLEY_REGISTRY_MAX_REMOVAL_SHARE = 0.5
    assert services.import_registry(csv_file(tmp_path, rows(32), "b.csv"), cx).counts["missing"] == 5
    settings.TECHVALLEY_REGISTRY_MAX_REMOVALS = 2
    with pytest.raises(services.RemovalsNotConfirmed):
        services.import_registry(csv_file(tmp_path, rows(29), "c.csv"), cx)


@pytest.mark.django_db
def test_upload_size_rows_and_zip_bombs_are_refused_fast(cx, tmp_path, settings):
    settings.TECHVALLEY_REGISTRY_MAX_UPLOAD_BYTES = 1000
    big = csv_file(tmp_path, rows(100), "big.csv")
    with pytest.raises(BadInput) as exc:
        services.import_registry(big, cx)
    assert exc.value.status == 413 and "MB" in exc.value.message
    settings.TECHVALLEY_REGISTRY_MAX_UPLOAD_BYTES = 30_000_000
    settings.TECHVALLEY_REGISTRY_MAX_ROWS = 50
    with pytest.raises(RegistryFileError, match="50"):
        services.import_registry(big, cx)
    # An .xlsx whose sheet inflates to 800 MB: refused from the zip directory, nothing inflated.
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"0" * (1 << 20)
            for _ in range(800):
                sheet.write(chunk)
    assert bomb.stat().st_size < 4_000_000  # a few MB that inflate to 800 MB
    started = time.perf_counter()
    with pytest.raises(BadInput) as exc:
        services.import_registry(bomb, cx)
    assert time.perf_counter() - started < 1 and exc.value.status == 413
    assert Company.objects.count() == 0


def test_wrong_json_types_are_row_errors_with_the_field(tmp_path):
    p = tmp_path / "kicox.json"
    p.write_text(
        json.dumps(
            [
                {"cmpnyNm": True, "rnAdres": "부산광역시 사하구 다산로 1 (다대동)"},
                {"cmpnyNm": "가나", "rnAdres": 5},
                {"cmpnyNm": ["x"], "rnAdres": "부산광역시 사하구 다산로 2 (다대동)"},
                {"cmpnyNm": "다라", "rnAdres": "부산광역시 사하구 다산로 3 (다대동)", "empCo": 12},
            ]
        ),
        encoding="utf-8",
    )
    parsed = read_registry(p)
    assert [(e.line, e.field) for e in parsed.errors] == [(1, "cmpnyNm"), (2, "rnAdres"), (3, "cmpnyNm")]
    assert "문자열" in parsed.errors[0].reason and "not true/false" in parsed.errors[0].reason
    assert [r.name for r in parsed.rows] == ["다라"] and parsed.rows[0].employees == 12


def test_deeply_nested_json_is_a_clear_error_not_a_recursion_error(tmp_path):
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(RegistryFileError, match="중첩"):
        read_registry(p)
    p.write_text('{"a":' * 500 + '[{"cmpnyNm": "x", "rnAdres": "y"}]' + "}" * 500, encoding="utf-8")
    with pytest.raises(RegistryFileError):
        read_registry(p)


def test_superscript_employees_and_control_characters_are_row_errors(tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes(
        (
            "회사명,공장대표주소,업종명,종업원수\n"
            "가,부산광역시 사하구 다산로 1 (다대동),도금업,²\n"
            "나\x00,부산광역시 사하구 다산로 2 (다대동),도금업,3\n"
            "다,부산광역시 사하구 다산로 3 (다대동),도금업,1,234\n"
        ).encode()
    )
    parsed = read_registry(p)
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "employees"), (3, "name"), (4, "")]


@pytest.mark.django_db
def test_importing_twice_writes_one_audit_entry_per_change_and_nothing_the_second_time(cx, tmp_path):
    path = csv_file(tmp_path, rows(25))
    services.import_registry(path, cx)
    assert AuditEntry.objects.filter(model="registry.Company", action="create").count() == 25
    entry = AuditEntry.objects.get(object_id=str(Company.objects.get(name="회사3").pk))
    assert entry.changes == {"source": [None, "busan"], "name": [None, "회사3"]} and entry.object_repr == "회사3"
    again = services.import_registry(path, cx)
    assert again.counts["unchanged"] == 25 and AuditEntry.objects.count() == 25
    assert ImportRun.objects.count() == 2


@pytest.mark.django_db
def test_xlsx_upload_within_limits_still_imports(cx, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["회사명", "공장대표주소", "업종명"])
    wb.active.append(["엑셀기업", "부산광역시 사하구 다산로 9 (다대동)", "도금업"])
    buf = io.BytesIO()
    wb.save(buf)
    p = tmp_path / "r.xlsx"
    p.write_bytes(buf.getvalue())
    assert services.import_registry(p, cx).counts["created"] == 1
