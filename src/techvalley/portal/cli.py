"""The portal's command-line tools: open data for an open-data portal upload, the monthly report.

``techvalley opendata export DIR`` writes every registered dataset as CSV, Parquet and JSON
with its data dictionary (``KEY.dictionary.csv``) and ``index.json`` (titles, licences,
update dates) — exactly what the portal serves under ``/opendata/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from techvalley.core.cli import clear_errors, complex_or_exit, console, django_setup, fail, out

opendata_app = typer.Typer(help="Open data (공공데이터): the portal's datasets as files.", no_args_is_help=True)
report_app = typer.Typer(help="The monthly report for officials (월간 현황 보고).", no_args_is_help=True)


@opendata_app.command("export")
def export(
    directory: Annotated[Path, typer.Argument(help="folder to write into (created if missing)")],
    complex: Annotated[str | None, typer.Option("--complex", help="complex slug")] = None,
) -> None:
    """Write every dataset (CSV, Parquet, JSON) with its data dictionary and an index."""
    django_setup()
    from techvalley.portal import opendata

    cx = complex_or_exit(complex)
    if directory.exists() and not directory.is_dir():
        raise fail(f"폴더가 아닙니다: {directory} / not a folder: {directory}")
    with clear_errors():
        try:
            written = opendata.export(cx, directory, note=lambda key: console.print(f"[dim]{key}…"))
        except OSError as exc:
            raise fail(f"쓸 수 없습니다: {exc} / cannot write: {exc}") from None
    for d in written:
        out.print(f"{d['key']}: {d['rows']} rows, updated {d['updated'] or '—'} → {', '.join(d['files'].values())}")
    console.print(f"[green]{len(written)} datasets written to {directory}")


@report_app.command("monthly")
def monthly(
    output: Annotated[Path, typer.Argument(help="file to write: .pdf, .xlsx or .hwpx")],
    username: Annotated[str, typer.Option("--as", help="the officer whose dashboard the report shows")],
    complex: Annotated[str | None, typer.Option("--complex", help="complex slug")] = None,
) -> None:
    """The monthly report from an officer's dashboard figures, as PDF, Excel or HWPX."""
    django_setup()
    from django.contrib.auth import get_user_model

    from techvalley.core.scoping import viewer_for
    from techvalley.portal import report

    fmt = output.suffix.lstrip(".").lower()
    if fmt not in report.FORMATS:
        raise fail("파일 형식은 .pdf, .xlsx, .hwpx 중 하나입니다. / The file is .pdf, .xlsx or .hwpx.")
    cx = complex_or_exit(complex)
    user = get_user_model().objects.filter(username=username).first()
    viewer = viewer_for(user) if user else None
    if viewer is None or not viewer.is_officer_of(cx.pk):
        raise fail(f"{cx.slug}의 구청 담당자가 아닙니다: {username} / not an officer of {cx.slug}: {username}")
    output.write_bytes(report.render(report.build(viewer, cx), fmt))
    console.print(f"[green]{output}")


GROUPS = {"opendata": opendata_app, "report": report_app}
