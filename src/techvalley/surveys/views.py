"""Survey pages: the officers' builder, tracking, results, import and export; the answer form a
company opens from its link (no login, usable on a phone); the company's own surveys; the
published results; the candidate board and the resident communication records.

Reads through ``surveys.selectors`` (scoped to the viewer), writes through ``surveys.services``;
who may do what is ``surveys.permissions``.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from techvalley.core.views import current_complex, render_page
from techvalley.registry import labels as registry_labels
from techvalley.surveys import analysis, charts, exports, forms, permissions, selectors, services
from techvalley.surveys import questions as q
from techvalley.surveys.models import (
    CandidateStatus,
    CommunicationKind,
    Question,
    Response,
    Survey,
    SurveyStatus,
)


def _lang() -> str:
    return "en" if (get_language() or "ko").startswith("en") else "ko"


def _officer(request, cx):
    viewer = viewer_for(request.user)
    if not permissions.can_manage_surveys(viewer, cx):
        raise PermissionDenied(selectors.OFFICERS_ONLY)
    return viewer


# --- lists --------------------------------------------------------------------------------------


def index(request):
    """Officers: the complex's surveys with response rates. Company users: theirs to answer."""
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    if permissions.can_manage_surveys(viewer, cx):
        surveys = list(selectors.surveys_of(viewer, cx))
        for s in surveys:
            s.rate = round(100 * s.n_answered / s.n_invited) if s.n_invited else None
        return render_page(request, "surveys/index.html", {"complex": cx, "surveys": surveys})
    if not permissions.own_companies(viewer, cx).exists():
        raise PermissionDenied(_("Surveys are answered by the complex's companies and run by district officers."))
    context = {
        "complex": cx,
        "to_answer": selectors.to_answer(viewer, cx),
        "responses": selectors.own_responses(viewer, cx).order_by("-submitted_at"),
        "published": Survey.objects.filter(complex=cx, results_published=True),
    }
    return render_page(request, "surveys/mine.html", context)


def survey_new(request):
    cx = current_complex(request)
    _officer(request, cx)
    form = forms.SurveyForm(request.POST or None, initial={"template": "demand"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        survey = services.create_survey(
            cx,
            d["slug"],
            template=d["template"],
            title_ko=d["title_ko"],
            title_en=d["title_en"],
            anonymous=d["anonymous"],
            opens_on=d["opens_on"],
            closes_on=d["closes_on"],
        )
        messages.success(request, _("Survey created as a draft. Check the questions, then open it."))
        return redirect("surveys:survey_detail", pk=survey.pk)
    return render_page(request, "surveys/survey_new.html", {"complex": cx, "form": form})


# --- the builder --------------------------------------------------------------------------------


def survey_detail(request, pk: int):
    viewer = viewer_for(request.user)
    survey = selectors.managed_survey(viewer, pk)
    sections = list(survey.sections.all())
    qs = list(survey.questions.all())
    by_section = [(s, [x for x in qs if x.section_id == s.pk]) for s in sections]
    loose = [x for x in qs if x.section_id is None]
    if loose:
        by_section.append((None, loose))
    track = selectors.tracking(viewer, survey)
    context = {
        "survey": survey,
        "by_section": by_section,
        "n_questions": len(qs),
        "track": track,
        "has_answers": track["responses"] > 0,
        "statuses": SurveyStatus,
        "lang": _lang(),
    }
    return render_page(request, "surveys/survey_detail.html", context)


def survey_edit(request, pk: int):
    survey = selectors.managed_survey(viewer_for(request.user), pk)
    fields = forms.SurveySettingsForm.base_fields
    form = forms.SurveySettingsForm(request.POST or None, initial={f: getattr(survey, f) for f in fields})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.update_survey(survey, form.cleaned_data)
        except BadInput as exc:
            error = exc.message
        else:
            messages.success(request, _("Survey saved."))
            return redirect("surveys:survey_detail", pk=survey.pk)
    return render_page(request, "surveys/survey_edit.html", {"survey": survey, "form": form, "error": error})


@require_POST
def survey_status(request, pk: int):
    viewer = viewer_for(request.user)
    survey = selectors.managed_survey(viewer, pk)
    status = request.POST.get("status", "")
    services.set_status(survey, status)
    messages.success(request, _("Status changed: %(status)s") % {"status": survey.get_status_display()})
    return redirect("surveys:survey_detail", pk=survey.pk)


@require_POST
def section_new(request, pk: int):
    survey = selectors.managed_survey(viewer_for(request.user), pk)
    services.add_section(survey, request.POST.get("title_ko", ""), request.POST.get("title_en", ""))
    messages.success(request, _("Section added."))
    return redirect(reverse("surveys:survey_detail", args=[survey.pk]) + "#questions")


def question_new(request, pk: int):
    viewer = viewer_for(request.user)
    survey = selectors.managed_survey(viewer, pk)
    return _question_form(request, survey, None)


def question_edit(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    selectors.managed_survey(viewer_for(request.user), question.survey_id)
    return _question_form(request, question.survey, question)


def _question_form(request, survey: Survey, question: Question | None):
    sections = list(survey.sections.all())
    initial = forms.QuestionForm.initial_for(question) if question else {"type": q.SINGLE}
    form = forms.QuestionForm(request.POST or None, initial=initial, sections=sections)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        section_id = form.cleaned_data.get("section")
        data["section"] = next((s for s in sections if s.pk == section_id), sections[0] if sections else None)
        try:
            services.save_question(survey, data, question)
        except BadInput as exc:
            error = exc.message
        else:
            messages.success(request, _("Question saved."))
            return redirect(reverse("surveys:survey_detail", args=[survey.pk]) + "#questions")
    context = {"survey": survey, "question": question, "form": form, "error": error}
    return render_page(request, "surveys/question_form.html", context)


@require_POST
def question_delete(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    survey = selectors.managed_survey(viewer_for(request.user), question.survey_id)
    services.delete_question(question)
    messages.success(request, _("Question deleted."))
    return redirect("surveys:survey_detail", pk=survey.pk)


# --- distribution and tracking ------------------------------------------------------------------


def tracking(request, pk: int):
    viewer = viewer_for(request.user)
    survey = selectors.managed_survey(viewer, pk)
    track = selectors.tracking(viewer, survey)
    responses = dict(survey.responses.filter(company__isnull=False).values_list("company_id", "id"))
    for inv in track["invitations"]:
        inv.link = request.build_absolute_uri(reverse("surveys:respond", args=[services.invitation_token(inv)]))
        inv.response_id = responses.get(inv.company_id)
    return render_page(request, "surveys/tracking.html", {"survey": survey, "track": track})


@require_POST
def invite(request, pk: int):
    survey = selectors.managed_survey(viewer_for(request.user), pk)
    n = services.invite_companies(survey)
    queued = services.queue_reminders(survey, request.build_absolute_uri("/"), kind="invite") if n else 0
    messages.success(request, _("%(n)s companies invited; %(m)s e-mails queued.") % {"n": n, "m": queued})
    return redirect("surveys:tracking", pk=survey.pk)


@require_POST
def remind(request, pk: int):
    survey = selectors.managed_survey(viewer_for(request.user), pk)
    n = services.queue_reminders(survey, request.build_absolute_uri("/"))
    messages.success(request, _("%(n)s reminders queued for companies that have not answered.") % {"n": n})
    return redirect("surveys:tracking", pk=survey.pk)


# --- answering ----------------------------------------------------------------------------------


def answer(request, pk: int):
    """A signed-in company member's way to the form: their company's own link."""
    survey = get_object_or_404(Survey, pk=pk)
    viewer = viewer_for(request.user)
    company = permissions.own_companies(viewer, survey.complex).first()
    if company is None or survey.status == SurveyStatus.DRAFT:
        raise PermissionDenied(_("Only the complex's companies answer surveys."))
    invitation = services.invitation_for(survey, company)
    return redirect("surveys:respond", token=services.invitation_token(invitation))


def _form_raw(request, specs: list[q.Spec], previous: dict) -> dict:
    raw: dict = {}
    for s in specs:
        if s.type == q.MULTIPLE:
            raw[s.code] = request.POST.getlist(s.code)
        elif s.type == q.MATRIX:
            raw[s.code] = {
                r: request.POST.get(f"{s.code}.{r}", "") for r in s.row_values if request.POST.get(f"{s.code}.{r}")
            }
        elif s.type == q.RANKING:
            n = int(s.config.get("rank_count") or len(s.choices))
            raw[s.code] = [request.POST.get(f"{s.code}.{i}", "") for i in range(1, n + 1)]
            raw[s.code] = [v for v in raw[s.code] if v]
        elif s.type == q.FILE:
            upload = request.FILES.get(s.code)
            if upload is not None:
                try:
                    q.check_file(s, upload.name, upload.size)
                except q.AnswerError:
                    raw[s.code] = {"name": upload.name, "size": upload.size}  # refused again, with its message
                    continue
                path = default_storage.save(f"surveys/{secrets.token_hex(8)}/{upload.name[-100:]}", upload)
                raw[s.code] = {"name": upload.name, "size": upload.size, "path": path}
            elif previous.get(s.code) and not request.POST.get(f"{s.code}.remove"):
                raw[s.code] = previous[s.code]
        else:
            raw[s.code] = request.POST.get(s.code, "")
    return raw


def _question_views(specs: list[q.Spec], values: dict, errors: dict, lang: str) -> list[dict]:
    """What the form template needs for each question, in the page's language."""

    def label(item):
        return (item.get("en") if lang == "en" and item.get("en") else item.get("ko")) or item["value"]

    out = []
    for s in specs:
        value = values.get(s.code)
        item = {
            "spec": s,
            "code": s.code,
            "type": s.type,
            "label": s.label(lang),
            "required": s.required,
            "value": value,
            "error": errors.get(s.code, ""),
            "choices": [{"value": c["value"], "label": label(c)} for c in s.choices],
            "rows": [{"value": r["value"], "label": label(r)} for r in s.rows],
            "visible": q.visible(s, values),
            "condition": s.condition or None,
        }
        if s.type == q.SCALE:
            lo, hi = s.scale_bounds()
            names = {c["value"]: label(c) for c in s.choices}
            item["points"] = [{"value": str(i), "label": names.get(str(i), "")} for i in range(lo, hi + 1)]
        if s.type == q.MULTIPLE:
            item["chosen"] = [str(v) for v in (value or [])] if isinstance(value, list) else []
        if s.type == q.MATRIX:
            chosen = value if isinstance(value, dict) else {}
            item["matrix"] = [{"row": r, "chosen": str(chosen.get(r["value"], ""))} for r in item["rows"]]
        if s.type == q.RANKING:
            n = int(s.config.get("rank_count") or len(s.choices))
            given = value if isinstance(value, list) else []
            item["positions"] = [{"n": i, "chosen": given[i - 1] if i <= len(given) else ""} for i in range(1, n + 1)]
        if s.type in (q.SINGLE, q.SCALE):
            item["chosen"] = "" if value is None else str(value)
        out.append(item)
    return out


def respond(request, token: str):
    """The answer form from a company's link: no login; open surveys only; one response per company,
    changed by answering again until the survey closes."""
    invitation = services.invitation_from_token(token)
    survey = invitation.survey
    lang = _lang()
    specs = services.specs_of(survey)
    existing = None if survey.anonymous else Response.objects.filter(survey=survey, company=invitation.company).first()
    values = dict(existing.answers) if existing else {}
    errors: dict = {}
    already_anonymous = survey.anonymous and invitation.answered_at is not None
    if request.method == "POST" and survey.accepting and not already_anonymous:
        raw = _form_raw(request, specs, values)
        try:
            services.submit_response(invitation, raw)
        except services.AnswersInvalid as exc:
            errors = exc.errors
            values = {k: v for k, v in raw.items() if v not in (None, "", [], {})}
        else:
            return redirect(reverse("surveys:respond", args=[token]) + "?saved=1")
    elif request.method == "POST":
        raise services.closed_error()
    sections = list(survey.sections.all())
    views = _question_views(specs, values, errors, lang)
    by_code = {v["code"]: v for v in views}
    grouped = []
    for s in sections:
        grouped.append((s.title_en if lang == "en" and s.title_en else s.title_ko, []))
        for x in survey.questions.filter(section=s).values_list("code", flat=True):
            grouped[-1][1].append(by_code[x])
    loose = [by_code[x] for x in survey.questions.filter(section__isnull=True).values_list("code", flat=True)]
    if loose:
        grouped.append(("", loose))
    context = {
        "survey": survey,
        "title": survey.title(lang),
        "description": survey.description_en if lang == "en" and survey.description_en else survey.description_ko,
        "company": invitation.company,
        "grouped": grouped,
        "errors": errors,
        "saved": request.GET.get("saved") == "1",
        "existing": existing,
        "accepting": survey.accepting,
        "already_anonymous": already_anonymous,
        "conditions": {v["code"]: v["condition"] for v in views if v["condition"]},
    }
    return render_page(request, "surveys/respond.html", context)


def response_detail(request, pk: int):
    viewer = viewer_for(request.user)
    response = selectors.response_for(viewer, pk)
    lang = _lang()
    rows = [
        {
            "question": x,
            "label": x.label(lang),
            "text": q.answer_text(x.spec(), response.answers.get(x.code), lang),
            "file": x.type == q.FILE and bool((response.answers.get(x.code) or {}).get("path")),
        }
        for x in response.survey.questions.all()
    ]
    can_edit = (
        response.company is not None
        and permissions.can_answer_for(viewer, response.company)
        and response.survey.accepting
    )
    return render_page(
        request, "surveys/response_detail.html", {"response": response, "rows": rows, "can_edit": can_edit}
    )


def response_file(request, pk: int, code: str):
    """A file a company sent with its answers: the complex's officers and the company's own members."""
    from django.http import FileResponse

    response = selectors.response_for(viewer_for(request.user), pk)
    value = response.answers.get(code)
    if not isinstance(value, dict) or not value.get("path") or not default_storage.exists(value["path"]):
        raise Http404(_("No such file."))
    return FileResponse(default_storage.open(value["path"], "rb"), as_attachment=True, filename=value.get("name"))


# --- results ------------------------------------------------------------------------------------

DIMENSION_LABELS = {
    "division": "KSIC",
    "size_class": "size",
    "tech_intensity": "technology",
    "legal_dong": "dong",
}


def _segment_label(dimension: str, value: str) -> str:
    if value in ("unknown", ""):
        return _("Unknown")
    if value == "other":
        return _("Other (small groups merged)")
    if dimension == "tech_intensity":
        return str(registry_labels.INTENSITIES.get(value, value))
    if dimension == "size_class":
        from techvalley.registry.models import SizeClass

        return str(dict(SizeClass.choices).get(value, value))
    if dimension == "division":
        return f"KSIC {value}"
    return value


def _results_context(request, survey: Survey, *, public: bool) -> dict:
    viewer = viewer_for(request.user)
    lang = _lang()
    doc = selectors.survey_analysis(None if public else viewer, survey, public=public)
    by = request.GET.get("by") or "division"
    if by not in analysis.DIMENSIONS:
        raise BadInput(f"by: {', '.join(analysis.DIMENSIONS)}", field="by")
    tables = selectors.survey_crosstabs(viewer, survey, by, public=public)
    questions = {x.code: x for x in survey.questions.all()}
    key_to_id = {} if public else {r.key: r.pk for r in survey.responses.only("id", "ref")}
    items = []
    for item in doc["questions"]:
        x = questions[item["code"]]
        spec = x.spec()
        names = {
            c["value"]: (c.get("en") if lang == "en" and c.get("en") else c.get("ko")) or c["value"] for c in x.choices
        }
        rows = {
            r["value"]: (r.get("en") if lang == "en" and r.get("en") else r.get("ko")) or r["value"] for r in x.rows
        }

        def key_label(key, names=names, rows=rows):
            if "=" in key:
                row, col = key.split("=", 1)
                return f"{rows.get(row, row)}: {names.get(col, col)}"
            return names.get(key, key)

        view = {"item": item, "question": x, "label": x.label(lang)}
        if item.get("counts"):
            view["chart"] = charts.hbars([(key_label(k), v) for k, v in item["counts"].items()], item["answered"])
        if x.code in tables:
            t = tables[x.code]
            view["crosstab"] = {
                "keys": [key_label(k) for k in t["keys"]],
                "rows": [
                    {
                        "segment": _segment_label(by, seg),
                        "answered": t["answered"][seg],
                        "cells": [
                            {"n": n, "pct": round(100 * n / t["answered"][seg]) if t["answered"][seg] else 0}
                            for n in counts.values()
                        ],
                    }
                    for seg, counts in t["rows"].items()
                ],
            }
        for theme in item.get("themes", []):
            theme["ids"] = [key_to_id[k] for k in theme["responses"] if k in key_to_id]
        if spec.type == q.RANKING and item.get("mean_rank"):
            view["mean_rank"] = [
                (names.get(k, k), v) for k, v in sorted(item["mean_rank"].items(), key=lambda kv: kv[1])
            ]
        items.append(view)
    return {
        "survey": survey,
        "title": survey.title(lang),
        "doc": doc,
        "items": items,
        "by": by,
        "dimensions": [(d, DIMENSION_LABELS[d]) for d in analysis.DIMENSIONS],
        "public": public,
        "suppressed": doc.get("suppressed", ""),
        "min_anonymous": selectors.MIN_ANONYMOUS,
    }


def results(request, pk: int):
    survey = selectors.managed_survey(viewer_for(request.user), pk)
    return render_page(request, "surveys/results.html", _results_context(request, survey, public=False))


def public_results(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    if not permissions.can_view_public_results(survey):
        raise Http404(_("These results are not published."))
    return render_page(request, "surveys/results.html", _results_context(request, survey, public=True))


@require_POST
def publish(request, pk: int):
    survey = selectors.managed_survey(viewer_for(request.user), pk)
    services.publish_results(survey, request.POST.get("published", "1") == "1")
    return redirect("surveys:results", pk=survey.pk)


def export(request, pk: int, fmt: str = "csv"):
    survey = selectors.managed_survey(viewer_for(request.user), pk)
    if fmt == "xlsx":
        response = HttpResponse(
            exports.responses_xlsx(survey),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse("\ufeff" + exports.responses_csv(survey), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}.{fmt}"'
    return response


def import_responses(request, pk: int):
    survey = selectors.managed_survey(viewer_for(request.user), pk)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        from techvalley.core.validation import check_size
        from techvalley.surveys.tables import MAX_BYTES

        check_size(upload.size, MAX_BYTES, upload.name)
        result = services.import_responses(survey, upload.read(), upload.name, dry_run=form.cleaned_data["dry_run"])
    return render_page(request, "surveys/import.html", {"survey": survey, "form": form, "result": result})


# --- candidate board ----------------------------------------------------------------------------


def candidate_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    candidates = list(selectors.candidates_of(viewer, cx))
    promoted = _promoted_to(candidates)
    for c in candidates:
        c.promoted_links = promoted.get(c.pk, [])
    return render_page(request, "surveys/candidates.html", {"complex": cx, "candidates": candidates})


def _promoted_to(candidates) -> dict:
    """For each candidate, the records (plan sub-projects) that link to it through core record links."""
    from techvalley.core.models import RecordLink

    ids = [c.pk for c in candidates]
    out: dict[int, list] = {}
    for link in RecordLink.objects.filter(target_type="surveys.candidate", target_id__in=ids).select_related(
        "source_type"
    ):
        out.setdefault(link.target_id, []).append(link)
    return out


@require_POST
def candidate_new(request):
    """A candidate from a theme of the results page (title, keywords, the answers behind it)."""
    cx = current_complex(request)
    _officer(request, cx)
    survey = None
    if request.POST.get("survey"):
        survey = get_object_or_404(Survey, pk=_int(request.POST["survey"], "survey"), complex=cx)
    ids = [_int(v, "responses") for v in request.POST.getlist("responses")]
    candidate = services.create_candidate(
        cx,
        request.POST.get("title", ""),
        survey=survey,
        question_code=request.POST.get("question", ""),
        keywords=[k for k in request.POST.get("keywords", "").split(",") if k.strip()],
        response_ids=ids,
        description=request.POST.get("description", ""),
    )
    messages.success(request, _("Candidate project added to the board."))
    return redirect("surveys:candidate_detail", pk=candidate.pk)


def _int(value, name):
    from techvalley.core.validation import int_param

    return int_param(value, name, lo=1)


def _candidate_initial(candidate) -> dict:
    return {
        "title": candidate.title,
        "description": candidate.description,
        "estimated_companies": candidate.estimated_companies,
        "estimated_cost_million_krw": candidate.estimated_cost_million_krw,
        "status": candidate.status,
    }


def candidate_detail(request, pk: int):
    viewer = viewer_for(request.user)
    candidate = selectors.candidate_for(viewer, pk)
    form = forms.CandidateForm(request.POST or None, initial=_candidate_initial(candidate))
    if request.method == "POST" and form.is_valid():
        services.update_candidate(candidate, {k: v for k, v in form.cleaned_data.items() if v is not None})
        messages.success(request, _("Candidate saved."))
        return redirect("surveys:candidate_detail", pk=candidate.pk)
    return _candidate_page(request, viewer, candidate, form)


def _plan_headings(cx) -> list[tuple[int, str]]:
    """The plan headings (pledges and sub-projects) a candidate may go under, as plan tracking lists
    them through its linkable type — empty when plan tracking is not installed."""
    kind = spine.platform.linkable_types.get("projects.project")
    if kind is None:
        return []
    return [(obj.pk, kind.title(obj)) for obj in list(kind.candidates(cx, ""))[:200]]


def _promote_form(viewer, candidate, data=None):
    """The "Promote to plan sub-project" form, for those plan tracking lets ask (None otherwise)."""
    if spine.platform.action_for(services.PROMOTE_ACTION, viewer) is None:
        return None
    initial = {
        "title": candidate.title,
        "description": candidate.description,
        "budget_million_krw": candidate.estimated_cost_million_krw or None,
    }
    # its own element ids: the candidate's form on the same page has a title and a description too
    return forms.PromoteForm(data, initial=initial, headings=_plan_headings(candidate.complex), auto_id="promote_%s")


def _candidate_page(request, viewer, candidate, form, promote_form=None, status: int = 200):
    lang = _lang()
    support = []
    specs = {}
    if candidate.survey_id:
        specs = {x.code: x.spec() for x in candidate.survey.questions.all()}
    for r in candidate.responses.select_related("company").order_by("id"):
        text = r.answers.get(candidate.question_code, "") if candidate.question_code else ""
        if candidate.question_code in specs:
            text = q.answer_text(specs[candidate.question_code], r.answers.get(candidate.question_code), lang)
        support.append({"response": r, "text": text})
    if promote_form is None and candidate.status != CandidateStatus.PROMOTED:
        promote_form = _promote_form(viewer, candidate)
    response = render_page(
        request,
        "surveys/candidate_detail.html",
        {
            "candidate": candidate,
            "form": form,
            "support": support,
            "promoted": _promoted_to([candidate]).get(candidate.pk, []),
            "promote_form": promote_form,
            "is_promoted": candidate.status == CandidateStatus.PROMOTED,
        },
    )
    response.status_code = status
    return response


@require_POST
def candidate_promote(request, pk: int):
    """Promote the candidate to a plan sub-project (plan tracking makes it; both are linked)."""
    viewer = viewer_for(request.user)
    candidate = selectors.candidate_for(viewer, pk)
    form = _promote_form(viewer, candidate, request.POST)
    if form is None:
        raise PermissionDenied(
            _("Only district officers can promote a candidate, and only with plan tracking installed.")
        )
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            sub = services.promote_candidate(
                viewer,
                candidate,
                parent=d["parent"],
                title=d["title"],
                description=d["description"],
                budget_million_krw=d["budget_million_krw"],
            )
        except BadInput as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Promoted to the plan sub-project “%(title)s”.") % {"title": sub.title})
            return redirect("surveys:candidate_detail", pk=candidate.pk)
    blank = forms.CandidateForm(initial=_candidate_initial(candidate))
    return _candidate_page(request, viewer, candidate, blank, promote_form=form, status=status)


# --- resident communication ---------------------------------------------------------------------


def communication_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    records = selectors.communication_of(viewer, cx)
    counts = selectors.communication_counts(cx)
    years = sorted(counts["by_year"])
    table = [
        {
            "kind": label,
            "cells": [counts["by_kind"].get(kind, {}).get(y, 0) for y in years],
            "total": sum(counts["by_kind"].get(kind, {}).values()),
        }
        for kind, label in CommunicationKind.choices
    ]
    return render_page(
        request,
        "surveys/communication.html",
        {"complex": cx, "records": records, "years": years, "table": table, "counts": counts},
    )


def communication_new(request):
    cx = current_complex(request)
    _officer(request, cx)
    return _communication_form(request, cx, None)


def communication_edit(request, pk: int):
    record = selectors.communication_record(viewer_for(request.user), pk)
    return _communication_form(request, record.complex, record)


def _communication_form(request, cx, record):
    initial = {}
    if record is not None:
        initial = {f: getattr(record, f) for f in forms.CommunicationForm.base_fields}
    form = forms.CommunicationForm(request.POST or None, initial=initial or {"public": True})
    if request.method == "POST" and form.is_valid():
        services.save_communication(cx, form.cleaned_data, record)
        messages.success(request, _("Communication record saved."))
        return redirect("surveys:communication_list")
    return render_page(request, "surveys/communication_form.html", {"form": form, "record": record})


@require_POST
def communication_delete(request, pk: int):
    record = selectors.communication_record(viewer_for(request.user), pk)
    services.delete_communication(record)
    messages.success(request, _("Communication record deleted."))
    return redirect("surveys:communication_list")
