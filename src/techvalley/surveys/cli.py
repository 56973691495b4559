"""Survey command-line tools: create from a template, show, import responses, analyse, export, list.

``SURVEY`` is a survey's short name (slug) in the complex, or its number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from techvalley.core.cli import as_cli, complex_or_exit, console, django_setup, fail, out, write_json

survey_app = typer.Typer(
    help="Demand surveys (수요조사): create from a template, show, import responses, analyse.", no_args_is_help=True
)

ComplexOpt = Annotated[str | None, typer.Option("--complex", help="complex slug (default: the installation's)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _survey(ref: str, complex_slug: str | None):
    from techvalley.surveys.models import Survey

    cx = complex_or_exit(complex_slug)
    found = Survey.objects.filter(complex=cx, slug=ref).first()
    if found is None and ref.isascii() and ref.isdigit():
        found = Survey.objects.filter(complex=cx, pk=int(ref)).first()
    if found is None:
        known = ", ".join(Survey.objects.filter(complex=cx).values_list("slug", flat=True)[:20]) or "-"
        raise fail(f"설문 '{ref}'이(가) 없습니다 (있는 설문: {known}). / No survey '{ref}'. Known: {known}.")
    return found


@survey_app.command("create")
def create(
    slug: Annotated[str, typer.Argument(help="short name: letters, digits, - and _")],
    template: Annotated[str, typer.Option("--template", help="demand | satisfaction | blank")] = "demand",
    title: Annotated[str, typer.Option("--title", help="Korean title (default: the template's)")] = "",
    anonymous: Annotated[bool, typer.Option("--anonymous", help="store answers without the company")] = False,
    opens: Annotated[str, typer.Option("--opens", help="YYYY-MM-DD")] = "",
    closes: Annotated[str, typer.Option("--closes", help="YYYY-MM-DD")] = "",
    complex: ComplexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A new draft survey from a template (demand: 혁신계획 수립 수요조사)."""
    import datetime as dt

    django_setup()
    from techvalley.surveys import services

    cx = complex_or_exit(complex)

    def date(value: str, name: str):
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise fail(f"{name}: 날짜는 YYYY-MM-DD로 적어 주세요 ('{value}'). / a date as YYYY-MM-DD.") from None

    with as_cli():
        survey = services.create_survey(
            cx,
            slug,
            template=template,
            title_ko=title,
            anonymous=anonymous,
            opens_on=date(opens, "--opens"),
            closes_on=date(closes, "--closes"),
        )
    if as_json:
        write_json({"id": survey.pk, "slug": survey.slug, "questions": survey.questions.count()})
        return
    out.print(
        f"설문 '{escape(survey.slug)}' 생성 ({survey.questions.count()}문항, 초안) "
        f"/ survey created ({survey.questions.count()} questions, draft): {escape(survey.title_ko)}"
    )


def survey_document(survey) -> dict:
    sections = {s.pk: s for s in survey.sections.all()}
    return {
        "id": survey.pk,
        "slug": survey.slug,
        "title": {"ko": survey.title_ko, "en": survey.title_en},
        "status": survey.status,
        "anonymous": survey.anonymous,
        "opens_on": survey.opens_on.isoformat() if survey.opens_on else None,
        "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
        "questions": [
            {
                "code": x.code,
                "type": x.type,
                "label": {"ko": x.label_ko, "en": x.label_en},
                "section": sections[x.section_id].title_ko if x.section_id in sections else None,
                "required": x.required,
                "choices": x.choices,
                "rows": x.rows,
                "config": x.config,
                "condition": x.condition,
            }
            for x in survey.questions.all()
        ],
    }


@survey_app.command("show")
def show(
    survey: Annotated[str, typer.Argument(help="slug or number")], complex: ComplexOpt = None, as_json: JsonOpt = False
) -> None:
    """A survey's questions: code, type, Korean and English labels, choices, conditions."""
    django_setup()
    s = _survey(survey, complex)
    doc = survey_document(s)
    if as_json:
        write_json(doc)
        return
    table = Table(title=f"{s.title_ko} ({s.slug}, {s.status})")
    for col in ("code", "type", "질문 / question", "choices"):
        table.add_column(col)
    for x in doc["questions"]:
        table.add_row(
            x["code"], x["type"], escape(x["label"]["ko"]), escape(", ".join(c["value"] for c in x["choices"]))
        )
    out.print(table)


@survey_app.command("import-responses")
def import_responses(
    survey: Annotated[str, typer.Argument(help="slug or number")],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or CP949) or .xlsx")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate and count, change nothing")] = False,
    complex: ComplexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Responses collected elsewhere: a header row of question codes plus optional ``company``
    (registration number or name) and ``ref``. Validated whole; any error and nothing changes."""
    django_setup()
    from techvalley.surveys import services

    s = _survey(survey, complex)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"파일을 읽을 수 없습니다: {file} ({exc.strerror}) / cannot read the file.") from None
    with as_cli():
        result = services.import_responses(s, data, file.name, dry_run=dry_run)
    if as_json:
        write_json(result.as_dict())
    if not result.ok:
        if not as_json:
            for e in result.errors:
                where = f"{file.name}:{e['line']}" + (f" [{e['column']}]" if e["column"] else "")
                console.print(f"[red]{escape(where)}: {escape(e['message'])}")
            console.print(
                f"[red]오류 {len(result.errors)}건: 아무것도 바뀌지 않았습니다. "
                f"/ {len(result.errors)} error(s): nothing changed."
            )
        raise typer.Exit(2)
    if not as_json:
        what = "(시험 실행 / dry run) " if dry_run else ""
        out.print(
            f"{what}행 {result.rows} · 새 응답 {result.created} · 수정 {result.updated} · 그대로 {result.unchanged} "
            f"/ rows {result.rows}, created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
        )


@survey_app.command("analyse")
def analyse(
    survey: Annotated[str, typer.Argument(help="slug or number")],
    by: Annotated[
        str, typer.Option("--by", help="also cross-tabulate: division | size_class | tech_intensity | legal_dong")
    ] = "",
    complex: ComplexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Frequencies of every question and the themes of long-text answers (Kiwi nouns and phrases)."""
    django_setup()
    from techvalley.surveys import analysis, selectors

    s = _survey(survey, complex)
    if by and by not in analysis.DIMENSIONS:
        raise fail(f"--by: {', '.join(analysis.DIMENSIONS)}")
    doc = selectors.survey_analysis(None, s)
    if by:
        doc["crosstabs"] = selectors.survey_crosstabs(None, s, by)
    if as_json:
        write_json(doc)
        return
    out.print(f"{escape(s.title_ko)}: 응답 {doc['responses']} / responses")
    if doc.get("suppressed"):
        out.print(escape(doc["suppressed"]))
        return
    for item in doc["questions"]:
        line = f"[bold]{item['code']}[/] ({item['type']}) 응답 {item['answered']}"
        if "counts" in item:
            line += " — " + ", ".join(f"{k}: {v}" for k, v in item["counts"].items())
        if "stats" in item:
            line += f" — 평균 {item['stats']['mean']}"
        out.print(line)
        for t in item.get("themes", []):
            out.print(f"    · {escape(t['label'])} ({t['count']}): {escape(', '.join(t['keywords']))}")


@survey_app.command("export")
def export(
    survey: Annotated[str, typer.Argument(help="slug or number")],
    output: Annotated[Path, typer.Option("-o", "--output", help="responses.xlsx or responses.csv")],
    complex: ComplexOpt = None,
) -> None:
    """Every response, one row each, in the import layout (question codes), as Excel or CSV."""
    django_setup()
    from techvalley.surveys import exports

    s = _survey(survey, complex)
    data = (
        exports.responses_xlsx(s) if output.suffix.lower() == ".xlsx" else exports.responses_csv(s).encode("utf-8-sig")
    )
    output.write_bytes(data)
    out.print(f"{escape(str(output))}: 응답 {s.responses.count()}건 / responses written")


@survey_app.command("list")
def list_surveys(complex: ComplexOpt = None, as_json: JsonOpt = False) -> None:
    """The complex's surveys with their status and response counts."""
    django_setup()
    from techvalley.surveys.models import Survey

    cx = complex_or_exit(complex)
    rows = [
        {"id": s.pk, "slug": s.slug, "title": s.title_ko, "status": s.status, "responses": s.responses.count()}
        for s in Survey.objects.filter(complex=cx)
    ]
    if as_json:
        write_json(rows)
        return
    table = Table()
    for col in ("id", "slug", "title", "status", "responses"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(escape(str(r[k])) for k in ("id", "slug", "title", "status", "responses")))
    out.print(table)


@survey_app.command("send-mail")
def send_mail(
    limit: Annotated[int, typer.Option("--limit", help="at most this many e-mails")] = 500,
    complex: ComplexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send the invitation and reminder e-mails waiting in the outbox (Django's EMAIL_* settings)."""
    django_setup()
    from techvalley.surveys import services

    cx = complex_or_exit(complex)
    with as_cli():
        result = services.send_queued_messages(cx, limit=max(1, limit))
    if as_json:
        write_json(result)
        return
    out.print(
        f"보냄 {result['sent']} · 실패 {result['failed']} · 대기 {result['waiting']} "
        f"/ sent {result['sent']}, failed {result['failed']}, waiting {result['waiting']}"
    )


GROUPS = {"survey": survey_app}
