"""What the cooperation module contributes through the spine: its pages and API, the "Cooperation"
and "Needs" menu entries, dashboard panels, linkable agreements and programmes, site search, its
access table and the demo's cooperation step."""

from django.utils.translation import gettext_lazy as _

from techvalley.collaboration import panels, permissions, transition
from techvalley.core import spine
from techvalley.core.spine import ANYONE, OFFICERS, ORG_MEMBERS, OWN_COMPANY, OWN_MANAGER, SIGNED_IN, Access

spine.pages("collaboration/", "techvalley.collaboration.urls")
spine.api("/collaboration", "techvalley.collaboration.api.router")
spine.nav(
    spine.NavEntry("cooperation", _("Cooperation"), "collaboration:index", permissions.can_open_cooperation, order=50),
    # Needs are private: officers (every company's) and company users with a registry entry (their own).
    spine.NavEntry(
        "needs", _("Needs and programmes"), "collaboration:my_company", permissions.can_open_needs, order=52
    ),
)
spine.panel(
    spine.Panel(
        "collab-complex",
        _("Cooperation"),
        panels.complex_figures,
        panels.sees_complex,
        order=50,
        audiences=frozenset({"complex"}),
    ),
    spine.Panel(
        "collab-officer",
        _("Cooperation to follow up"),
        panels.officer_figures,
        panels.sees_as_officer,
        order=50,
        audiences=frozenset({"officer"}),
    ),
    spine.Panel(
        "collab-company",
        _("Support programmes for us"),
        panels.company_figures,
        panels.sees_own_company,
        order=50,
        audiences=frozenset({"company"}),
    ),
)
spine.linkable(
    spine.LinkableType(
        "collaboration.agreement",
        _("Agreement"),
        "collaboration.Agreement",
        candidates=panels.agreement_candidates,
        url=lambda a: a.get_absolute_url(),
        is_public=lambda a: a.is_public,
        title=lambda a: a.title,
    ),
    spine.LinkableType(
        "collaboration.programme",
        _("Joint programme"),
        "collaboration.Programme",
        candidates=panels.programme_candidates,
        url=lambda p: p.get_absolute_url(),
        is_public=lambda p: p.is_public,
        title=lambda p: p.title,
    ),
)
spine.search(
    spine.SearchProvider("agreements", _("Agreements"), panels.search_agreements, order=50),
    spine.SearchProvider("programmes", _("Programmes"), panels.search_programmes, order=51),
    spine.SearchProvider("expertise", _("Expertise"), panels.search_experts, order=52),
)

# A company's transition record: agreements signed, programmes joined, joint projects and their
# outcomes (events, scoped to the viewer); signals "collaborations" and "collaboration_outcomes"
# (counts up to a date, for many companies in four queries).
spine.transition(
    spine.Transition(transition.KEY, _("Cooperation"), events=transition.events, signals=transition.signals, order=50)
)

# Open data: public agreements, public joint programmes with their budget by source, and the
# support-programme catalogue — nothing personal (no owners, contacts or experts' names).
C = spine.Column
spine.dataset(
    spine.Dataset(
        "collaboration.agreements",
        _("Cooperation agreements (MOUs)"),
        _("Agreements of the district with universities, institutes, agencies and companies, as published."),
        (
            C("title", "string", _("title of the agreement")),
            C("signed_on", "date", _("date signed")),
            C("starts_on", "date", _("in force from")),
            C("ends_on", "date", _("in force until (empty: no end date)")),
            C("status", "string", _("in force | expired | terminated, today")),
            C("parties", "string", _("the parties, separated by semicolons")),
            C(
                "party_kinds",
                "string",
                _("each party's kind (university, institute, agency, government, company, other)"),
            ),
            C("party_count", "integer", _("number of parties")),
            C("purpose", "string", _("purpose of the agreement")),
            C("joint_programmes", "integer", _("public joint programmes under the agreement")),
            C("estimated", "boolean", _("details are estimates (demo or reconstructed)")),
        ),
        rows=transition.agreement_rows,
        updated=transition.agreements_updated,
        source=_("Saha-gu district office, cooperation records"),
        order=50,
    ),
    spine.Dataset(
        "collaboration.programmes",
        _("Joint programmes and their budgets"),
        _(
            "Joint programmes (공모사업) of the district with its partners: funder, period, participants, "
            "budget by source."
        ),
        (
            C("title", "string", _("title of the programme")),
            C("funder", "string", _("funding ministry or body")),
            C("starts_on", "date", _("start of the programme")),
            C("ends_on", "date", _("end of the programme")),
            C("status", "string", _("planned | applied | selected | completed | not_selected")),
            C("participants", "string", _("participating partners, separated by semicolons")),
            C("budget_national", "integer", _("national funds (국비)"), "KRW"),
            C("budget_city", "integer", _("city funds (시비)"), "KRW"),
            C("budget_district", "integer", _("district funds (구비)"), "KRW"),
            C("budget_private", "integer", _("private funds (민자)"), "KRW"),
            C("budget_total", "integer", _("total budget"), "KRW"),
            C("kpis", "integer", _("number of key performance indicators")),
            C("estimated", "boolean", _("figures are estimates")),
        ),
        rows=transition.programme_rows,
        updated=transition.programmes_updated,
        source=_("Saha-gu district office, cooperation records"),
        order=51,
    ),
    spine.Dataset(
        "collaboration.support_programmes",
        _("Support programmes for companies"),
        _("The catalogue of support-programme notices with who may apply (structured eligibility)."),
        (
            C("ref", "string", _("the notice's external id")),
            C("title", "string", _("title of the notice")),
            C("agency", "string", _("agency offering it")),
            C("opens_on", "date", _("applications open")),
            C("deadline", "date", _("deadline for applications")),
            C("who_may_apply", "string", _("eligibility criteria in words")),
            C("url", "string", _("address of the notice")),
            C("estimated", "boolean", _("an example entry, not a real notice")),
        ),
        rows=transition.support_rows,
        updated=transition.support_updated,
        source=_("support-programme catalogue kept by the district office"),
        order=52,
    ),
)
# No map layer: partners carry no location (a university's campus is not in the complex).

COMPANY_PRIVATE = OFFICERS | OWN_COMPANY
PIPELINE = OFFICERS | OWN_MANAGER
COMPANY_USERS = OFFICERS | {"member", "manager"}
#: The liaison office (산학협력단) of the expert's university, and the officers.
LIAISON = OFFICERS | {"university"}

AGREEMENT_FORM = {"title": "협약", "signed_on": "2025-01-02", "parties": "사하구 | government\n동아대학교 | university"}
FOLLOW_UP_FORM = {"action": "회의", "owner": "담당", "due_on": "2026-01-31"}
SUPPORT_FORM = {"ref": "ACCESS-NEW", "title": "지원사업", "eligibility": '{"employees_max": 49}'}
NEED_FORM = {"kind": "technology", "title": "도금", "text": "도금 공정 개선", "urgency": "high"}
PROGRAMME_FORM = {"title": "공동사업 수정", "funder": "교육부", "status": "selected", "is_public": "on"}
BUDGET_FORM = {"source": "city", "year": "2025", "amount_krw": "3억 5천만", "executed_krw": "1억"}
KPI_FORM = {"name": "취업자", "unit": "명", "target": "30", "result": "12"}
NEED_JSON = {"kind": "technology", "title": "도금", "text": "도금 공정 개선"}


def _engage(objects, side):
    return {"expert": objects["expert"]["a"]["pk"]}


def _need_json(objects, side):
    return dict(NEED_JSON, company_id=objects["company"][side]["pk"])


spine.access(
    "collaboration",
    [
        Access("collaboration:index", ANYONE),
        Access("collaboration:agreement_list", ANYONE),
        Access("collaboration:agreement_new", OFFICERS),
        Access("collaboration:agreement_export", OFFICERS),
        Access("collaboration:agreement_new", OFFICERS, method="POST", body=AGREEMENT_FORM),
        Access("collaboration:agreement_detail", ANYONE, obj="agreement", note="a public agreement"),
        Access("collaboration:agreement_detail", OFFICERS, obj="private_agreement"),
        Access("collaboration:agreement_edit", OFFICERS, obj="agreement"),
        Access(
            "collaboration:agreement_edit",
            OFFICERS,
            obj="agreement",
            method="POST",
            body={"title": "공개 협약", "outcomes": "간담회 2회", "is_public": "on"},
        ),
        Access("collaboration:follow_up_add", OFFICERS, obj="agreement", method="POST", body=FOLLOW_UP_FORM),
        Access("collaboration:follow_up_status", OFFICERS, obj="follow_up", method="POST", body={"status": "done"}),
        Access("collaboration:programme_list", ANYONE),
        Access("collaboration:programme_detail", ANYONE, obj="programme"),
        Access("collaboration:programme_detail", OFFICERS, obj="private_programme"),
        Access("collaboration:programme_new", OFFICERS),
        Access("collaboration:programme_new", OFFICERS, method="POST", body=PROGRAMME_FORM),
        Access("collaboration:programme_edit", OFFICERS, obj="programme"),
        Access("collaboration:programme_edit", OFFICERS, obj="programme", method="POST", body=PROGRAMME_FORM),
        Access("collaboration:budget_add", OFFICERS, obj="programme"),
        Access("collaboration:budget_add", OFFICERS, obj="programme", method="POST", body=BUDGET_FORM),
        Access("collaboration:budget_edit", OFFICERS, obj="budget_line"),
        Access("collaboration:budget_edit", OFFICERS, obj="budget_line", method="POST", body=BUDGET_FORM),
        Access("collaboration:budget_delete", OFFICERS, obj="budget_line", method="POST"),
        Access("collaboration:kpi_add", OFFICERS, obj="programme"),
        Access("collaboration:kpi_add", OFFICERS, obj="programme", method="POST", body=KPI_FORM),
        Access("collaboration:kpi_edit", OFFICERS, obj="kpi"),
        Access("collaboration:kpi_edit", OFFICERS, obj="kpi", method="POST", body=KPI_FORM),
        Access("collaboration:kpi_delete", OFFICERS, obj="kpi", method="POST"),
        Access("collaboration:participant_add", OFFICERS, obj="programme"),
        Access(
            "collaboration:participant_add",
            OFFICERS,
            obj="programme",
            method="POST",
            body={"name": "동아대학교", "kind": "university"},
        ),
        Access("collaboration:participant_remove", OFFICERS, obj="participant", method="POST"),
        Access("collaboration:partner_list", OFFICERS),
        Access("collaboration:partner_edit", OFFICERS, obj="partner"),
        Access(
            "collaboration:partner_edit",
            OFFICERS,
            obj="partner",
            method="POST",
            body={"name": "동아대학교 산학협력단", "kind": "university"},
        ),
        Access("collaboration:catalogue_list", ANYONE),
        Access("collaboration:catalogue_detail", ANYONE, obj="support"),
        Access("collaboration:catalogue_export_json", ANYONE),
        Access("collaboration:catalogue_export_csv", ANYONE),
        Access("collaboration:catalogue_new", OFFICERS),
        Access("collaboration:catalogue_new", OFFICERS, method="POST", body=SUPPORT_FORM),
        Access("collaboration:catalogue_edit", OFFICERS, obj="support"),
        Access(
            "collaboration:catalogue_edit",
            OFFICERS,
            obj="support",
            method="POST",
            body={"ref": "ACCESS-EDIT", "title": "지원사업"},
        ),
        Access("collaboration:catalogue_import", OFFICERS),
        Access("collaboration:catalogue_import", OFFICERS, method="POST", note="no file: refused after the check"),
        Access("collaboration:expert_list", ANYONE, note="public profiles; members of organisations see all"),
        Access("collaboration:expert_detail", ANYONE, obj="expert", note="a public profile"),
        Access("collaboration:expert_detail", ORG_MEMBERS, obj="private_expert"),
        Access("collaboration:expert_import", OFFICERS),
        Access("collaboration:expert_import", OFFICERS, method="POST", note="no file: refused after the check"),
        Access(
            "collaboration:expert_consent",
            LIAISON,
            obj="consent_expert",
            note="the expert's own sign-in too (tests/collaboration/test_expertise_import.py)",
        ),
        Access(
            "collaboration:expert_consent",
            LIAISON,
            obj="consent_expert",
            method="POST",
            body={"consent": "0", "evidence": "서면 동의서 2026-11-20"},
        ),
        Access("collaboration:match", ANYONE, params={"query": {"text": "도금 폐수"}}),
        Access("collaboration:need_list", COMPANY_USERS, note="scoped: officers all, companies their own"),
        Access("collaboration:need_detail", COMPANY_PRIVATE, obj="need"),
        Access("collaboration:engagement_new", PIPELINE, obj="need", method="POST", body=_engage),
        Access(
            "collaboration:engagement_advance", PIPELINE, obj="engagement", method="POST", body={"stage": "contacted"}
        ),
        Access(
            "collaboration:outcome_add",
            PIPELINE,
            obj="engagement",
            method="POST",
            body={"kind": "hire", "value": "1", "on": "2026-10-01"},
        ),
        Access("collaboration:my_company", COMPANY_USERS),
        Access("collaboration:company", COMPANY_PRIVATE, obj="company"),
        Access("collaboration:need_new", COMPANY_PRIVATE, obj="company"),
        Access("collaboration:need_new", COMPANY_PRIVATE, obj="company", method="POST", body=NEED_FORM),
        Access("api:GET /collaboration/agreements", ANYONE, note="public ones; officers all"),
        Access("api:GET /collaboration/agreements/{agreement_id}", ANYONE, obj="agreement"),
        Access("api:GET /collaboration/agreements/{agreement_id}", OFFICERS, obj="private_agreement"),
        Access(
            "api:POST /collaboration/agreements/{agreement_id}/follow-ups",
            OFFICERS,
            obj="agreement",
            method="POST",
            body=FOLLOW_UP_FORM,
        ),
        Access(
            "api:PATCH /collaboration/follow-ups/{follow_up_id}",
            OFFICERS,
            obj="follow_up",
            method="PATCH",
            body={"status": "in_progress"},
        ),
        Access("api:GET /collaboration/programmes", ANYONE),
        Access("api:GET /collaboration/experts", ANYONE, note="public profiles; members of organisations see all"),
        Access("api:GET /collaboration/catalogue", ANYONE),
        Access("api:GET /collaboration/catalogue/export", ANYONE),
        Access(
            "api:POST /collaboration/catalogue/import",
            OFFICERS,
            method="POST",
            body=[{"ref": "ACCESS-API", "title": "지원사업", "eligibility": {"manufacturing": True}}],
        ),
        Access("api:POST /collaboration/match", ANYONE, method="POST", body={"text": "도금 폐수"}),
        Access("api:GET /collaboration/needs", SIGNED_IN, note="scoped: officers all, companies their own"),
        Access("api:POST /collaboration/needs", COMPANY_PRIVATE, obj="company", method="POST", body=_need_json),
        Access("api:GET /collaboration/companies/{company_id}/recommendations", COMPANY_PRIVATE, obj="company"),
    ],
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.collaboration.demo import load_collaboration_demo
    from techvalley.core.models import Complex

    return {"collaboration": load_collaboration_demo(Complex.objects.get(slug=summary["complex"]))}


spine.demo_step(spine.DemoStep("collaboration", "agreements, joint programmes, expertise, catalogue", _demo, order=55))


def _load_analyzer() -> None:
    """The Korean analyser of matching (its Kiwi model, a few seconds to load)."""
    from techvalley.collaboration.matching import default_analyzer

    default_analyzer().terms("산학협력 공동연구")


spine.warmup(_load_analyzer)
