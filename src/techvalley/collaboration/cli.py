"""Cooperation from the command line: import and export expertise and the catalogue
(``techvalley collab …``) and match a need (``techvalley match need …``)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from techvalley.core.cli import as_cli, clear_errors, complex_or_exit, console, django_setup, fail

collab_app = typer.Typer(
    help="Industry–academia–government cooperation (산·학·관 협력): expertise, support programmes.",
    no_args_is_help=True,
)
import_app = typer.Typer(
    help="Import expertise or support programmes (JSON list; all or nothing).", no_args_is_help=True
)
export_app = typer.Typer(help="Export expertise or support programmes.", no_args_is_help=True)
collab_app.add_typer(import_app, name="import")
collab_app.add_typer(export_app, name="export")
match_app = typer.Typer(help="Match a company's need to experts and support programmes.", no_args_is_help=True)

ComplexOpt = Annotated[str | None, typer.Option("--complex", help="the complex's slug (default: the installation's)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _import_complex(slug: str | None):
    """The complex to import into. An installation without any complex yet gets its default one
    (``TECHVALLEY_DEFAULT_COMPLEX``), so that a catalogue can be loaded and matched on day one;
    `techvalley setup` or the demo fill in its name and dongs later."""
    from django.conf import settings

    from techvalley.core.models import Complex

    if slug is None and not Complex.objects.exists():
        from techvalley.core import services as core_services

        default = settings.TECHVALLEY_DEFAULT_COMPLEX
        with as_cli():
            cx = core_services.add_complex(default, default)
        console.print(
            f"산업단지가 없어 기본 단지 '{default}'을(를) 만들었습니다 (`techvalley complex edit`로 이름·법정동 입력). "
            f"/ No complex yet: created the default one, '{default}'."
        )
        return cx
    return complex_or_exit(slug)


def _print_summary(summary: dict, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return
    console.print(
        f"{summary['what']}: 새로 {summary['created']} · 변경 {summary['updated']} · 그대로 {summary['unchanged']} "
        f"(합계 {summary['total']}) / created {summary['created']}, updated {summary['updated']}, "
        f"unchanged {summary['unchanged']}"
    )
    if summary["ignored_keys"]:
        console.print(f"무시한 항목 키 / ignored keys: {', '.join(summary['ignored_keys'])}")


@import_app.command("experts")
def import_experts(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSON list (or CSV in UTF-8/CP949, or Excel): ref, org, unit, fields [..], text (+ name, kind …)"
        ),
    ],
    complex: ComplexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Researchers, labs and equipment; each item's ``ref`` is kept as its external id (same ref
    updates, nothing is deleted)."""
    django_setup()
    from techvalley.collaboration import services

    cx = _import_complex(complex)
    with as_cli():
        summary = services.import_experts(cx, services.read_file(file, "experts"), filename=file.name)
    _print_summary(summary.as_dict(), as_json)


@import_app.command("programmes")
def import_programmes(
    file: Annotated[Path, typer.Argument(help="JSON list (or CSV): ref, title, agency, text, eligibility {..}")],
    complex: ComplexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Support programmes of the catalogue with structured eligibility (keys: docs/collaboration.md)."""
    django_setup()
    from techvalley.collaboration import services

    cx = _import_complex(complex)
    with as_cli():
        summary = services.import_programmes(cx, services.read_file(file, "programmes"))
    _print_summary(summary.as_dict(), as_json)


@export_app.command("programmes")
def export_programmes(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="file (.json or .csv); stdout if absent")
    ] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="json | csv (default: from the file name)")] = None,
    complex: ComplexOpt = None,
) -> None:
    """The catalogue in the import format (JSON) or as CSV (eligibility as a JSON cell)."""
    django_setup(migrate=False)
    from techvalley.collaboration import services
    from techvalley.collaboration.models import SupportProgramme

    cx = complex_or_exit(complex)
    fmt = fmt or (output.suffix.lstrip(".").lower() if output else "json")
    if fmt not in ("json", "csv"):
        raise fail("--format: json 또는 csv / json or csv")
    text = services.export_programmes(SupportProgramme.objects.filter(complex=cx).order_by("ref"), fmt)
    if output is None:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
    else:
        output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        console.print(f"{output}")


@export_app.command("experts")
def export_experts(
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
    complex: ComplexOpt = None,
) -> None:
    """Expertise in the import format (JSON)."""
    django_setup(migrate=False)
    from techvalley.collaboration import services
    from techvalley.collaboration.models import Expert

    cx = complex_or_exit(complex)
    text = services.export_experts(Expert.objects.filter(complex=cx).order_by("ref"))
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text, encoding="utf-8")


def _founded(value: str | None):
    """--founded 2019 (a year) or 2019-04-01 (a date)."""
    from techvalley.core.validation import BadInput, year_param

    if value is None:
        return None, None
    value = value.strip()
    if len(value) > 4:
        try:
            return dt.date.fromisoformat(value), None
        except ValueError:
            raise BadInput(f"--founded: '{value[:20]}'은(는) 연도나 날짜가 아닙니다. / not a year or date.") from None
    return None, year_param(value, "--founded")


@match_app.command("need")
def match_need(
    text: Annotated[str, typer.Option("--text", help="the need in the company's words (Korean)")],
    ksic: Annotated[str | None, typer.Option("--ksic", help="the company's KSIC code, e.g. 25921")] = None,
    employees: Annotated[int | None, typer.Option("--employees", min=0, help="number of employees")] = None,
    founded: Annotated[str | None, typer.Option("--founded", help="founding year (or YYYY-MM-DD)")] = None,
    in_complex: Annotated[
        bool | None,
        typer.Option(
            "--in-complex/--not-in-complex",
            help="whether the company is in the industrial complex (neither: not in it when other facts are given, "
            "unknown otherwise)",
        ),
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help='e.g. "부산 사하구"')] = None,
    revenue: Annotated[str | None, typer.Option("--revenue", help="yearly revenue in won (or '50억원')")] = None,
    cert: Annotated[
        list[str] | None, typer.Option("--cert", help="a certification held (repeat): 벤처, 이노비즈 …")
    ] = None,
    partner: Annotated[
        list[str] | None, typer.Option("--partner", help="a partner the company works with (repeat): university …")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="results per list")] = 20,
    today: Annotated[str | None, typer.Option("--today", help="date of the check (YYYY-MM-DD; default today)")] = None,
    complex: ComplexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Experts and programmes for a need, best first; programmes the company may not apply to are
    listed apart with the reason (never recommended)."""
    from techvalley.collaboration import eligibility

    with clear_errors():
        from techvalley.core.validation import BadInput, clean_text

        clean_text(text, "--text", max_length=10_000, required=True)
        founded_on, founded_year = _founded(founded)
        revenue_krw = None
        if revenue is not None:
            try:
                revenue_krw = eligibility.parse_krw(revenue, "--revenue")
            except eligibility.EligibilityError as exc:
                raise BadInput(str(exc)) from None
        try:
            ksic_code = eligibility.normalise_ksic(ksic) if ksic else None
        except eligibility.EligibilityError as exc:
            raise BadInput(f"--ksic: {exc}") from None
        partner_kinds = None
        if partner:
            partner_kinds = frozenset(eligibility.PARTNER_ALIASES.get(p.lower(), p.lower()) for p in partner)
        given = any(v is not None for v in (ksic_code, employees, founded_on, founded_year, region, revenue_krw))
        if in_complex is None and given:
            in_complex = False
        check_day = dt.date.fromisoformat(today) if today else None
    django_setup()
    from techvalley.collaboration import selectors
    from techvalley.core.models import Complex

    if complex is None and not Complex.objects.exists():
        # Nothing imported anywhere yet: nothing matches.
        sys.stdout.write(json.dumps({"experts": [], "programmes": [], "not_eligible": []}) + "\n")
        return
    cx = complex_or_exit(complex)
    facts = eligibility.CompanyFacts(
        ksic=ksic_code,
        employees=employees,
        founded=founded_on,
        founded_year=founded_year,
        revenue_krw=revenue_krw,
        region=region,
        in_complex=in_complex,
        certifications=frozenset(cert) if cert else None,
        partner_kinds=partner_kinds,
    )
    result = selectors.matcher_for(cx).match(text, facts, limit=limit, today=check_day)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    for key, title in (("experts", "전문가·연구실·장비 / Experts"), ("programmes", "지원사업 / Programmes")):
        table = Table(title=title)
        for col in ("ref", "score", "why"):
            table.add_column(col)
        for row in result[key]:
            table.add_row(row["ref"], f"{row['score']:.3f}", row["why"])
        console.print(table)
    if result["not_eligible"]:
        table = Table(title="신청 불가 / Not eligible")
        table.add_column("ref")
        table.add_column("why_not")
        for row in result["not_eligible"]:
            table.add_row(row["ref"], row["why_not"])
        console.print(table)


GROUPS = {"collab": collab_app, "match": match_app}
