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
    file: Annotated[Path, typer.Argument(help="a card in the text layout (UTF-8, with or without BOM, or CP949)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the structure as JSON.")] = False,
) -> None:
    """Read a card; print its structure and every line that could not be placed."""
    from techvalley.core.validation import BadInput, check_size
    from techvalley.projects.card import CARD_MAX_BYTES, CardParseError, decode_card, parse_card

    try:
        check_size(file.stat().st_size, CARD_MAX_BYTES, "관리카드 / card")
        result = parse_card(decode_card(file.read_bytes()))
    except (CardParseError, OSError) as exc:
        console.print(f"[red]{file}: {exc}")
        raise typer.Exit(2) from exc
    except BadInput as exc:
        console.print(f"[red]{file}: {exc.message}")
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
    publish: Annotated[
        bool, typer.Option("--publish", help="Show a new pledge on the public pages at once (default: internal).")
    ] = False,
) -> None:
    """Store a card; a card with a known 관리번호 updates it (the earlier version is kept).

    A new pledge stays internal until an officer publishes it (or with --publish)."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.projects.card import CardParseError
    from techvalley.projects.services import WorkflowError, import_card_file, publish_project

    cx = complex_or_exit(complex)
    try:
        with acting_as(None, f"cli:{os.environ.get('USER', 'unknown')}"):
            project, created, parsed = import_card_file(file, cx)
            if publish:
                publish_project(project, True)
    except (CardParseError, WorkflowError, OSError) as exc:
        console.print(f"[red]{file}: {exc}")
        raise typer.Exit(2) from exc
    except BadInput as exc:
        console.print(f"[red]{file}: {exc.message}")
        raise typer.Exit(2) from exc
    for u in parsed.unplaced:
        console.print(f"[yellow]line {u['line']}[/]: {u['reason']} — {u['text']}")
    state = "public" if project.public else "internal (publish it on its card page, or import with --publish)"
    out.print(f"{'created' if created else 'updated'} {project.management_no} {project.title} — {state}")


FORMATS = {"text": "txt", "html": "html", "pdf": "pdf", "hwpx": "hwpx", "xlsx": "xlsx"}


@card_app.command("render")
def card_render(
    management_no: Annotated[
        str | None, typer.Argument(help="관리번호, e.g. 3-1 (not needed for xlsx, which lists all pledges)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text | html | pdf | hwpx | xlsx (xlsx: all pledges)")] = "pdf",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="default: 3-1.pdf, 3-1.hwpx … or pledges.xlsx")
    ] = None,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    public: Annotated[bool, typer.Option("--public", help="Leave out internal contacts.")] = False,
) -> None:
    """Produce a card as text, HTML, PDF (A4) or HWPX, or the Excel summary of all pledges."""
    if fmt not in FORMATS:
        console.print(f"[red]Unknown format {fmt}: text, html, pdf, hwpx or xlsx.")
        raise typer.Exit(2)
    if fmt != "xlsx" and not management_no:
        console.print("[red]Which card? Give its 관리번호, e.g. `techvalley card render 3-1 --format pdf`.")
        raise typer.Exit(2)
    django_setup()
    from techvalley.core.scoping import Viewer
    from techvalley.projects import communication, documents, selectors
    from techvalley.projects.models import Project

    cx = complex_or_exit(complex)
    if fmt == "xlsx":
        output = output or Path(f"pledges-{cx.slug}.xlsx")
        # The operator at the command line sees every pledge, as an officer would.
        operator = Viewer(is_superuser=True, username="cli")
        rows = selectors.pledge_rows(operator, cx, public_only=public)
        shown = communication.shown_for_many([r.project for r in rows], cx, public=public)
        documents.render_xlsx_summary(rows, output, shown)
    else:
        project = Project.objects.filter(complex=cx, management_no=management_no).first()
        if project is None:
            console.print(f"[red]No pledge {management_no} in {cx.slug}.")
            raise typer.Exit(2)
        output = output or Path(f"{management_no}{'-public' if public else ''}.{FORMATS[fmt]}")
        # 【구민소통 실적】 as the card page shows it: counted from the communication records when
        # an installed app provides them (unless the officer keeps the card's own figures).
        card, shown = communication.card_as_shown(project, public=public)
        documents.write(card, fmt, output, public=public, communication=shown)
    console.print(f"[green]{output}")


GROUPS = {"card": card_app}
