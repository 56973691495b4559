"""Use cases of the surveys app — the only code that changes its data.

Building: ``create_survey`` (from a template), ``save_question``, ``delete_question``,
``set_status``, ``publish_results``. Distribution: ``invite_companies``, ``invitation_token``
/ ``invitation_from_token`` (signed links, no login), ``queue_reminders``. Answers:
``submit_response`` (one per company, editable until the survey closes; anonymous surveys keep
no company), ``import_responses`` (a whole file, all-or-nothing, idempotent by ``ref``).
Needs: ``create_candidate``, ``update_candidate``, ``promote_candidate`` (through plan tracking's
spine action). Resident communication:
``save_communication``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from techvalley.core.models import Complex
from techvalley.core.validation import BadInput, clean_text
from techvalley.registry.models import Company
from techvalley.surveys import questions as q
from techvalley.surveys import tables
from techvalley.surveys.models import (
    Candidate,
    CandidateStatus,
    CommunicationKind,
    CommunicationRecord,
    Invitation,
    Message,
    Question,
    Response,
    ResponseSource,
    Section,
    Survey,
    SurveyStatus,
)
from techvalley.surveys.survey_templates import TEMPLATES

TOKEN_SALT = "techvalley.surveys.invitation"
#: How long an invitation link stays valid (days); the survey's closing ends answering earlier.
LINK_DAYS = getattr(settings, "TECHVALLEY_SURVEY_LINK_DAYS", 180)


class AnswersInvalid(BadInput):
    """Answers that do not fit their questions: ``errors`` maps question codes to messages."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors.items()))
        super().__init__(
            f"응답 {len(errors)}건을 확인해 주세요 — {first[0]}: {first[1]} / {len(errors)} answer(s) need attention.",
            field=first[0],
            status=422,
        )
        self.errors = errors


# --- building -----------------------------------------------------------------------------------


def _slug(value: str) -> str:
    text = clean_text(value, "slug", max_length=80, required=True).strip()
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text):
        raise BadInput("slug: 영문·숫자·-·_만 쓸 수 있습니다. / letters, digits, - and _ only.", field="slug")
    return text


@transaction.atomic
def create_survey(
    cx: Complex,
    slug: str,
    *,
    template: str = "blank",
    title_ko: str = "",
    title_en: str = "",
    anonymous: bool = False,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    simulated: bool = False,
) -> Survey:
    """A new draft survey with the sections and questions of ``template`` (demand, satisfaction, blank)."""
    slug = _slug(slug)
    if template not in TEMPLATES:
        raise BadInput(
            f"template: '{template}' 템플릿이 없습니다 ({', '.join(TEMPLATES)}). / unknown template.", field="template"
        )
    if Survey.objects.filter(complex=cx, slug=slug).exists():
        raise BadInput(f"slug: '{slug}' 설문이 이미 있습니다. / a survey '{slug}' exists.", field="slug", status=409)
    t = TEMPLATES[template]
    if opens_on and closes_on and closes_on < opens_on:
        raise BadInput("closes_on: 마감일이 시작일보다 앞섭니다. / closes before it opens.", field="closes_on")
    survey = Survey.objects.create(
        complex=cx,
        slug=slug,
        title_ko=clean_text(title_ko or t["title_ko"], "title_ko", max_length=200, required=True),
        title_en=clean_text(title_en or t["title_en"], "title_en", max_length=200),
        description_ko=t["description_ko"],
        description_en=t["description_en"],
        template=template,
        anonymous=anonymous,
        opens_on=opens_on,
        closes_on=closes_on,
        simulated=simulated,
    )
    order = 0
    for s_order, sec in enumerate(t["sections"]):
        section = Section.objects.create(
            survey=survey, order=s_order, title_ko=sec["title_ko"], title_en=sec.get("title_en", "")
        )
        for item in sec["questions"]:
            order += 10
            save_question(survey, {**item, "section": section, "order": order})
    return survey


def _editable(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT and survey.responses.exists():
        raise BadInput(
            "응답이 들어온 설문의 문항 구성은 바꿀 수 없습니다 (문구만 고칠 수 있음). "
            "/ the survey has answers: questions can no longer be added, removed or restructured.",
            status=409,
            code="conflict",
        )


def add_section(survey: Survey, title_ko: str, title_en: str = "") -> Section:
    """A new section at the end of the questionnaire."""
    title_ko = clean_text(title_ko, "title_ko", max_length=200, required=True).strip()
    last = survey.sections.order_by("-order").values_list("order", flat=True).first()
    return Section.objects.create(
        survey=survey,
        order=(last if last is not None else -1) + 1,
        title_ko=title_ko,
        title_en=clean_text(title_en, "title_en", max_length=200).strip(),
    )


QUESTION_FIELDS = ("label_ko", "label_en", "help_ko", "help_en")


def save_question(survey: Survey, data: Mapping[str, Any], question: Question | None = None) -> Question:
    """Add a question (or change ``question``). The code must be new in the survey, a condition must
    point at an earlier question. Once answers exist only labels and help texts may change."""
    data = dict(data)
    spec_data = {
        "code": (question.code if question and "code" not in data else str(data.get("code", ""))).strip(),
        "type": question.type if question and "type" not in data else str(data.get("type", "")),
        "required": bool(data.get("required", question.required if question else False)),
        "choices": tuple(data.get("choices", question.choices if question else ()) or ()),
        "rows": tuple(data.get("rows", question.rows if question else ()) or ()),
        "config": dict(data.get("config", question.config if question else {}) or {}),
        "condition": data.get("condition", question.condition if question else None) or None,
    }
    texts = {}
    for f in QUESTION_FIELDS:
        limit = 300
        default = getattr(question, f) if question else ""
        texts[f] = clean_text(data.get(f, default) or "", f, max_length=limit).strip()
    if not texts["label_ko"]:
        raise BadInput("label_ko: 문항 내용(한국어)이 필요합니다. / the Korean label is required.", field="label_ko")
    for kind in ("choices", "rows"):
        for item in spec_data[kind]:
            if not isinstance(item, Mapping) or not str(item.get("value", "")).strip():
                raise BadInput(f"{kind}: 각 항목에 코드(value)가 필요합니다. / every item needs a value.", field=kind)
    spec = q.Spec(label_ko=texts["label_ko"], label_en=texts["label_en"], **spec_data)
    order = int(data.get("order", question.order if question else _next_order(survey)))
    earlier = {
        other.code: other.spec()
        for other in survey.questions.exclude(pk=question.pk if question else None)
        if (other.order, other.pk) < (order, question.pk if question else 10**12)
    }
    try:
        q.check_spec(spec, earlier)
    except q.SpecError as exc:
        raise BadInput(str(exc), field="code") from None
    if question is not None and survey.responses.exists():
        structural = [
            k
            for k in spec_data
            if getattr(question, k) != (list(spec_data[k]) if k in ("choices", "rows") else spec_data[k])
        ]
        if structural:
            raise BadInput(
                f"응답이 있어 {', '.join(structural)}을(를) 바꿀 수 없습니다. "
                f"/ answers exist: {', '.join(structural)} cannot change.",
                status=409,
                code="conflict",
            )
    elif question is None:
        _editable(survey)
    if survey.questions.filter(code=spec.code).exclude(pk=question.pk if question else None).exists():
        raise BadInput(f"code: '{spec.code}' 문항이 이미 있습니다. / code in use.", field="code", status=409)
    section = data.get("section", question.section if question else survey.sections.order_by("order", "id").first())
    values = {
        **texts,
        "code": spec.code,
        "type": spec.type,
        "required": spec.required,
        "choices": list(spec.choices),
        "rows": list(spec.rows),
        "config": spec.config,
        "condition": dict(spec.condition) if spec.condition else None,
        "section": section,
        "order": order,
    }
    if question is None:
        return Question.objects.create(survey=survey, **values)
    for k, v in values.items():
        setattr(question, k, v)
    question.save()
    return question


def _next_order(survey: Survey) -> int:
    last = survey.questions.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 10


def delete_question(question: Question) -> None:
    _editable(question.survey)
    dependent = [
        o.code for o in question.survey.questions.all() if (o.condition or {}).get("question") == question.code
    ]
    if dependent:
        raise BadInput(
            f"{', '.join(dependent)} 문항의 표시 조건이 이 문항을 가리킵니다. "
            f"/ questions {', '.join(dependent)} depend on it.",
            status=409,
            code="conflict",
        )
    question.delete()


def set_status(survey: Survey, status: str) -> Survey:
    if status not in SurveyStatus.values:
        raise BadInput(f"status: '{status}'", field="status")
    if status == SurveyStatus.OPEN and not survey.questions.exists():
        raise BadInput("문항이 없는 설문은 열 수 없습니다. / a survey without questions cannot open.", field="status")
    survey.status = status
    survey.save(update_fields=["status", "updated_at"])
    return survey


def update_survey(survey: Survey, data: Mapping[str, Any]) -> Survey:
    """Change a survey's titles, introductions, period and (while nobody has answered) anonymity."""
    for f, limit in (("title_ko", 200), ("title_en", 200), ("description_ko", 5000), ("description_en", 5000)):
        if f in data:
            setattr(survey, f, clean_text(data[f] or "", f, max_length=limit, required=f == "title_ko").strip())
    for f in ("opens_on", "closes_on"):
        if f in data:
            setattr(survey, f, data[f] or None)
    if survey.opens_on and survey.closes_on and survey.closes_on < survey.opens_on:
        raise BadInput("closes_on: 마감일이 시작일보다 앞섭니다. / closes before it opens.", field="closes_on")
    if "anonymous" in data and bool(data["anonymous"]) != survey.anonymous:
        if survey.responses.exists() or survey.invitations.filter(answered_at__isnull=False).exists():
            raise BadInput(
                "응답이 들어온 뒤에는 익명 여부를 바꿀 수 없습니다. / anonymity cannot change once answers exist.",
                field="anonymous",
                status=409,
                code="conflict",
            )
        survey.anonymous = bool(data["anonymous"])
    survey.save()
    return survey


def publish_results(survey: Survey, published: bool = True) -> Survey:
    survey.results_published = published
    survey.save(update_fields=["results_published", "updated_at"])
    return survey


# --- distribution -------------------------------------------------------------------------------


def invite_companies(survey: Survey, companies=None) -> int:
    """Invite the given companies (default: every company in the complex's registry); returns how
    many new invitations there are. Inviting twice changes nothing."""
    qs = companies if companies is not None else Company.objects.filter(complex=survey.complex, in_registry=True)
    have = set(survey.invitations.values_list("company_id", flat=True))
    emails = {}
    from techvalley.registry.models import Contact

    for company_id, email in (
        Contact.objects.filter(company__in=qs).exclude(email="").values_list("company_id", "email")
    ):
        emails.setdefault(company_id, email)
    new = [
        Invitation(
            survey=survey, complex=survey.complex, company_id=c, nonce=secrets.token_hex(8), email=emails.get(c, "")
        )
        for c in qs.values_list("id", flat=True)
        if c not in have
    ]
    Invitation.objects.bulk_create(new, batch_size=1000)
    return len(new)


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=TOKEN_SALT, compress=False)


class LinkError(BadInput):
    pass


def invitation_from_token(token: str, max_age_days: int | None = None) -> Invitation:
    """The invitation a link is for; refuses forged, revoked and expired links (status 403/410)."""
    days = LINK_DAYS if max_age_days is None else max_age_days
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=dt.timedelta(days=days))
    except signing.SignatureExpired:
        raise LinkError(
            "링크의 유효기간이 지났습니다. 담당자에게 새 링크를 요청하세요. / this link has expired.",
            code="expired",
            status=410,
        ) from None
    except signing.BadSignature:
        raise LinkError("올바르지 않은 링크입니다. / not a valid link.", code="bad_link", status=403) from None
    inv = (
        Invitation.objects.select_related("survey", "company", "survey__complex")
        .filter(pk=data.get("i"), nonce=data.get("n"))
        .first()
    )
    if inv is None:
        raise LinkError("더 이상 쓸 수 없는 링크입니다. / this link was revoked.", code="revoked", status=403)
    return inv


def revoke_link(invitation: Invitation) -> Invitation:
    invitation.nonce = secrets.token_hex(8)
    invitation.save(update_fields=["nonce"])
    return invitation


def queue_reminders(survey: Survey, base_url: str, *, only_unanswered: bool = True, kind: str = "reminder") -> int:
    """Put an e-mail with its link in the outbox for each invited company that has not answered."""
    from django.urls import reverse

    now = timezone.now()
    qs = survey.invitations.select_related("company")
    if only_unanswered:
        qs = qs.filter(answered_at__isnull=True)
    messages = []
    for inv in qs:
        link = base_url.rstrip("/") + reverse("surveys:respond", args=[invitation_token(inv)])
        deadline = f" (마감 {survey.closes_on:%Y-%m-%d})" if survey.closes_on else ""
        messages.append(
            Message(
                complex=survey.complex,
                invitation=inv,
                kind=kind,
                to=inv.email,
                subject=f"[사하구] {survey.title_ko}{deadline}",
                body=f"{inv.company.name} 담당자님,\n\n{survey.title_ko}에 응답해 주세요{deadline}.\n{link}\n\n"
                "로그인 없이 이 링크로 응답하고, 마감 전까지 고칠 수 있습니다.",
            )
        )
        if kind == "reminder":
            inv.reminders += 1
            inv.reminded_at = now
        else:
            inv.sent_at = inv.sent_at or now
    with transaction.atomic():
        Message.objects.bulk_create(messages)
        fields = ["reminders", "reminded_at"] if kind == "reminder" else ["sent_at"]
        Invitation.objects.bulk_update([m.invitation for m in messages], fields)
    return len(messages)


def send_queued_messages(cx: Complex | None = None, limit: int = 500) -> dict:
    """Send the outbox's waiting e-mails with Django's mail settings (EMAIL_*); a failure is kept on
    the message (and tried again next time), never lost. Messages without an address are skipped."""
    from django.core.mail import send_mail

    qs = Message.objects.filter(sent_at__isnull=True).exclude(to="").order_by("queued_at", "id")
    if cx is not None:
        qs = qs.filter(complex=cx)
    sent = failed = 0
    for message in qs[:limit]:
        try:
            send_mail(message.subject, message.body, None, [message.to])
        except Exception as exc:  # SMTP and socket errors of every kind: keep the reason, go on
            message.error = f"{type(exc).__name__}: {exc}"[:300]
            message.save(update_fields=["error"])
            failed += 1
            continue
        message.sent_at = timezone.now()
        message.error = ""
        message.save(update_fields=["sent_at", "error"])
        sent += 1
    waiting = Message.objects.filter(sent_at__isnull=True).exclude(to="")
    if cx is not None:
        waiting = waiting.filter(complex=cx)
    return {"sent": sent, "failed": failed, "waiting": waiting.count()}


# --- answers ------------------------------------------------------------------------------------


def segment_of(company: Company | None) -> dict:
    """What cross-tabs group by: KSIC division, size class, technology level, 법정동."""
    if company is None:
        return {}
    return {
        "division": (company.ksic_code or "")[:2] or "unknown",
        "size_class": company.size_class or "unknown",
        "tech_intensity": company.tech_intensity or "unknown",
        "legal_dong": company.legal_dong or "unknown",
    }


def specs_of(survey: Survey) -> list[q.Spec]:
    return [x.spec() for x in survey.questions.all()]


def closed_error() -> BadInput:
    return BadInput(
        "설문이 마감되어 응답하거나 고칠 수 없습니다. "
        "/ the survey is closed: answers can no longer be given or changed.",
        code="closed",
        status=409,
    )


def submit_response(invitation: Invitation, raw: Mapping[str, Any], *, source: str = ResponseSource.WEB) -> Response:
    """Store (or change) the invited company's answers. Validated whole: ``AnswersInvalid`` lists
    every answer that does not fit. Open surveys only; one response per company; in an anonymous
    survey the response keeps no company and cannot be changed once sent."""
    survey = invitation.survey
    if not survey.accepting:
        raise closed_error()
    answers, errors = q.clean_answers(specs_of(survey), raw)
    if errors:
        raise AnswersInvalid(errors)
    with transaction.atomic():
        if survey.anonymous:
            won = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
                answered_at=anonymous_day()
            )
            if not won:
                raise BadInput(
                    "이미 응답했습니다. 익명 설문의 응답은 누구의 것인지 남기지 않으므로 고칠 수 없습니다. "
                    "/ already answered: anonymous answers keep no link to you, so they cannot be changed.",
                    code="conflict",
                    status=409,
                )
            return store_anonymous(survey, [(answers, segment_of(invitation.company), "", source)])[0]
        response = Response.objects.select_for_update().filter(survey=survey, company=invitation.company).first()
        segment = segment_of(invitation.company)
        if response is None:
            try:
                with transaction.atomic():  # two first answers at once: the constraint keeps one …
                    response = Response.objects.create(
                        survey=survey,
                        complex=survey.complex,
                        company=invitation.company,
                        source=source,
                        answers=answers,
                        segment=segment,
                    )
            except IntegrityError:  # … and the later one becomes a change of it
                response = Response.objects.select_for_update().get(survey=survey, company=invitation.company)
        if response.answers != answers or response.segment != segment:
            response.answers = answers
            response.segment = segment
            response.save()
        Invitation.objects.filter(pk=invitation.pk).update(answered_at=timezone.now())
    return response


#: Who the audit trail names for an anonymous response: nobody (see ``store_anonymous``).
ANONYMOUS_ACTOR = "익명 응답자 / anonymous respondent"
ANONYMOUS_RECEIVED = "익명 응답 접수 / anonymous response received"
ANONYMOUS_CHANGED = "익명 응답 변경(가져오기) / anonymous response changed by an import"


def anonymous_day() -> dt.datetime:
    """The time kept for anything an anonymous answer leaves behind: the start of the day (site time),
    so that when a company answered cannot be matched to a response or an audit entry by the minute."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))


def _anonymous_entry(survey: Survey, action: str, text: str):
    """An audit entry that says an anonymous response came in (or changed) and nothing else: no actor,
    no answers, no segment, no record id (a response's id would lead to its answers)."""
    from techvalley.core import audit

    record = audit.entry(survey, action, {})
    record.actor = None
    record.actor_label = ANONYMOUS_ACTOR
    record.model = Response._meta.label
    record.object_id = ""
    record.object_repr = f"{text} — {survey.title_ko}"[:300]
    record.complex_id = survey.complex_id
    return record


def store_anonymous(survey: Survey, rows: list[tuple[dict, dict, str, str]]) -> list[Response]:
    """Store anonymous responses (``(answers, segment, ref, source)`` each) so that nothing links them
    back to whoever answered (docs/surveys.md, "Links, anonymity"):

    - written in bulk, past the model's audit signals, which would record the signed-in company
      member as the actor and the answers and segment as values; instead one entry per response
      says "anonymous response received", with no actor, no values and no record id;
    - their ``submitted_at``/``updated_at`` kept to the day (as the invitation's ``answered_at``),
      so the minute an invited company answered does not point at its response.
    """
    from techvalley.core import audit

    if not rows:
        return []
    made = Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                complex=survey.complex,
                company=None,
                ref=ref,
                source=source,
                answers=answers,
                segment=segment,
            )
            for answers, segment, ref, source in rows
        ],
        batch_size=1000,
    )
    day = anonymous_day()
    Response.objects.filter(pk__in=[r.pk for r in made]).update(submitted_at=day, updated_at=day)
    for r in made:
        r.submitted_at = r.updated_at = day
    audit.record_bulk([_anonymous_entry(survey, "create", ANONYMOUS_RECEIVED) for _ in made])
    return made


def invitation_for(survey: Survey, company: Company) -> Invitation:
    """The company's invitation (made now when an officer or the company's own member asks)."""
    inv = survey.invitations.filter(company=company).first()
    if inv is None and survey.anonymous:
        # Not through the audit signals (as ``invite_companies``): an entry "company X's invitation,
        # made by its member at 14:00" next to "anonymous response received at 14:02" would say who
        # gave that response.
        Invitation.objects.bulk_create(
            [Invitation(survey=survey, complex=survey.complex, company=company, nonce=secrets.token_hex(8))],
            ignore_conflicts=True,
        )
        inv = survey.invitations.get(company=company)
    elif inv is None:
        try:
            with transaction.atomic():
                inv = Invitation.objects.create(
                    survey=survey, complex=survey.complex, company=company, nonce=secrets.token_hex(8)
                )
        except IntegrityError:
            inv = survey.invitations.get(company=company)
    return inv


# --- import -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "dry_run": self.dry_run,
        }


MAX_ERRORS = 50


def _column_map(specs: list[q.Spec], header: list[str], what: str) -> tuple[dict[str, Any], list[dict]]:
    """Which columns feed which question. A matrix takes ``code.row`` (or ``code[row]``) columns or
    one ``code`` column of ``row=choice;…``."""
    by_code = {s.code: s for s in specs}
    mapping: dict[int, tuple[str, str | None]] = {}
    errors = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        col = name.strip()
        if not col:
            continue
        key = col.casefold()
        if key in seen:
            errors.append({"line": 1, "column": col, "message": f"열 이름이 두 번 나옵니다 / column repeated: {col}"})
            continue
        seen[key] = i
        if key in ("company", "ref"):
            mapping[i] = (key, None)
            continue
        if key == "submitted":  # written by exports, for reading: not an answer
            continue
        base, row = col, None
        if "[" in col and col.endswith("]"):
            base, row = col[:-1].split("[", 1)
        elif col not in by_code and "." in col:
            base, row = col.split(".", 1)
        spec = by_code.get(base)
        if spec is None:
            errors.append(
                {
                    "line": 1,
                    "column": col,
                    "message": f"설문에 없는 문항 코드입니다 / not a question code of this survey: {col}",
                }
            )
            continue
        if row is not None and (spec.type != q.MATRIX or row not in spec.row_values):
            errors.append(
                {"line": 1, "column": col, "message": f"'{base}'에 '{row}' 행이 없습니다 / no row '{row}' in '{base}'"}
            )
            continue
        if spec.type == q.FILE:
            errors.append(
                {
                    "line": 1,
                    "column": col,
                    "message": "파일 문항은 가져올 수 없습니다 / file questions cannot be imported",
                }
            )
            continue
        mapping[i] = (base, row)
    if not any(v[0] not in ("company", "ref") for v in mapping.values()) and not errors:
        errors.append(
            {"line": 1, "column": "", "message": f"{what}: 문항 코드 열이 없습니다 / no question-code column"}
        )
    return mapping, errors


def _company_index(cx: Complex) -> tuple[dict[str, Company], dict[str, list[Company]]]:
    from techvalley.registry.parsers import company_key

    by_brn, by_name = {}, {}
    for c in Company.objects.filter(complex=cx).only(
        "id", "name", "brn", "ksic_code", "size_class", "tech_intensity", "legal_dong", "complex_id"
    ):
        if c.brn:
            by_brn[c.brn] = c
        by_name.setdefault(company_key(c.name), []).append(c)
    return by_brn, by_name


def _find_company(text: str, by_brn, by_name) -> Company:
    from techvalley.registry.parsers import company_key

    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 10 and len(digits) >= len(text.replace("-", "").replace(" ", "")):
        found = by_brn.get(digits)
        if found is None:
            raise ValueError(f"사업자등록번호 {text}인 기업이 없습니다 / no company with registration number {text}")
        return found
    found = by_name.get(company_key(text), [])
    if not found:
        raise ValueError(f"'{text[:60]}' 기업을 찾을 수 없습니다 / no company named '{text[:60]}'")
    if len(found) > 1:
        raise ValueError(
            f"'{text[:60]}' 이름의 기업이 {len(found)}곳입니다: 사업자등록번호를 쓰세요 "
            f"/ {len(found)} companies share this name: use the registration number"
        )
    return found[0]


def import_responses(
    survey: Survey, data: bytes, filename: str, *, dry_run: bool = False, source: str = ResponseSource.IMPORT
) -> ImportResult:
    """Responses collected elsewhere (paper, phone, another tool) from CSV (UTF-8 or CP949) or Excel.

    The header holds question codes, plus optional ``company`` (registration number or name) and
    ``ref`` (kept as the response's external reference). The whole file is validated first;
    any error (with its line and column) and nothing is written. A row with a known ``ref``
    updates that response, a row of a company that answered updates the company's response;
    importing the same file again changes nothing. Anonymous surveys store no company."""
    header, body = tables.read(data, filename)
    specs = specs_of(survey)
    by_spec = {s.code: s for s in specs}
    mapping, errors = _column_map(specs, header, filename)
    result = ImportResult(rows=len(body), dry_run=dry_run)
    if errors:
        result.errors = errors
        return result
    by_brn, by_name = _company_index(survey.complex)
    ref_col = next((i for i, (k, _) in mapping.items() if k == "ref"), None)
    company_col = next((i for i, (k, _) in mapping.items() if k == "company"), None)
    # A response without an external reference is known by "#id" (as exports write it).
    existing_by_ref = {r.ref or f"#{r.pk}": r for r in survey.responses.all()}
    existing_by_company = {r.company_id: r for r in survey.responses.filter(company__isnull=False)}
    answered_invites = set(survey.invitations.filter(answered_at__isnull=False).values_list("company_id", flat=True))
    plan = []
    refs_seen: dict[str, int] = {}
    companies_seen: dict[int, int] = {}

    def err(line, column, message):
        if len(errors) < MAX_ERRORS:
            errors.append({"line": line, "column": column, "message": message})

    for line, cells in body:
        cells = cells + [""] * (len(header) - len(cells))
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            err(line, "", "머리글보다 칸이 많습니다 / more cells than header columns")
            continue
        raw: dict[str, Any] = {}
        row_ok = True
        for i, (code, row) in mapping.items():
            value = cells[i].strip()
            if "\x00" in value:
                err(line, header[i], "NUL 문자 / NUL byte")
                row_ok = False
                continue
            if code in ("company", "ref") or not value:
                continue
            if row is not None:
                raw.setdefault(code, {})[row] = value
            else:
                raw[code] = value
        ref = cells[ref_col].strip() if ref_col is not None else ""
        if len(ref) > 100:
            err(line, "ref", "ref는 100자 이하 / ref at most 100 characters")
            row_ok = False
        company = None
        if company_col is not None and cells[company_col].strip():
            try:
                company = _find_company(cells[company_col].strip(), by_brn, by_name)
            except ValueError as exc:
                err(line, "company", str(exc))
                row_ok = False
        if ref.startswith("#") and ref not in existing_by_ref:
            err(line, "ref", f"이 설문에 없는 응답 번호입니다 / no response {ref} in this survey")
            row_ok = False
        if ref:
            if ref in refs_seen:
                err(line, "ref", f"{refs_seen[ref]}행과 같은 ref입니다 / same ref as line {refs_seen[ref]}")
                row_ok = False
            refs_seen[ref] = line
        if company is not None:
            if company.pk in companies_seen:
                err(
                    line,
                    "company",
                    f"{companies_seen[company.pk]}행과 같은 기업입니다 "
                    f"/ same company as line {companies_seen[company.pk]}",
                )
                row_ok = False
            companies_seen[company.pk] = line
        answers, problems = q.clean_answers(specs, raw)
        for code, message in problems.items():
            column = code
            err(line, column, message)
            row_ok = False
        for code in raw:
            if code not in answers and code not in problems and code in by_spec:
                err(
                    line,
                    code,
                    "표시 조건에 맞지 않아 답할 수 없는 문항입니다 "
                    "/ answered, but the question is hidden by its condition",
                )
                row_ok = False
        if not row_ok:
            continue
        target = existing_by_ref.get(ref) if ref else None
        if target is not None and company is not None and target.company_id not in (None, company.pk):
            err(
                line, "company", f"ref {ref}는 다른 기업의 응답입니다 / ref {ref} belongs to another company's response"
            )
            continue
        if target is None and company is not None and not survey.anonymous:
            target = existing_by_company.get(company.pk)
            if target is not None and target.ref and ref and target.ref != ref:
                err(
                    line,
                    "company",
                    f"이 기업은 이미 응답했습니다 (ref {target.ref}) "
                    f"/ this company already answered (ref {target.ref})",
                )
                continue
        if target is None and company is not None and survey.anonymous and company.pk in answered_invites:
            err(line, "company", "이 기업은 이미 응답했습니다 (익명) / this company already answered (anonymous)")
            continue
        plan.append((target, company, ref, answers))
    if errors:
        result.errors = errors
        return result
    anonymous_rows: list[tuple[dict, dict, str, str]] = []
    anonymous_entries: list = []
    with transaction.atomic():
        now = timezone.now()
        for target, company, ref, answers in plan:
            segment = segment_of(company) if company is not None else (target.segment if target else {})
            if target is not None:
                same_ref = not ref or ref.startswith("#") or target.ref == ref
                if target.answers == answers and same_ref and (company is None or target.segment == segment):
                    result.unchanged += 1
                    continue
                target.answers = answers
                if ref and not ref.startswith("#"):
                    target.ref = ref
                if company is not None:
                    target.segment = segment
                if not dry_run and survey.anonymous:
                    # past the audit signals, as ``store_anonymous``: no values, no record id (the time
                    # is the officer's import, not a company's answer: kept, and it renews the analysis)
                    Response.objects.filter(pk=target.pk).update(
                        answers=target.answers, ref=target.ref, segment=target.segment, updated_at=now
                    )
                    anonymous_entries.append(_anonymous_entry(survey, "update", ANONYMOUS_CHANGED))
                elif not dry_run:
                    target.save()
                result.updated += 1
                continue
            result.created += 1
            if dry_run:
                continue
            if survey.anonymous:
                anonymous_rows.append((answers, segment, ref, source))
            else:
                Response.objects.create(
                    survey=survey,
                    complex=survey.complex,
                    company=company,
                    ref=ref,
                    source=source,
                    answers=answers,
                    segment=segment,
                )
            if company is not None:
                inv = invitation_for(survey, company)
                Invitation.objects.filter(pk=inv.pk).update(answered_at=anonymous_day() if survey.anonymous else now)
        if anonymous_rows:
            store_anonymous(survey, anonymous_rows)
        if anonymous_entries:
            from techvalley.core import audit

            audit.record_bulk(anonymous_entries)
        if dry_run:
            transaction.set_rollback(True)
    return result


# --- needs → projects --------------------------------------------------------------------------


def _money(value: Any, name: str) -> int:
    from techvalley.core.validation import int_param

    return int_param(value, name, default=0, lo=0, hi=10**12)


@transaction.atomic
def create_candidate(
    cx: Complex,
    title: str,
    *,
    survey: Survey | None = None,
    description: str = "",
    question_code: str = "",
    keywords: list[str] | None = None,
    response_ids: list[int] | None = None,
    estimated_companies: int | None = None,
    estimated_cost_million_krw: Any = 0,
) -> Candidate:
    """A candidate project from a theme: the answers that support it; the estimated demand is the
    number of distinct companies (or anonymous responses) behind it unless given."""
    title = clean_text(title, "title", max_length=200, required=True).strip()
    responses = list(Response.objects.filter(pk__in=response_ids or [], complex=cx))
    if survey is not None and survey.complex_id != cx.pk:
        raise BadInput("survey: 다른 산업단지의 설문입니다. / survey of another complex.", field="survey")
    demand = estimated_companies
    if demand is None:
        demand = len({r.company_id or f"r{r.pk}" for r in responses})
    candidate = Candidate.objects.create(
        complex=cx,
        survey=survey,
        title=title,
        description=clean_text(description, "description", max_length=5000),
        question_code=clean_text(question_code, "question_code", max_length=40),
        keywords=[clean_text(k, "keywords", max_length=60) for k in (keywords or [])][:20],
        estimated_companies=_money(demand, "estimated_companies"),
        estimated_cost_million_krw=_money(estimated_cost_million_krw, "estimated_cost_million_krw"),
    )
    candidate.responses.set(responses)
    return candidate


def update_candidate(candidate: Candidate, data: Mapping[str, Any]) -> Candidate:
    if "title" in data:
        candidate.title = clean_text(data["title"], "title", max_length=200, required=True).strip()
    if "description" in data:
        candidate.description = clean_text(data["description"], "description", max_length=5000)
    if "estimated_companies" in data:
        candidate.estimated_companies = _money(data["estimated_companies"], "estimated_companies")
    if "estimated_cost_million_krw" in data:
        candidate.estimated_cost_million_krw = _money(data["estimated_cost_million_krw"], "estimated_cost_million_krw")
    if "status" in data:
        if data["status"] not in CandidateStatus.values:
            raise BadInput(f"status: '{data['status']}'", field="status")
        stored = Candidate.objects.filter(pk=candidate.pk).values_list("status", flat=True).first()
        if data["status"] != stored and CandidateStatus.PROMOTED in (data["status"], stored):
            raise BadInput(
                "'세부사업으로 승격' 상태는 승격으로만 정해지고, 승격된 후보는 되돌릴 수 없습니다 (세부사업과 연결되어 "
                "있습니다). / 'Promoted' is set by promoting, and a promoted candidate stays promoted (it is linked to "
                "its sub-project).",
                field="status",
            )
        candidate.status = data["status"]
    candidate.save()
    return candidate


#: The action plan tracking offers for making a sub-project (``projects.subproject``).
PROMOTE_ACTION = "projects.subproject"


def promote_candidate(
    viewer,
    candidate: Candidate,
    *,
    parent: Any,
    title: str = "",
    description: str = "",
    budget_million_krw: Any = None,
):
    """Make the candidate a plan sub-project under the plan heading ``parent`` (a pledge or a
    sub-project id): plan tracking creates it (the spine action ``projects.subproject``; this app
    never imports plan tracking), then both records are linked with core record links (so the
    candidate's page and the sub-project's card show each other) and the candidate is marked
    promoted — all in one transaction. Returns the sub-project.

    A candidate is promoted once: a second time is ``BadInput`` 409 ("conflict"). No plan
    tracking installed, or a viewer who may not ask: ``PermissionDenied``.
    """
    from django.core.exceptions import PermissionDenied

    from techvalley.core import links, spine

    action = spine.platform.action_for(PROMOTE_ACTION, viewer)
    if action is None or not viewer.is_officer_of(candidate.complex_id):
        raise PermissionDenied(
            "세부사업으로 승격할 수 없습니다: 이 산업단지의 구청 담당자만, 계획 관리 모듈이 있을 때 할 수 있습니다. / "
            "Only the complex's district officers can promote, with plan tracking installed."
        )
    title = clean_text(title, "title", max_length=300).strip() or candidate.title
    description = clean_text(description, "description", max_length=5000)
    budget = None
    if budget_million_krw not in (None, ""):
        budget = _money(budget_million_krw, "budget_million_krw") * 1_000_000
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status == CandidateStatus.PROMOTED:
            raise BadInput(
                "이 후보사업은 이미 세부사업으로 승격되었습니다. 연결된 세부사업을 보세요. / "
                "This candidate was already promoted to a sub-project: see the linked sub-project.",
                code="conflict",
                status=409,
            )
        sub = action.run(
            viewer,
            locked.complex,
            parent=parent,
            title=title,
            description=description,
            budget_krw=budget,
            reason=f"수요조사 후보사업에서 승격 / promoted from candidate: {locked.title}"[:300],
        )
        note = "후보사업에서 승격 / promoted from the candidate"
        links.link_record(viewer, locked, "projects.project", sub.pk, note=note)
        links.link_record(viewer, sub, "surveys.candidate", locked.pk, note=note)
        locked.status = CandidateStatus.PROMOTED
        locked.save(update_fields=["status", "updated_at"])
    candidate.status = locked.status
    return sub


def mark_promoted(candidate: Candidate) -> Candidate:
    """Called once the projects app made a sub-project of the candidate (and linked it back)."""
    candidate.status = CandidateStatus.PROMOTED
    candidate.save(update_fields=["status", "updated_at"])
    return candidate


# --- resident communication --------------------------------------------------------------------


def save_communication(cx: Complex, data: Mapping[str, Any], record: CommunicationRecord | None = None):
    """Record (or change) a briefing, report meeting, survey, consultation, press item or contact."""
    from techvalley.core.validation import int_param

    kind = data.get("kind", record.kind if record else "")
    if kind not in CommunicationKind.values:
        raise BadInput(f"kind: '{kind}' ({', '.join(CommunicationKind.values)})", field="kind")
    held_on = data.get("held_on", record.held_on if record else None)
    if isinstance(held_on, str):
        try:
            held_on = dt.date.fromisoformat(held_on.strip())
        except ValueError:
            raise BadInput(
                "held_on: 날짜는 YYYY-MM-DD로 적어 주세요. / a date as YYYY-MM-DD.", field="held_on"
            ) from None
    if not isinstance(held_on, dt.date) or not 1900 <= held_on.year <= 2100:
        raise BadInput("held_on: 날짜가 필요합니다. / a date is required.", field="held_on")
    values = {
        "kind": kind,
        "held_on": held_on,
        "title": clean_text(data.get("title", record.title if record else ""), "title", max_length=200, required=True),
        "place": clean_text(data.get("place", record.place if record else ""), "place", max_length=200),
        "attendees": int_param(
            data.get("attendees", record.attendees if record else None), "attendees", default=None, lo=0, hi=1_000_000
        ),
        "attendees_note": clean_text(
            data.get("attendees_note", record.attendees_note if record else ""), "attendees_note", max_length=300
        ),
        "materials": clean_text(
            data.get("materials", record.materials if record else ""), "materials", max_length=5000
        ),
        "note": clean_text(data.get("note", record.note if record else ""), "note", max_length=5000),
        "public": bool(data.get("public", record.public if record else True)),
    }
    survey = data.get("survey", record.survey if record else None)
    if survey is not None and survey.complex_id != cx.pk:
        raise BadInput("survey: 다른 산업단지의 설문입니다. / survey of another complex.", field="survey")
    values["survey"] = survey
    if record is None:
        return CommunicationRecord.objects.create(complex=cx, simulated=bool(data.get("simulated")), **values)
    for k, v in values.items():
        setattr(record, k, v)
    record.save()
    return record


def delete_communication(record: CommunicationRecord) -> None:
    record.delete()
