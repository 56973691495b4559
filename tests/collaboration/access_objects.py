"""Cooperation objects of company A and company B for the access-table test (tests/access.py)."""

import datetime as dt

from techvalley.collaboration import services
from techvalley.collaboration.models import Expert, SupportProgramme

XSS = "<script>alert(1)</script>"


def build(world) -> dict:
    cx = world["cx"]
    public = services.record_agreement(
        cx,
        title=f"공개 협약 {XSS}",
        signed_on=dt.date(2023, 3, 1),
        parties=[("사하구", "government"), ("동아대", "university")],
    )
    private = services.record_agreement(
        cx,
        title=f"비공개 협약 {XSS}",
        signed_on=dt.date(2024, 3, 1),
        parties=[("사하구", "government"), (f"회사 {XSS}", "company")],
        is_public=False,
    )
    follow_up = services.add_follow_up(public, action=f"회의 {XSS}", owner="담당", due_on=dt.date(2024, 1, 31))
    programme = services.record_programme(
        cx, title=f"공동사업 {XSS}", funder="교육부", budget=[("national", 2024, 1000)], kpis=[("교육", "명", 10, 5)]
    )
    hidden_programme = services.record_programme(cx, title=f"비공개 사업 {XSS}", funder="부산시")
    hidden_programme.is_public = False
    hidden_programme.save()
    line = programme.budget.get()
    kpi = programme.kpis.get()
    partner = services.add_participant(programme, f"동아대 {XSS}", "university")
    expert = Expert.objects.create(
        complex=cx,
        ref="ACC-PUBLIC",
        org=f"대학 {XSS}",
        unit="연구실",
        fields=["도금"],
        text="도금",
        public_consent=True,
    )
    uni = world["orgs"]["university"]
    consenting = Expert.objects.create(
        complex=cx, ref="ACC-CONSENT", org=uni.name, unit="연구실", text="표면처리", public_consent=True
    )
    hidden = Expert.objects.create(
        complex=cx, ref="ACC-PRIVATE", org="대학", unit="연구자", text="열처리 HIDDEN-EXPERT-PROFILE"
    )
    support = SupportProgramme.objects.create(
        complex=cx, ref="ACC-SUPPORT", title=f"지원사업 {XSS}", text="도금", eligibility={"employees_max": 49}
    )
    out = {
        "agreement": {s: {"pk": public.pk, "agreement_id": public.pk} for s in "ab"},
        "private_agreement": {s: {"pk": private.pk, "agreement_id": private.pk} for s in "ab"},
        "follow_up": {s: {"pk": follow_up.pk, "follow_up_id": follow_up.pk} for s in "ab"},
        "programme": {s: {"pk": programme.pk} for s in "ab"},
        "private_programme": {s: {"pk": hidden_programme.pk} for s in "ab"},
        "budget_line": {s: {"pk": line.pk} for s in "ab"},
        "kpi": {s: {"pk": kpi.pk} for s in "ab"},
        "participant": {s: {"pk": programme.pk, "partner_pk": partner.pk} for s in "ab"},
        "partner": {s: {"pk": partner.pk} for s in "ab"},
        "expert": {s: {"pk": expert.pk} for s in "ab"},
        "private_expert": {s: {"pk": hidden.pk} for s in "ab"},
        "consent_expert": {s: {"pk": consenting.pk} for s in "ab"},
        "support": {s: {"pk": support.pk} for s in "ab"},
        "need": {},
        "engagement": {},
    }
    for side in ("a", "b"):
        company = world[side]
        need = services.record_need(
            company, kind="technology", title=f"수요 {side} {XSS}", text=f"도금 6가 크롬 PRIVATE-NEED-{side}"
        )
        engagement = services.start_engagement(company, need=need, expert=expert, on=dt.date(2026, 1, 5))
        out["need"][side] = {"pk": need.pk}
        out["engagement"][side] = {"pk": engagement.pk}
    # What an officer of another complex must never be shown (tests/access.py checks every answer).
    world.setdefault("private_markers", []).extend(
        ["비공개 협약", "비공개 사업", "HIDDEN-EXPERT-PROFILE", "PRIVATE-NEED-a", "PRIVATE-NEED-b"]
    )
    return out
