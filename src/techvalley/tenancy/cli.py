"""Knowledge-industry centres from the command line: ``techvalley tenancy check APPLICATION.json``.

The check needs no database when the centre is given as an object; a centre given by its slug
is read from the platform's database (``techvalley demo`` or ``tenancy`` pages store them).
Bad input ends with its message and exit code 2 (docs/tenancy.md describes the format).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from techvalley.core.cli import clear_errors, console, django_setup, fail, out, write_json

tenancy_app = typer.Typer(
    help="Knowledge-industry centres (지식산업센터): eligibility of applicants, rule data, tenant audit.",
    no_args_is_help=True,
)
#: An application file is a few hundred bytes; anything beyond this is not one.
MAX_FILE = 2_000_000


def _reject_constant(name: str):
    raise ValueError(f"'{name}' is not a number JSON allows")


def read_application(path: Path) -> dict:
    """The application file as JSON (strict: no NaN/Infinity), or exit 2 with the reason."""
    try:
        raw = sys.stdin.buffer.read(MAX_FILE + 1) if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise fail(f"신청 파일을 읽을 수 없습니다: {path} ({exc.strerror or exc}) / cannot read the file.") from None
    if len(raw) > MAX_FILE:
        raise fail(f"신청 파일이 너무 큽니다 (최대 {MAX_FILE:,} 바이트). / the file is too large.")
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise fail(f"{path}: UTF-8 텍스트가 아닙니다. / not UTF-8 text.") from None
    except (ValueError, RecursionError) as exc:
        raise fail(f"{path}: 올바른 JSON이 아닙니다 ({exc}). / not valid JSON.") from None
    if not isinstance(data, dict):
        raise fail(f"{path}: 신청 내용은 JSON 객체여야 합니다. / the application must be a JSON object.")
    return data


def _centre_lookup(complex_slug: str | None):
    def lookup(slug: str, revision: int):
        django_setup()
        from techvalley.tenancy import selectors

        return selectors.centre_facts_by_slug(slug, revision, complex_slug)

    return lookup


def _rules(from_db: bool):
    if not from_db:
        return None
    django_setup()
    from techvalley.tenancy import selectors

    return selectors.active_rules()


@tenancy_app.command("check")
def check(
    application: Annotated[Path, typer.Argument(help="the application as JSON (docs/tenancy.md); - reads stdin")],
    as_json: Annotated[bool, typer.Option("--json", help="print the answer as JSON")] = False,
    complex: Annotated[str | None, typer.Option("--complex", help="complex of a centre given by its slug")] = None,
    stored_rules: Annotated[
        bool, typer.Option("--stored-rules", help="use the rule version an officer made active (needs the database)")
    ] = False,
) -> None:
    """Whether an applicant may occupy a knowledge-industry centre: verdict, clauses, reasons, caps."""
    from techvalley.tenancy.eligibility import check as evaluate

    data = read_application(application)
    with clear_errors():
        centre = data.get("centre")
        rules = _rules(stored_rules or isinstance(centre, str))
        answer = evaluate(data, _centre_lookup(complex), rules)
    if as_json:
        write_json(answer)
        return
    colour = {"eligible": "green", "not_eligible": "red", "needs_approval": "yellow"}[answer["verdict"]]
    k = answer["ksic"]
    out.print(
        f"[bold {colour}]{answer['verdict_label']} ({answer['verdict']})[/] — KSIC {k['code']} "
        f"{escape(k['name'])} (제{k['revision']}차), {'지원시설' if answer['use'] == 'support' else '입주업체'}"
        f"{' (조건부)' if answer['conditional'] else ''}"
    )
    out.print("근거 조항 / clauses: " + escape(", ".join(answer["clauses"])))
    for reason in answer["reasons"]:
        out.print(f" - {escape(reason)}", soft_wrap=True)
    for c in answer["conditions"]:
        out.print(f" ? [{c['status']}] {c['id']}: {escape(c['text'])}", soft_wrap=True)
    if answer["use"] == "support":
        out.print(
            f"지원시설 상한 {answer['support_cap_m2']:,} ㎡ · 입주 후 {answer['support_after_m2']:,} ㎡ · "
            f"같은 업종 비율 {answer['same_type_share']:.2%}"
        )
    rules = answer["rules"]
    console.print(f"규칙 {rules['version']} · {rules['decree']}")


@tenancy_app.command("rules")
def rules_show(
    as_json: Annotated[bool, typer.Option("--json", help="the whole rule document")] = False,
    stored_rules: Annotated[bool, typer.Option("--stored-rules", help="the active stored version")] = False,
) -> None:
    """The rule data in force: version, statute version, and the clauses with the KSIC codes they admit."""
    from techvalley.tenancy.rules import shipped_rules

    rules = _rules(stored_rules) or shipped_rules()
    if as_json:
        write_json(rules.document)
        return
    out.print(f"규칙 {rules.version} · {rules.statute['act']} · {rules.statute['decree']}")
    for route in rules.tenant_routes:
        codes = {rev: len(rules.codes_of(route, rev)) for rev in (10, 11)}
        out.print(f" {rules.cite(route.clause)}: {escape(route.label)} — 세세분류 10차 {codes[10]} · 11차 {codes[11]}")


@tenancy_app.command("audit")
def audit(
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="write an Excel workbook (.xlsx)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The tenant audit: every current occupant of every centre judged against the rules."""
    django_setup()
    from techvalley.core.cli import complex_or_exit
    from techvalley.core.scoping import Viewer
    from techvalley.tenancy import documents, selectors

    cx = complex_or_exit(complex)
    viewer = Viewer(user_id=0, username="cli", is_superuser=True)
    with clear_errors():
        rows = selectors.tenant_audit(viewer, cx)
    if output is not None:
        output.write_bytes(documents.audit_workbook(cx, rows))
        console.print(f"[green]{len(rows)} rows → {output}")
    if as_json:
        write_json([r.as_dict() for r in rows])
    elif output is None:
        for r in rows:
            label = {"illegal": "위반", "doubtful": "확인 필요", "ok": "적합"}[r.finding]
            out.print(f"[{label}] {escape(r.centre)} {escape(r.unit)} {escape(r.tenant)} — {escape(r.summary)}")


GROUPS = {"tenancy": tenancy_app}
