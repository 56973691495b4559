"""Open data of the surveys app: the published results of the complex's surveys as a public dataset.

Aggregates only: for each published survey, each choice question (single and multiple choice,
scale, matrix, ranking — first places) and each choice, how many responses chose it and the
share of those who answered the question. Never a single answer, a free-text answer, a
response reference or a company: the rows are counts over all responses. Registered with
``spine.dataset`` in ``contributions.py``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.surveys import analysis
from techvalley.surveys.models import Response, Survey
from techvalley.surveys.questions import MATRIX

C = spine.Column
COLUMNS = (
    C("survey", "string", _("Survey identifier (slug)")),
    C("survey_title", "string", _("Survey title")),
    C("simulated", "boolean", _("Simulated answers (demonstration data), not a real survey")),
    C("responses", "integer", _("Responses to the survey")),
    C("question", "string", _("Question code")),
    C("question_label", "string", _("Question")),
    C("question_type", "string", _("single, multiple, scale, matrix or ranking (first places)")),
    C("answered", "integer", _("Responses that answered the question")),
    C("choice", "string", _("Choice code (matrix: row=column)")),
    C("choice_label", "string", _("Choice")),
    C("count", "integer", _("Responses that chose it")),
    C("share", "number", _("Share of those who answered the question"), "%"),
)


def _labels(spec) -> dict[str, str]:
    names = {c["value"]: c.get("ko") or c["value"] for c in spec.choices}
    if spec.type == MATRIX:
        rows = {r["value"]: r.get("ko") or r["value"] for r in spec.rows}
        return {f"{r}={c}": f"{rows.get(r, r)}: {names.get(c, c)}" for r in spec.row_values for c in spec.choice_values}
    return names


def rows(cx):
    for survey in Survey.objects.filter(complex=cx, results_published=True).order_by("id"):
        specs = [q.spec() for q in survey.questions.all()]
        answers = [{"answers": a} for a in survey.responses.values_list("answers", flat=True)]
        for spec in specs:
            keys = analysis.choice_keys(spec)
            if not keys:
                continue  # numbers, texts and files: no choice to count (and free text is never published here)
            freq = analysis.frequencies(spec, answers)
            labels = _labels(spec)
            for key in keys:
                yield (
                    survey.slug,
                    survey.title_ko,
                    survey.simulated,
                    len(answers),
                    spec.code,
                    spec.label("ko"),
                    spec.type,
                    freq["answered"],
                    key,
                    labels.get(key, key),
                    freq["counts"][key],
                    round(100 * freq["shares"][key], 2),
                )


def updated(cx) -> dt.date | None:
    surveys = Survey.objects.filter(complex=cx, results_published=True)
    last = Response.objects.filter(survey__in=surveys).aggregate(last=Max("updated_at"))["last"]
    changed = surveys.aggregate(last=Max("updated_at"))["last"]
    dates = [d for d in (last, changed) if d]
    return max(dates).date() if dates else None
