"""Personal data (개인정보 보호법): masking, consent records with purpose and retention, erasure when
the period ends or the consent is withdrawn, and a person's export of their own data."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from techvalley.core import privacy, spine
from techvalley.core.audit import acting_as
from techvalley.core.models import AuditEntry
from techvalley.core.privacy import Consent
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("010-1234-5678", "010-****-5678"),
        ("051-200-1234", "051-****-1234"),
        ("02-123-4567", "02-****-4567"),  # Seoul: a two-digit area code, not "021-"
        ("0212345678", "02-****-5678"),
        ("1588-1234", "****-1234"),
        ("+82 10 1234 5678", "010-****-5678"),
        ("+82-2-123-4567", "02-****-4567"),
        ("12", "***"),
        ("", ""),
    ],
)
def test_mask_phone(raw, masked):
    assert privacy.mask_phone(raw) == masked


def test_mask_email_and_name():
    assert privacy.mask_email("kim.minjun@example.com") == "k***@example.com"
    assert privacy.mask_email("a@b@example.com") == "a***@example.com"  # the domain is after the last @
    assert privacy.mask_email("not-an-address") == "***" and privacy.mask_email("") == ""
    assert privacy.mask_name("김민준") == "김*준" and privacy.mask_name("남궁민수") == "남**수"
    assert privacy.mask_name("김민") == "김*" and privacy.mask_name("") == ""


def test_who_sees_personal_data_unmasked(world):
    u, a = world["users"], world["a"]
    whose = {"user_id": u["member_a"].pk, "organisation_id": a.organisation_id, "complex_id": world["cx"].pk}
    seen = {name: privacy.may_see_personal(viewer_for(user), **whose) for name, user in u.items()}
    assert seen == {
        "anonymous": False,
        "visitor": False,
        "member_a": True,  # the person
        "manager_a": True,  # their organisation
        "manager_b": False,
        "university": False,
        "officer": True,  # an officer of the complex
        "other_officer": False,  # an officer of another complex
    }
    phone = "010-1111-2222"
    assert privacy.masked(viewer_for(u["manager_b"]), phone, "phone", **whose) == "010-****-2222"
    assert privacy.masked(viewer_for(u["officer"]), phone, "phone", **whose) == phone


def consent(user=None, days_ago=0, retention=365, **kw):
    c = privacy.record_consent(
        purpose_key=kw.pop("purpose_key", "test.inquiry"),
        purpose="입주 문의 답변 / answering an inquiry",
        items=["이름", "전화번호", "전자우편"],
        retention_days=retention,
        user=user,
        subject=kw.pop("subject", "" if user else "홍길동"),
        subject_contact=kw.pop("subject_contact", "" if user else "010-9999-8888"),
        **kw,
    )
    if days_ago:
        c.given_at = timezone.now() - dt.timedelta(days=days_ago)
        c.save(update_fields=["given_at"])
    return c


def test_consent_needs_purpose_items_retention_and_a_subject(db):
    with pytest.raises(BadInput, match="보유기간"):
        consent(retention=0)
    with pytest.raises(BadInput, match="보유기간"):
        consent(retention=privacy.MAX_RETENTION_DAYS + 1)
    with pytest.raises(BadInput, match="items"):
        privacy.record_consent(purpose_key="k", purpose="p", items=[], retention_days=30, subject="x")
    with pytest.raises(BadInput, match="subject"):
        privacy.record_consent(purpose_key="k", purpose="p", items=["이름"], retention_days=30)
    c = consent(retention=30)
    assert c.is_live() and c.expires_at == c.given_at + dt.timedelta(days=30)
    assert AuditEntry.objects.filter(model="core.Consent", object_id=str(c.pk), action="create").exists()


def test_due_for_erasure_is_past_retention_or_withdrawn(db):
    old = consent(days_ago=400, retention=365)
    fresh = consent(days_ago=10, retention=365)
    edge = consent(days_ago=30, retention=30)
    withdrawn = privacy.withdraw_consent(consent(days_ago=1, retention=365))
    due = set(privacy.due_for_erasure().values_list("id", flat=True))
    assert due == {old.pk, edge.pk, withdrawn.pk} and fresh.pk not in due


def test_purge_erases_through_the_apps_hook_and_keeps_a_stripped_proof(db, monkeypatch):
    erased = []
    monkeypatch.setattr(
        spine.platform,
        "personal_data_by_key",
        {
            "test.inquiry": spine.PersonalData(
                "test.inquiry", "inquiries", erase_consented=lambda c: erased.append(c.record_id)
            )
        },
    )
    old = consent(days_ago=400, record=None)
    Consent.objects.filter(pk=old.pk).update(record_type="tenancy.Inquiry", record_id="42")
    keep = consent(days_ago=5)
    assert privacy.purge_expired(dry_run=True) == {"test.inquiry": 1} and erased == []
    with acting_as(None, "test"):
        assert privacy.purge_expired() == {"test.inquiry": 1}
    assert erased == ["42"]
    old.refresh_from_db()
    assert old.erased_at is not None and old.subject == "" and old.subject_contact == "" and old.user is None
    assert old.purpose and old.retention_days == 365  # what proves the erasure stays
    keep.refresh_from_db()
    assert keep.erased_at is None and keep.subject == "홍길동"
    assert privacy.purge_expired() == {}  # done once


def test_a_person_exports_their_own_data(world, monkeypatch):
    me = world["users"]["member_a"]
    me.email = "minjun@example.com"
    me.save()
    consent(user=me, retention=730)
    monkeypatch.setattr(
        spine.platform,
        "personal_data_by_key",
        {
            "test.bookings": spine.PersonalData(
                "test.bookings", "bookings", export=lambda user: [{"room": "회의실", "who": user.email}]
            )
        },
    )
    data = privacy.export_person(me)
    json.dumps(data)  # JSON all through
    assert data["account"]["username"] == "member_a" and data["account"]["email"] == "minjun@example.com"
    assert [m["role"] for m in data["memberships"]] == ["member"]
    assert data["consents"][0]["retention_days"] == 730 and "전화번호" in data["consents"][0]["items"]
    assert data["test.bookings"] == [{"room": "회의실", "who": "minjun@example.com"}]
    other = privacy.export_person(world["users"]["manager_b"])
    assert other["consents"] == [] and other["memberships"][0]["role"] == "manager"  # nothing of member_a's


def test_audit_entries_about_the_person_are_in_their_export(world):
    me = world["users"]["member_a"]
    with acting_as(world["users"]["officer"], "officer"):
        e = AuditEntry.objects.create(
            actor=world["users"]["officer"],
            actor_label="officer",
            action="update",
            model="auth.User",
            object_id=str(me.pk),
            object_repr="member_a",
            changes={"email": ["", "minjun@example.com"]},
        )
    data = privacy.export_person(me)
    assert [(a["by"], a["changes"]) for a in data["audit_about_you"]] == [("officer", e.changes)]
    assert privacy.export_person(world["users"]["manager_b"])["audit_about_you"] == []


def test_command_line_export_and_purge(world, tmp_path):
    runner = CliRunner()
    app = privacy.cli_groups()["privacy"]
    out = tmp_path / "me.json"
    r = runner.invoke(app, ["export", "member_a", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8"))["account"]["username"] == "member_a"
    assert runner.invoke(app, ["export", "nobody"]).exit_code == 2
    consent(days_ago=400)
    r = runner.invoke(app, ["purge", "--dry-run"])
    assert r.exit_code == 0 and "test.inquiry: 1" in r.output
    r = runner.invoke(app, ["purge"])
    assert r.exit_code == 0 and "test.inquiry: 1" in r.output
    assert "nothing is due" in runner.invoke(app, ["purge"]).output


def test_my_data_page_gives_the_signed_in_person_their_own_data(world, rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/my-data/")
    request.user = world["users"]["member_a"]
    r = privacy.my_data(request)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store" and "attachment" in r["Content-Disposition"]
    assert json.loads(r.content)["account"]["username"] == "member_a"
    request = rf.get("/my-data/")
    request.user = AnonymousUser()
    assert privacy.my_data(request).status_code == 302
    request = rf.post("/my-data/")
    request.user = world["users"]["member_a"]
    assert privacy.my_data(request).status_code == 405
