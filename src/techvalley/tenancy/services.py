"""Use cases of the tenancy app: the only code that changes its data.

Each function validates its input (``BadInput`` with a Korean and an English message), writes
inside one transaction and leaves the audit trail to ``@audited`` models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from techvalley.core import privacy
from techvalley.core.validation import BadInput, clean_text, phone_number
from techvalley.registry import ksic
from techvalley.registry.models import Company
from techvalley.tenancy import eligibility
from techvalley.tenancy.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    Campaign,
    Centre,
    FollowUp,
    Lead,
    LeadEvent,
    Lease,
    Roundtable,
    RoundtableIssue,
    RuleVersion,
    Stage,
    Tenant,
    Unit,
    UnitStatus,
)
from techvalley.tenancy.rules import RuleSet

# --- personal-data consent (개인정보 보호법 제15조 ②) ---------------------------------------------------

CONSENT_VERSION = "2026-11"
RETENTION_DAYS = 365
#: What the inquiry form tells the person before they agree: purpose, items, retention, and that
#: they may refuse (and what refusing means). Shown verbatim; its version is stored with the lead.
CONSENT = {
    "version": CONSENT_VERSION,
    "purpose": "지식산업센터 입주 상담, 빈 호실 안내, 방문 일정 조정 및 입주 지원 연락",
    "items": "회사명, 담당자 성명, 연락처(전화번호·이메일), 업종(한국표준산업분류), 벤처기업 여부, 용도, "
    "희망 면적·예산, 관심 센터, 문의 내용",
    "retention": f"동의일로부터 {RETENTION_DAYS // 365}년 (입주 계약 시 계약 기간 동안, 이후 지체 없이 파기)",
    "refusal": "동의를 거부할 권리가 있습니다. 거부하시면 문의를 접수할 수 없으나, 빈 호실 조회와 입주 자격 "
    "자가진단은 동의 없이 이용할 수 있습니다.",
}


AREA_ORDER_MESSAGE = (
    "희망 면적의 최소가 최대보다 큽니다: 최소를 최대 이하로 적어 주세요. "
    "/ the smallest area wanted is larger than the largest: make it at most the largest."
)


def ksic_problem(code: str, revision: int = 11) -> str | None:
    """Why a KSIC code is not usable (a Korean and an English sentence that name the field by its
    label, not its key), or None when the revision has it."""
    if ksic.lookup(code, revision) is not None:
        return None
    other = 10 if revision == 11 else 11
    hint = (
        f" 제{other}차 분류에는 있습니다. / It is a code of revision {other}."
        if ksic.lookup(code, other) is not None
        else ""
    )
    return (
        f"업종코드(KSIC) '{code}'는 한국표준산업분류 제{revision}차에 없습니다.{hint} "
        f"/ Industry code (KSIC) '{code}' is not in KSIC revision {revision}."
    )


def submit_inquiry(complex, data: dict, *, consent: bool, tracking_code: str = "", now=None) -> Lead:
    """An inquiry from the public form or API becomes a lead — only with consent to the use of
    the personal data it carries. The campaign whose tracking code the link carried is credited."""
    if consent is not True:
        raise BadInput(
            "개인정보 수집·이용에 동의해야 문의를 접수할 수 있습니다. / consent to the use of personal data is "
            "required to send an inquiry.",
            field="consent",
        )
    now = now or timezone.now()
    company = clean_text(data.get("company_name"), "company_name", max_length=200, required=True).strip()
    contact = clean_text(data.get("contact_name"), "contact_name", max_length=100, required=True).strip()
    phone = phone_number(data.get("phone"), "phone")
    email = clean_text(data.get("email"), "email", max_length=254).strip()
    if not phone and not email:
        raise BadInput("연락처(전화 또는 이메일)가 필요합니다. / a phone number or email is required.", field="phone")
    if email and ("@" not in email or " " in email):
        raise BadInput("이메일 형식이 아닙니다. / not an email address.", field="email")
    code = clean_text(data.get("ksic") or "", "ksic", max_length=10).strip().upper()
    revision = data.get("ksic_revision") or 11
    if revision not in (10, 11):
        raise BadInput("ksic_revision: 10 또는 11 / must be 10 or 11.", field="ksic_revision")
    if code and (problem := ksic_problem(code, revision)):
        raise BadInput(problem, field="ksic")
    use = data.get("use") or "tenant"
    if use not in ("tenant", "support"):
        raise BadInput("use: tenant 또는 support / must be tenant or support.", field="use")
    area_min = _optional_area(data.get("area_min_m2"), "area_min_m2")
    area_max = _optional_area(data.get("area_max_m2"), "area_max_m2")
    if area_min and area_max and area_min > area_max:
        raise BadInput(AREA_ORDER_MESSAGE, field="area_min_m2")
    centre = None
    if data.get("centre"):
        centre = Centre.objects.filter(complex=complex, slug=str(data["centre"])[:60], published=True).first()
        if centre is None:
            raise BadInput("centre: 그런 센터가 없습니다. / no such centre.", field="centre")
    code_given = clean_text(tracking_code or "", "c", max_length=40).strip()
    campaign = Campaign.objects.filter(complex=complex, tracking_code=code_given).first() if code_given else None
    with transaction.atomic():
        lead = Lead.objects.create(
            complex=complex,
            company_name=company,
            contact_name=contact,
            phone=phone,
            email=email,
            ksic=code,
            ksic_revision=revision,
            venture=bool(data.get("venture") is True),
            use=use,
            area_min_m2=area_min,
            area_max_m2=area_max,
            budget_monthly_won=_optional_won(data.get("budget_monthly_won"), "budget_monthly_won"),
            budget_purchase_won=_optional_won(data.get("budget_purchase_won"), "budget_purchase_won"),
            centre=centre,
            message=clean_text(data.get("message") or "", "message", max_length=4000),
            source=clean_text(data.get("source") or "web", "source", max_length=20),
            campaign=campaign,
            tracking_code=code_given,
            consent_at=now,
            consent_version=CONSENT_VERSION,
            retain_until=(now + dt.timedelta(days=RETENTION_DAYS)).date(),
            high_tech=bool(code) and ksic.intensity_of(code) in ksic.HIGH_TECH,
            stage=Stage.INQUIRY,
            stage_changed_at=now,
            created_at=now,
        )
        LeadEvent.objects.create(lead=lead, stage=Stage.INQUIRY, at=now, note="inquiry")
        privacy.record_consent(
            purpose_key=PERSONAL_DATA_KEY,
            purpose="지식산업센터 입주 문의 상담 / following up a tenancy inquiry",
            items=PERSONAL_ITEMS,
            retention_days=RETENTION_DAYS,
            complex=complex,
            subject=contact,
            subject_contact=email or phone,
            record=lead,
        )
    return lead


def _optional_area(value, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, Decimal):
        value = str(value)
    return eligibility._area(value, name, positive=True)


def _optional_won(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    from techvalley.core.validation import int_param

    return int_param(value, name, lo=0, hi=10**13)


def advance_lead(
    lead: Lead, stage: str, *, by=None, note: str = "", lost_reason: str = "", unit: Unit | None = None, now=None
) -> Lead:
    """Move a lead forward in the funnel (stages may be skipped, never gone back), or mark it
    lost with a reason. A move-in with a unit records the tenant and its lease."""
    now = now or timezone.now()
    if stage not in Stage.values:
        raise BadInput(f"stage: {', '.join(Stage.values)} 중 하나 / unknown stage.", field="stage")
    note = clean_text(note, "note", max_length=300)
    lost_reason = clean_text(lost_reason, "lost_reason", max_length=300).strip()
    if stage == Stage.LOST and not lost_reason:
        raise BadInput("실패 사유가 필요합니다. / a reason is required.", field="lost_reason")
    if unit is not None and unit.centre.complex_id != lead.complex_id:
        raise BadInput("다른 단지의 호실입니다. / the unit is in another complex.", field="unit")
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)  # the stage as stored, not as the caller saw it
        if lead.stage not in OPEN_STAGES:
            raise BadInput(
                "이미 끝난 리드입니다 (입주 또는 실패). / the lead is closed.",
                field="stage",
                status=409,
                code="conflict",
            )
        if stage != Stage.LOST and STAGE_ORDER.index(stage) <= STAGE_ORDER.index(lead.stage):
            raise BadInput("이전 단계로 되돌릴 수 없습니다. / a lead only moves forward.", field="stage")
        lead.stage = stage
        lead.stage_changed_at = now
        if stage == Stage.LOST:
            lead.lost_reason = lost_reason
        if unit is not None:
            lead.unit = unit
        if stage == Stage.MOVED_IN and lead.unit is not None and lead.tenant is None:
            tenant = Tenant.objects.create(
                complex=lead.complex,
                name=lead.company_name,
                ksic=lead.ksic or "",
                ksic_revision=lead.ksic_revision,
                venture=lead.venture,
            )
            start_lease(lead.unit, tenant, use=lead.use, start=now.date())
            lead.tenant = tenant
        lead.save()
        LeadEvent.objects.create(lead=lead, stage=stage, at=now, by=by if getattr(by, "pk", None) else None, note=note)
    return lead


def assign_lead(lead: Lead, owner) -> Lead:
    lead.owner = owner
    lead.save(update_fields=["owner"])
    return lead


def add_followup(
    complex,
    *,
    title: str,
    lead: Lead | None = None,
    issue: RoundtableIssue | None = None,
    due: dt.date | None = None,
    assignee=None,
) -> FollowUp:
    title = clean_text(title, "title", max_length=300, required=True).strip()
    if lead is None and issue is None:
        raise BadInput("후속 조치는 리드나 간담회 건의에 달려야 합니다. / a follow-up needs a lead or an issue.")
    return FollowUp.objects.create(complex=complex, lead=lead, issue=issue, title=title, due=due, assignee=assignee)


def complete_followup(task: FollowUp, now=None) -> FollowUp:
    if task.done_at is None:
        task.done_at = now or timezone.now()
        task.save(update_fields=["done_at"])
    return task


def purge_expired_leads(complex, today: dt.date | None = None) -> int:
    """Erase the personal data of leads whose retention period ended (개인정보 파기), keeping the
    anonymous funnel figures. Returns how many were erased."""
    today = today or timezone.localdate()
    n = 0
    for lead in Lead.objects.filter(complex=complex, retain_until__lt=today).exclude(contact_name=ERASED):
        n += _erase_lead(lead)
    return n


#: The inquiry's personal data, for the consent record and the privacy notice.
PERSONAL_DATA_KEY = "tenancy.inquiry"
PERSONAL_ITEMS = ("contact_name", "phone", "email", "message")
ERASED = "(파기됨)"


def _erase_lead(lead: Lead) -> int:
    """Erase one lead's personal data, keeping the anonymous funnel figures; a lead that moved
    in keeps it for the term of its current lease, as the consent says. Returns 1 if erased."""
    if lead.contact_name == ERASED:
        return 0
    if lead.stage == Stage.MOVED_IN and lead.tenant_id:
        if Lease.objects.filter(tenant_id=lead.tenant_id, end__isnull=True).exists():
            return 0
    lead.contact_name = ERASED
    lead.phone = ""
    lead.email = ""
    lead.message = ""
    lead.save(update_fields=["contact_name", "phone", "email", "message"])
    return 1


def erase_consented_lead(consent) -> None:
    """``core.privacy``'s purge: the lead a due or withdrawn inquiry consent names."""
    lead = Lead.objects.filter(pk=consent.record_id).first() if consent.record_id.isdigit() else None
    if lead is not None:
        _erase_lead(lead)


# --- units and leases --------------------------------------------------------------------------------


def start_lease(
    unit: Unit,
    tenant: Tenant,
    *,
    use: str = "tenant",
    start: dt.date,
    kind: str = "rent",
    monthly_rent_won: int | None = None,
) -> Lease:
    """A tenant moves into a unit: the unit is occupied from ``start``."""
    if use not in Lease.Use.values:
        raise BadInput("use: tenant 또는 support / must be tenant or support.", field="use")
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        if Lease.objects.filter(unit=unit, end__isnull=True).exists():
            raise BadInput(
                f"{unit.number}호에는 이미 입주자가 있습니다. / the unit is occupied.",
                field="unit",
                status=409,
                code="conflict",
            )
        try:
            with transaction.atomic():
                lease = Lease.objects.create(
                    unit=unit, tenant=tenant, use=use, start=start, kind=kind, monthly_rent_won=monthly_rent_won
                )
        except IntegrityError:
            raise BadInput(
                "호실에 이미 입주자가 있습니다. / the unit is occupied.", status=409, code="conflict"
            ) from None
        unit.status = UnitStatus.OCCUPIED
        unit.vacant_since = None
        unit.save(update_fields=["status", "vacant_since"])
    return lease


def end_lease(lease: Lease, *, end: dt.date, reason: str = "") -> Lease:
    """A tenant leaves: the lease ends and the unit is vacant from the next day."""
    if end < lease.start:
        raise BadInput("종료일이 시작일보다 앞섭니다. / the end is before the start.", field="end")
    with transaction.atomic():
        lease.end = end
        lease.ended_reason = clean_text(reason, "reason", max_length=200)
        lease.save(update_fields=["end", "ended_reason"])
        unit = lease.unit
        unit.status = UnitStatus.VACANT
        unit.vacant_since = end + dt.timedelta(days=1)
        unit.save(update_fields=["status", "vacant_since"])
    return lease


def save_centre(complex, data: dict, centre: Centre | None = None) -> Centre:
    """Create or change a centre (its slug is unique in the complex)."""
    centre = centre or Centre(complex=complex)
    for field, value in data.items():
        setattr(centre, field, value)
    clash = Centre.objects.filter(complex=complex, slug=centre.slug).exclude(pk=centre.pk)
    if clash.exists():
        raise BadInput("이미 쓰인 약칭입니다. / the short name is taken.", field="slug", status=409, code="conflict")
    centre.save()
    return centre


def save_unit(centre: Centre, data: dict, unit: Unit | None = None) -> Unit:
    """Create or change a unit of a centre. Its status follows its leases: a unit with a current
    lease stays occupied."""
    unit = unit or Unit(centre=centre)
    for field, value in data.items():
        setattr(unit, field, value)
    if unit.area_m2 is not None and unit.area_m2 > centre.gross_floor_area_m2:
        raise BadInput("호실 면적이 센터 건축연면적보다 큽니다. / larger than the centre.", field="area_m2")
    clash = Unit.objects.filter(centre=centre, number=unit.number).exclude(pk=unit.pk)
    if clash.exists():
        raise BadInput(
            "같은 호실 번호가 있습니다. / the unit number is taken.", field="number", status=409, code="conflict"
        )
    if unit.pk and Lease.objects.filter(unit=unit, end__isnull=True).exists():
        unit.status = UnitStatus.OCCUPIED
    elif unit.status == UnitStatus.OCCUPIED:
        raise BadInput("입주 계약이 없는 호실은 '입주' 상태가 될 수 없습니다. / no current lease.", field="status")
    unit.save()
    return unit


def registry_company(complex, given) -> Company | None:
    """The registry company a tenant is, from its number or its exact name in the complex (none
    when not given); a name that is not there, or names several companies, is refused."""
    text = clean_text(given, "company", max_length=200).strip() if given else ""
    if not text:
        return None
    qs = Company.objects.filter(complex=complex)
    found = list(qs.filter(pk=int(text))[:1]) if text.isdigit() else list(qs.filter(name=text)[:2])
    if not found:
        raise BadInput(
            f"company: 단지의 공장등록에 '{text[:60]}' 기업이 없습니다. / no such company in the complex's registry.",
            field="company",
        )
    if len(found) > 1:
        raise BadInput(
            f"company: '{text[:60]}' 이름의 기업이 여럿입니다. 기업 번호를 넣으세요. "
            "/ several companies have that name: give its number.",
            field="company",
        )
    return found[0]


def record_move_in(unit: Unit, data: dict) -> Lease:
    """A tenant moves into a unit: the tenant as it declares its industry, and its lease."""
    code = clean_text(data.get("ksic"), "ksic", max_length=10, required=True).strip().upper()
    revision = data.get("ksic_revision") or 11
    if revision not in (10, 11) or ksic.lookup(code, revision) is None:
        raise BadInput(f"ksic: '{code}'는 제{revision}차 분류에 없습니다. / unknown KSIC code.", field="ksic")
    company = registry_company(unit.centre.complex, data.get("company"))
    with transaction.atomic():
        tenant = Tenant.objects.create(
            complex=unit.centre.complex,
            name=clean_text(data.get("tenant_name"), "tenant_name", max_length=200, required=True).strip(),
            company=company,
            ksic=code,
            ksic_revision=revision,
            venture=bool(data.get("venture")),
        )
        return start_lease(
            unit,
            tenant,
            use=data.get("use") or "tenant",
            start=data["start"],
            kind=data.get("kind") or "rent",
            monthly_rent_won=data.get("monthly_rent_won"),
        )


# --- campaigns and roundtables -----------------------------------------------------------------------


def save_campaign(complex, data: dict, campaign: Campaign | None = None) -> Campaign:
    campaign = campaign or Campaign(complex=complex)
    for field in ("name", "channel", "cost_won", "start", "end", "tracking_code", "description", "public"):
        if field in data:
            setattr(campaign, field, data[field])
    if campaign.end and campaign.start and campaign.end < campaign.start:
        raise BadInput("종료일이 시작일보다 앞섭니다. / the end is before the start.", field="end")
    clash = Campaign.objects.filter(complex=complex, tracking_code=campaign.tracking_code).exclude(pk=campaign.pk)
    if clash.exists():
        raise BadInput(
            "이미 쓰인 추적 코드입니다. / the tracking code is taken.",
            field="tracking_code",
            status=409,
            code="conflict",
        )
    campaign.save()
    return campaign


def save_roundtable(complex, data: dict, roundtable: Roundtable | None = None) -> Roundtable:
    roundtable = roundtable or Roundtable(complex=complex)
    for field in ("title", "held_on", "place", "attendees", "summary", "campaign", "public"):
        if field in data:
            setattr(roundtable, field, data[field])
    roundtable.save()
    return roundtable


def add_issue(
    roundtable: Roundtable,
    *,
    text: str,
    raised_by: str = "",
    follow_up: str = "",
    due: dt.date | None = None,
    assignee=None,
) -> RoundtableIssue:
    """An issue raised at a roundtable, with its follow-up action when one is named."""
    text = clean_text(text, "text", max_length=500, required=True).strip()
    with transaction.atomic():
        issue = RoundtableIssue.objects.create(
            roundtable=roundtable, text=text, raised_by=clean_text(raised_by, "raised_by", max_length=200)
        )
        if follow_up.strip():
            add_followup(roundtable.complex, title=follow_up, issue=issue, due=due, assignee=assignee)
    return issue


# --- rule data ----------------------------------------------------------------------------------------


def save_rule_version(document: dict, *, version: str, note: str = "", by=None, activate: bool = False) -> RuleVersion:
    """Store an edited rule document as a new version (checked whole first), optionally active."""
    version = clean_text(version, "version", max_length=40, required=True).strip()
    rules = RuleSet.from_document(document)
    if rules.version != version:
        document = {**document, "version": version}
    if RuleVersion.objects.filter(version=version).exists():
        raise BadInput(
            f"버전 '{version}'이 이미 있습니다. / version exists.", field="version", status=409, code="conflict"
        )
    with transaction.atomic():
        stored = RuleVersion.objects.create(
            version=version,
            statute_as_of=str(rules.statute.get("as_of", ""))[:20],
            document=document,
            note=clean_text(note, "note", max_length=300),
            created_by=by if getattr(by, "pk", None) else None,
        )
        if activate:
            activate_rule_version(stored)
    return stored


def activate_rule_version(stored: RuleVersion | None) -> None:
    """Make a stored version the one in force (None: back to the shipped file)."""
    with transaction.atomic():
        for old in RuleVersion.objects.select_for_update().filter(active=True):
            old.active = False
            old.save(update_fields=["active"])
        if stored is not None:
            RuleSet.from_document(stored.document)
            stored.active = True
            stored.save(update_fields=["active"])
