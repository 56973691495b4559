import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from techvalley.core.privacy import mask_name, mask_phone
from techvalley.registry.parsers import (
    RegistryFileError,
    business_key,
    company_key,
    read_registry,
    split_address,
)
from techvalley.registry.validators import brn_is_valid, corporate_no_is_valid

HEADER = "순번,회사명,공장대표주소,업종명,전화번호\n"


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("encoding", ["cp949", "utf-8", "utf-8-sig"])
def test_busan_csv_in_any_supported_encoding(tmp_path, encoding):
    p = write(
        tmp_path, "r.csv", HEADER + '1,(주)대호,"부산광역시 사하구 다산로 203 (다대동)",도금업 외 1종,\n', encoding
    )
    parsed = read_registry(p)
    assert parsed.fmt == "busan-csv" and parsed.encoding == ("cp949" if encoding == "cp949" else "utf-8-sig")
    assert parsed.rows[0].name == "(주)대호" and parsed.rows[0].industry_name == "도금업 외 1종"


def test_bad_rows_are_reported_with_line_and_reason(tmp_path):
    p = write(
        tmp_path,
        "r.csv",
        HEADER + "1,,부산광역시 사하구 다산로 1 (다대동),도금업,\n"
        "2,좋은회사,,도금업,\n"
        "3,회사,주소,업종\n"
        "\n"
        "5,정상회사,부산광역시 사하구 장림로 1 (장림동),도금업,\n",
        "cp949",
    )
    parsed = read_registry(p)
    assert [(e.line, e.reason.split(" ")[0]) for e in parsed.errors] == [(2, "회사명이"), (3, "공장"), (4, "열")]
    assert [r.line for r in parsed.rows] == [6]


def test_not_a_registry_gets_a_clear_message(tmp_path):
    with pytest.raises(RegistryFileError, match="회사명"):
        read_registry(write(tmp_path, "x.csv", "a,b\n1,2\n"))
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\xfa" * 5)
    with pytest.raises(RegistryFileError, match="인코딩"):
        read_registry(tmp_path / "bin.csv")
    with pytest.raises(RegistryFileError, match="빈 파일"):
        read_registry(write(tmp_path, "empty.csv", "  \n"))
    with pytest.raises(RegistryFileError, match="JSON"):
        read_registry(write(tmp_path, "x.json", "{oops"))


def test_kicox_json_envelope_and_bare_list(tmp_path):
    items = [
        {
            "irsttNm": "신평장림일반산업단지",
            "cmpnyNm": "(주)한빛",
            "indutyNm": "도금업",
            "indutyCode": "25922",
            "rnAdres": "부산광역시 사하구 다산로 1 (다대동)",
            "bizrno": "1248100998",
        }
    ]
    env = {"response": {"header": {"resultCode": "00"}, "body": {"items": {"item": items}, "totalCount": 1}}}
    for doc in (env, items):
        parsed = read_registry(write(tmp_path, "k.json", json.dumps(doc, ensure_ascii=False)))
        assert parsed.fmt == "kicox-json"
        row = parsed.rows[0]
        assert (row.name, row.industry_code, row.complex_name, row.brn) == (
            "(주)한빛",
            "25922",
            "신평장림일반산업단지",
            "1248100998",
        )


def test_kicox_csv_and_invalid_business_number(tmp_path):
    p = write(
        tmp_path,
        "k.csv",
        "irsttNm,cmpnyNm,indutyNm,indutyCode,bizrno\n신평장림일반산업단지,가나,도금업,25922,1234567890\n",
        "cp949",
    )
    parsed = read_registry(p)
    assert parsed.fmt == "kicox-csv" and parsed.errors[0].line == 2 and "사업자등록번호" in parsed.errors[0].reason


def test_excel_with_a_title_block(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["부산광역시 제조업 공장등록현황"])
    ws.append([])
    ws.append(["순번", "회사명", "공장대표주소", "업종명", "전화번호"])
    ws.append([1, "엑셀상사", "부산광역시 사하구 장림로 5 (장림동)", "도금업", None])
    ws.append([2, None, "부산광역시 사하구 장림로 6 (장림동)", "도금업", None])
    wb.save(tmp_path / "r.xlsx")
    parsed = read_registry(tmp_path / "r.xlsx")
    assert parsed.fmt == "busan-xlsx" and parsed.rows[0].name == "엑셀상사" and parsed.rows[0].line == 4
    assert parsed.errors[0].line == 5


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("부산광역시 사하구 다산로 203 (다대동)", ("사하구", "다대동")),
        ("부산광역시 사하구 낙동대로 301, 212호 (괴정동, 일동지에닌)", ("사하구", "괴정동")),
        ("부산광역시 사하구 다대로497번길 22 (다대동) (총 2 필지)", ("사하구", "다대동")),
        ("부산광역시 사하구 장림동 123-4", ("사하구", "장림동")),
        ("부산광역시 사하구 하신번영로 1 (장림제1동)", ("사하구", "장림동")),
        ("부산광역시 사하구 다대로 368-3", ("사하구", "")),
    ],
)
def test_split_address(address, expected):
    assert split_address(address) == expected


def test_business_key_ignores_legal_form_spacing_and_building_notes():
    from techvalley.registry.parsers import RegistryRow

    a = RegistryRow(1, "(주)대호", "부산광역시 사하구 다산로 203 (다대동)")
    b = RegistryRow(2, "주식회사 대호", "부산광역시 사하구 다산로 203(다대동, 대호공장)")
    assert business_key(a) == business_key(b)
    assert company_key("㈜ 대 호") == company_key("대호")


def test_business_numbers():
    assert brn_is_valid("124-81-00998") and brn_is_valid("1248100998")
    assert not brn_is_valid("1248100999") and not brn_is_valid("12481009") and not brn_is_valid("")
    assert corporate_no_is_valid("110111-0000006") is corporate_no_is_valid("1101110000006")
    assert mask_phone("010-1234-5678") == "010-****-5678" and mask_name("홍길동") == "홍*동"


@given(st.text(alphabet="가나다라마바사 ()-,.0123456789", max_size=40))
def test_split_address_never_fails(text):
    sigungu, dong = split_address(text)
    assert isinstance(sigungu, str) and isinstance(dong, str)
