"""Plan tracking's command-line tools: management cards (parse, import, render)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from techvalley.core.cli import complex_or_exit, console, django_setup, out

card_app = typer.Typer(help="Pledge management cards (공약 관리카드): parse, import, render.", no_args_is_help=True)


@card_app.command("parse")
def card_parse(
    file: Annotated[Path, typer.Argument(help="a card in the text layout (UTF-8)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the structure as JSON.")] = False,
) -> None:
    """Read a card; print its structure and every line that could not be placed."""
    from techvalley.projects.card import CardParseError, parse_card

    try:
        result = parse_card(file.read_text(encoding="utf-8-sig"))
    except (CardParseError, UnicodeDecodeError, OSError) as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        c = result.card
        out.print(f"[bold]{c['management_no']}[/] {c['title']}")
        out.print(
            f"{c['progress']['state']} {c['progress']['percent']}% · {c['department']['name']} · "
            f"yearly plan {len(c['yearly_plan'])} · achievements {len(c['achievements'])} · "
            f"future plans {len(c['future_plans'])}"
        )
    for u in result.unplaced:
        console.print(f"[yellow]line {u['line']}[/]: {u['reason']} — {u['text']}")


@card_app.command("import")
def card_import(
    file: Path,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
) -> None:
    """Store a card; a card with a known 관리번호 updates it (the earlier version is kept)."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.projects.card import CardParseError
    from techvalley.projects.services import WorkflowError, import_card_file

    cx = complex_or_exit(complex)
    try:
        with acting_as(None, f"cli:{os.environ.get('USER', 'unknown')}"):
            project, created, parsed = import_card_file(file, cx)
    except (CardParseError, WorkflowError, UnicodeDecodeError, OSError) as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    for u in parsed.unplaced:
        console.print(f"[yellow]line {u['line']}[/]: {u['reason']} — {u['text']}")
    out.print(f"{'created' if created else 'updated'} {project.management_no} {project.title}")


@card_app.command("render")
def card_render(
    management_no: Annotated[str, typer.Argument(help="관리번호, e.g. 3-1")],
    fmt: Annotated[str, typer.Option("--format", help="text | html | pdf | hwpx | xlsx (xlsx: all pledges)")] = "pdf",
    output: Annotated[Path, typer.Option("-o", "--output")] = Path("card.pdf"),
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    public: Annotated[bool, typer.Option("--public", help="Leave out internal contacts.")] = False,
) -> None:
    """Produce a card as text, HTML, PDF (A4) or HWPX, or the Excel summary of all pledges."""
    django_setup()
    from techvalley.projects import documents, selectors
    from techvalley.projects.models import Project
    from techvalley.projects.services import card_of

    cx = complex_or_exit(complex)
    if fmt == "xlsx":
        documents.render_xlsx_summary(selectors.pledge_rows(cx), output)
    else:
        project = Project.objects.filter(complex=cx, management_no=management_no).first()
        if project is None:
            console.print(f"[red]No pledge {management_no} in {cx.slug}.")
            raise typer.Exit(2)
        if fmt not in ("text", "html", "pdf", "hwpx"):
            console.print(f"[red]Unknown format {fmt}: text, html, pdf, hwpx or xlsx.")
            raise typer.Exit(2)
        documents.write(card_of(project, public=public), fmt, output, public=public)
    console.print(f"[green]{output}")


GROUPS = {"card": card_app}
