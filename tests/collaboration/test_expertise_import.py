"""The expertise file imported on the web (JSON, CSV in UTF-8 or CP949, Excel; a preview first,
then all or nothing, idempotent) and the public-profile consent with its record; hidden profiles
never reach the public through the list, site search, matching or the API."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from techvalley.collaboration import panels, selectors, services
from techvalley.collaboration.models import Expert, ExpertConsent
from techvalley.core.models import Membership, Organisation
from techvalley.core.scoping import ANONYMOUS, viewer_for
from techvalley.core.validation import BadInput
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

HEADER = ["ref", "org", "unit", "name", "fields", "text"]
ROWS = [
    ["DAU-01", "동아대학교", "신소재공학과 표면처리연구실", "김도금", "도금; 표면처리", "6가 크롬 대체 도금 공정"],
    ["DAU-02", "동아대학교", "환경공학과 수처리연구실", "", "폐수, 중금속", "도금 폐수의 중금속 저감"],
]


def csv_bytes(encoding="utf-8", header=HEADER, rows=ROWS) -> bytes:
    lines = [",".join(header)] + [",".join(f'"{c}"' for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(header=HEADER, rows=ROWS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def json_bytes() -> bytes:
    items = [dict(zip(HEADER, r, strict=True)) for r in ROWS]
    for item in items:
        item["fields"] = [f.strip() for f in item["fields"].replace(";", ",").split(",")]
    return json.dumps(items, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    "data,name",
    [
        (json_bytes(), "experts.json"),
        (csv_bytes("utf-8"), "experts.csv"),
        (b"\xef\xbb\xbf" + csv_bytes("utf-8"), "experts.csv"),
        (csv_bytes("cp949"), "experts.csv"),
        (xlsx_bytes(), "experts.xlsx"),
        (xlsx_bytes(), "no-extension"),
    ],
)
def test_every_format_reads_to_the_same_items(cx, data, name):
    summary = services.import_experts(cx, data, filename=name)
    assert summary.as_dict()["created"] == 2
    lab = Expert.objects.get(ref="DAU-01")
    assert lab.fields == ["도금", "표면처리"] and lab.name == "김도금" and lab.unit.endswith("표면처리연구실")
    assert Expert.objects.get(ref="DAU-02").fields == ["폐수", "중금속"]
    again = services.import_experts(cx, data, filename=name)
    assert again.as_dict()["unchanged"] == 2 and again.as_dict()["created"] == 0


def test_korean_column_names_are_understood(cx):
    data = csv_bytes("cp949", header=["식별자", "기관", "소속", "성명", "분야", "설명"])
    assert services.import_experts(cx, data, filename="연구자.csv").as_dict()["created"] == 2


def test_a_preview_writes_nothing_and_one_bad_row_refuses_the_file(cx):
    preview = services.import_experts(cx, csv_bytes(), filename="e.csv", dry_run=True)
    assert preview.dry_run and preview.as_dict()["created"] == 2 and Expert.objects.count() == 0
    services.import_experts(cx, csv_bytes(), filename="e.csv")
    changed = [r[:] for r in ROWS]
    changed[0][5] = "무전해 니켈 도금"
    preview = services.import_experts(cx, csv_bytes(rows=changed), filename="e.csv", dry_run=True)
    assert preview.changes == {"DAU-01": {"text": ["6가 크롬 대체 도금 공정", "무전해 니켈 도금"]}}
    assert Expert.objects.get(ref="DAU-01").text == "6가 크롬 대체 도금 공정"
    bad = [*changed, ["", "부산대", "x", "", "", "y"]]
    with pytest.raises(BadInput) as exc:
        services.import_experts(cx, csv_bytes(rows=bad), filename="e.csv")
    assert "experts[3]" in exc.value.message and exc.value.field == "ref"
    assert Expert.objects.get(ref="DAU-01").text == "6가 크롬 대체 도금 공정"  # all or nothing
    for data, name in (
        (b"ref,org\n\x00,x\n", "e.csv"),
        (b"org,unit\nx,y\n", "e.csv"),
        (b"PK\x03\x04broken", "e.xlsx"),
        (b"\xff\xfe\x00garbage\x81", "e.csv"),
        (b"[1, 2]", "e.json"),
    ):
        with pytest.raises(BadInput):
            services.import_experts(cx, data, filename=name)


def test_consent_in_the_file_is_kept_on_record_and_a_file_without_it_keeps_the_consent(cx):
    data = csv_bytes(header=[*HEADER, "public_consent"], rows=[[*ROWS[0], "예"], [*ROWS[1], "N"]])
    services.import_experts(cx, data, filename="with-consent.csv")
    lab = Expert.objects.get(ref="DAU-01")
    assert lab.public_consent and not Expert.objects.get(ref="DAU-02").public_consent
    record = ExpertConsent.objects.get(expert=lab)
    assert record.given and record.on_behalf and "with-consent.csv" in record.evidence
    services.import_experts(cx, csv_bytes(), filename="without.csv")
    lab.refresh_from_db()
    assert lab.public_consent and ExpertConsent.objects.count() == 1


# --- the web import -------------------------------------------------------------------------


def _client(world, who):
    client = Client()
    client.force_login(world["users"][who])
    return client


def _upload(client, data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("collaboration:expert_import"), {"file": SimpleUploadedFile(name, data)})


def test_officer_previews_then_imports_on_the_web(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    officer = _client(world, "officer")
    r = _upload(officer, csv_bytes("cp949"), "동아대.csv")
    assert r.status_code == 200 and Expert.objects.count() == 0
    page = r.content.decode()
    assert "미리보기" in page and "DAU-01" in page and "신소재공학과 표면처리연구실" in page
    token = r.context["token"]
    r = officer.post(reverse("collaboration:expert_import"), {"token": token, "filename": "동아대.csv"})
    assert r.status_code == 200 and Expert.objects.count() == 2 and 'id="import-done"' in r.content.decode()
    # the staged file is gone once imported: a second confirmation is refused, not repeated
    r = officer.post(reverse("collaboration:expert_import"), {"token": token})
    assert r.status_code == 410 and "다시 올려 주세요" in r.content.decode()
    r = officer.post(reverse("collaboration:expert_import"), {"token": "../../etc/passwd"})
    assert r.status_code == 400
    # the same file again: nothing to change
    r = _upload(officer, csv_bytes("cp949"), "동아대.csv")
    assert r.context["preview"]["counts"]["unchanged"] == 2
    # a bad file: the message, nothing staged
    r = _upload(officer, csv_bytes(rows=[["DAU-09", "x", "", "", "", ""]]), "bad.csv")
    assert r.status_code == 400 and "하나는 있어야 합니다" in r.content.decode() and "token" not in r.context


def test_only_officers_import(world):
    for who in ("manager_a", "university", "other_officer", "visitor"):
        r = _upload(_client(world, who), csv_bytes(), "e.csv")
        assert r.status_code == 403, who
    assert Expert.objects.count() == 0


# --- consent --------------------------------------------------------------------------------


@pytest.fixture
def hidden(world):
    return Expert.objects.create(
        complex=world["cx"],
        ref="PNU-7",
        org="동아대 <script>alert(1)</script>",
        unit="비공개 열처리연구실",
        name="박열처",
        fields=["열처리"],
        text="진공 열처리 변형 저감",
    )


def _public_sees(world, expert) -> dict:
    cx = world["cx"]
    client = Client()
    return {
        "list": expert in selectors.experts(ANONYMOUS, cx),
        "search": any(expert.unit in h.title for h in panels.search_experts(ANONYMOUS, cx, "열처리", 10)),
        "match": any(
            r["ref"] == expert.ref for r in selectors.match_for_viewer(ANONYMOUS, cx, "진공 열처리 변형")["experts"]
        ),
        "page": client.get(expert.get_absolute_url()).status_code == 200,
        "api": any(
            e["ref"] == expert.ref
            for e in client.post(
                "/api/collaboration/match", {"text": "진공 열처리 변형"}, content_type="application/json"
            ).json()["experts"]
        ),
        "expert_list": expert.unit in client.get(reverse("collaboration:expert_list")).content.decode(),
        "api_list": any(e["ref"] == expert.ref for e in client.get("/api/collaboration/experts").json()["items"]),
    }


def test_a_hidden_profile_never_reaches_the_public(world, hidden):
    assert not any(_public_sees(world, hidden).values())
    other = viewer_for(world["users"]["other_officer"])
    assert hidden not in selectors.experts(other, world["cx"])
    services.set_expert_consent(hidden, True)
    assert all(_public_sees(world, hidden).values())
    services.set_expert_consent(hidden, False)
    assert not any(_public_sees(world, hidden).values())


def test_the_expert_switches_consent_themselves(world, hidden):
    me = UserFactory(username="park")
    services.link_expert_account(hidden, "park")
    client = Client()
    client.force_login(me)
    url = reverse("collaboration:expert_consent", args=[hidden.pk])
    page = client.get(url).content.decode()
    assert "evidence" not in page and "account" not in page  # the expert needs to explain nothing
    assert client.post(url, {"consent": "1"}).status_code == 302
    hidden.refresh_from_db()
    record = hidden.consents.get()
    assert hidden.public_consent and record.given and not record.on_behalf and record.recorded_by == me
    assert client.post(url, {"consent": "0"}).status_code == 302
    hidden.refresh_from_db()
    assert not hidden.public_consent and [c.given for c in hidden.consents.all()] == [False, True]


def test_liaison_office_records_consent_on_behalf_with_how_it_was_obtained(world, hidden):
    uni = Organisation.objects.get(kind="university", complex=world["cx"])
    hidden.org = uni.name
    hidden.save()
    liaison = _client(world, "university")
    url = reverse("collaboration:expert_consent", args=[hidden.pk])
    r = liaison.post(url, {"consent": "1", "evidence": ""})
    assert r.status_code == 400 and "동의를 받은 방법" in r.content.decode()
    hidden.refresh_from_db()
    assert not hidden.public_consent and not hidden.consents.exists()
    r = liaison.post(url, {"consent": "1", "evidence": "서면 동의서 2026-11-20"})
    assert r.status_code == 302
    record = hidden.consents.get()
    assert record.on_behalf and record.evidence == "서면 동의서 2026-11-20" and record.recorded_by_label == "university"
    assert "서면 동의서 2026-11-20" in liaison.get(url).content.decode()
    r = liaison.post(url, {"consent": "1", "evidence": "x", "account": "nobody-here"})
    assert r.status_code == 400 and "계정이 없습니다" in r.content.decode()
    # another university's liaison office, a company, the public: no
    other_uni = OrganisationFactory(complex=world["cx"], kind="university", name="부산대학교")
    stranger = MembershipFactory(organisation=other_uni, role=Membership.Role.MEMBER).user
    for client in (Client(), _client(world, "manager_a")):
        assert client.post(url, {"consent": "0", "evidence": "x"}).status_code in (403, 404)
    c = Client()
    c.force_login(stranger)
    assert c.post(url, {"consent": "0", "evidence": "x"}).status_code == 403
    hidden.refresh_from_db()
    assert hidden.public_consent
