import io
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from techvalley.core.scoping import Viewer
from techvalley.projects import documents, selectors, services

#: A superuser viewer: these tests are about the figures, not about who sees them.
OFFICIAL = Viewer(user_id=0, is_superuser=True)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def hwpx_text(data: bytes) -> str:
    from hwpx import HwpxDocument

    return HwpxDocument.open(io.BytesIO(data)).text.plain()


@pytest.mark.django_db
def test_pdf_is_a4_with_the_korean_text(pledge):
    data = documents.render_pdf(services.card_of(pledge))
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(data)
    for phrase in (
        "관리번호",
        "신평·장림산업단지",
        "「낙동강 테크노밸리」 조성",
        "추진 중(40%)",
        "최재봉",
        "【추진실적】",
        "저탄소 그린산단 조성사업 추진계획 수립",
        "지식산업센터 및 기업 유치 관련 홍보 지속 추진",
    ):
        assert phrase in text, phrase


@pytest.mark.django_db
def test_public_pdf_leaves_out_contacts(pledge):
    text = pdf_text(documents.render_pdf(services.card_of(pledge, public=True), public=True))
    assert "전략사업과" in text and "최재봉" not in text and "5021" not in text and "888-4932" not in text


@pytest.mark.django_db
def test_hwpx_is_a_valid_package_with_the_korean_text(pledge):
    data = documents.render_hwpx(services.card_of(pledge))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("mimetype") == b"application/hwp+zip"
        assert "Contents/section0.xml" in z.namelist()
    text = hwpx_text(data)
    for phrase in (
        "관리번호 3-1",
        "사업구분",
        "신규사업",
        "추진 중(40%)",
        "2023. 03. ~ 08. : 용역 계약심사",
        "▷ 센텀시티일반산업단지",
        "기 타",
        "1회",
    ):
        assert phrase in text, phrase


@pytest.mark.django_db
def test_excel_summary_of_all_pledges(cx, pledge):
    buf = io.BytesIO()
    documents.render_xlsx_summary(selectors.pledge_rows(OFFICIAL, cx), buf)
    rows = list(load_workbook(buf).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("관리번호", "사업명", "분야")
    assert rows[1][0] == "3-1" and rows[1][6] == 40.0
