"""The registry's command-line tools: registry import/export and KSIC look-ups."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from techvalley.core.cli import cli_actor, complex_or_exit, console, django_setup, out, progress_bar

registry_app = typer.Typer(help="Company registry: import and export factory registries.", no_args_is_help=True)
ksic_app = typer.Typer(help="Korean Standard Industrial Classification tools.", no_args_is_help=True)


@registry_app.command("import")
def registry_import(
    file: Annotated[Path, typer.Argument(help="CSV (CP949/UTF-8), KICOX JSON/CSV, or .xlsx")],
    complex: Annotated[str | None, typer.Option("--complex", help="complex slug")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the good rows, report bad.")] = False,
    partial: Annotated[
        bool, typer.Option("--partial", help="The file is not a full snapshot: do not mark absent companies as gone.")
    ] = False,
    allow_removals: Annotated[
        bool,
        typer.Option(
            "--allow-removals",
            help="Confirm that the companies missing from a full file left the registry, even when they are "
            "more than TECHVALLEY_REGISTRY_MAX_REMOVAL_SHARE (10%) or TECHVALLEY_REGISTRY_MAX_REMOVALS (50).",
        ),
    ] = False,
    by_rules: Annotated[
        bool,
        typer.Option(
            "--by-rules",
            help="The file covers many complexes (a whole city's registry): give each row to the complex its "
            "address rules name (`techvalley registry rules`); rows of no complex are counted, not imported.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import a factory registry into a complex (or, with --by-rules, into every complex its rows
    belong to): validated whole, all-or-nothing, idempotent."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.registry import labels, services
    from techvalley.registry.parsers import RegistryFileError

    if by_rules:
        _import_by_rules(file, complex, dry_run, skip_invalid, partial, allow_removals, as_json)
        return
    cx = complex_or_exit(complex)
    outcome = "imported"
    with progress_bar() as bar, acting_as(None, cli_actor()):
        task = bar.add_task("import", total=None)

        def note(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"import: {stage}", completed=done, total=total)

        try:
            result = services.import_registry(
                file,
                cx,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                snapshot=not partial,
                allow_removals=allow_removals,
                progress=note,
            )
            if result.needs_confirmation:
                outcome = "confirm"
            elif dry_run:
                outcome = "dry_run"
        except services.ImportRejected as exc:
            result, outcome = exc.result, "rejected"
        except services.RemovalsNotConfirmed as exc:
            result, outcome = exc.result, "confirm"
        except (RegistryFileError, BadInput) as exc:
            if as_json:
                out.print_json(json.dumps({"error": str(exc)}, ensure_ascii=False))
            else:
                console.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from exc
    if as_json:
        out.print_json(
            json.dumps({**result.as_dict(), "rejected": outcome == "rejected", "outcome": outcome}, ensure_ascii=False)
        )
    else:
        for e in result.errors[:50]:
            console.print(f"{e.line}행 / line {e.line}: {e.reason}", markup=False, highlight=False)
        if len(result.errors) > 50:
            console.print(f"… 그 밖에 잘못된 행 {len(result.errors) - 50}개 (--json으로 전부 보기) / and more")
        if outcome == "confirm":
            for g in result.gone[:50]:
                console.print(f"  - {g['name']} ({g['address']})", markup=False, highlight=False)
            if len(result.gone) > 50:
                console.print(f"  … 그 밖에 {len(result.gone) - 50}곳 / and {len(result.gone) - 50} more")
        verdict = {
            "rejected": "[red]거부됨 — 아무것도 가져오지 않았습니다 (행을 고치거나 --skip-invalid). "
            "/ rejected: nothing imported (fix the rows or use --skip-invalid)",
            "confirm": f"[red]중단 — 등록에서 빠질 기업이 {result.counts['missing']}곳으로 너무 많습니다. 파일이 "
            "일부라면 --partial, 실제로 빠졌다면 --allow-removals로 다시 실행하세요. 아무것도 쓰지 않았습니다. "
            "/ stopped: too many companies would be marked as gone; use --partial or --allow-removals",
            "dry_run": "[cyan]시험 실행 — 아무것도 쓰지 않았습니다 / dry run: nothing written",
            "imported": "[green]가져왔습니다 / imported",
        }[outcome]
        console.print(verdict)
        out.print(" · ".join(f"{label} {value}" for _key, label, value in labels.import_summary(result.counts)))
    if outcome in ("rejected", "confirm") or not result.ok:
        raise typer.Exit(1)


def _import_by_rules(file, complex, dry_run, skip_invalid, partial, allow_removals, as_json) -> None:
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.registry import labels, services
    from techvalley.registry.parsers import RegistryFileError

    complexes = [complex_or_exit(slug) for slug in complex.split(",")] if complex else None
    outcome = "imported"
    with progress_bar() as bar, acting_as(None, cli_actor()):
        task = bar.add_task("import", total=None)

        def note(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"import: {stage}", completed=done, total=total)

        try:
            result = services.import_by_rules(
                file,
                complexes=complexes,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                snapshot=not partial,
                allow_removals=allow_removals,
                progress=note,
            )
            outcome = "confirm" if result.needs_confirmation else "dry_run" if dry_run else "imported"
        except services.CityImportStopped as exc:
            result, outcome = exc.result, exc.reason
        except (RegistryFileError, BadInput) as exc:
            if as_json:
                out.print_json(json.dumps({"error": str(exc)}, ensure_ascii=False))
            else:
                console.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from exc
    if as_json:
        out.print_json(json.dumps({**result.as_dict(), "outcome": outcome}, ensure_ascii=False))
    else:
        for e in result.errors[:50]:
            console.print(f"{e.line}행 / line {e.line}: {e.reason}", markup=False, highlight=False)
        table = Table(title="산업단지별 / by complex")
        for col in ("complex", "rows", "created", "updated", "unchanged", "missing", "review"):
            table.add_column(col)
        for slug, one in result.by_complex.items():
            c = one.counts
            flag = " ⚠" if one.needs_confirmation else ""
            table.add_row(
                f"{result.names.get(slug, slug)} ({slug}){flag}",
                *(str(c.get(k, 0)) for k in ("rows", "created", "updated", "unchanged", "missing", "review")),
            )
        out.print(table)
        c = result.counts
        console.print(
            f"행 {c['rows']} · 단지 배정 {c['assigned']} ({c['complexes']}개 단지) · 어느 단지에도 속하지 않음 "
            f"{c['unmatched']} · 두 단지가 겹침 {c['ambiguous']} · 잘못된 행 {c['invalid']} — 속하지 않거나 겹치는 "
            f"행은 가져오지 않았습니다 / rows {c['rows']}, assigned {c['assigned']} to {c['complexes']} complexes, "
            f"unmatched {c['unmatched']}, ambiguous {c['ambiguous']}, invalid {c['invalid']} (not imported)",
            markup=False,
            highlight=False,
        )
        for item in result.ambiguous[:20]:
            console.print(
                f"  겹침 / ambiguous {item['line']}행: {item['name']} ({item['address']}) "
                f"→ {', '.join(item['complexes'])}",
                markup=False,
                highlight=False,
            )
        verdict = {
            "rejected": "[red]거부됨 — 아무것도 가져오지 않았습니다 (행을 고치거나 --skip-invalid). "
            "/ rejected: nothing imported",
            "nothing_assigned": "[red]어느 행도 산업단지 규칙에 맞지 않아 아무것도 가져오지 않았습니다 "
            "(`techvalley registry rules list`). / no row matched any complex's rules: nothing imported",
            "confirm": "[red]중단 — ⚠ 표시된 단지에서 등록에서 빠질 기업이 너무 많습니다. --partial 또는 "
            "--allow-removals로 다시 실행하세요. 아무것도 쓰지 않았습니다. / stopped: too many removals",
            "dry_run": "[cyan]시험 실행 — 아무것도 쓰지 않았습니다 / dry run: nothing written",
            "imported": "[green]가져왔습니다 / imported",
        }[outcome]
        console.print(verdict)
        out.print(" · ".join(f"{label} {value}" for _key, label, value in labels.import_summary(result.counts)))
    if outcome in ("rejected", "confirm", "nothing_assigned") or not result.ok:
        raise typer.Exit(1)


# --- address rules ---------------------------------------------------------------------------

rules_app = typer.Typer(
    help="Address rules: which registry rows (시군구, 법정동, address text) belong to which complex.",
    no_args_is_help=True,
)
registry_app.add_typer(rules_app, name="rules")


def _fail(exc) -> None:
    console.print(getattr(exc, "message", str(exc)), style="red", markup=False, highlight=False)
    raise typer.Exit(2) from exc


@rules_app.command("list")
def rules_list(
    complex: Annotated[str | None, typer.Option("--complex", help="only this complex's rules")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The rules of every complex (a complex without rules is described by its 시군구 and 법정동)."""
    django_setup()
    from techvalley.registry.rules import RuleSet

    ruleset = RuleSet.from_db([complex_or_exit(complex)] if complex else None)
    from techvalley.core.models import Complex

    slugs = dict(Complex.objects.values_list("id", "slug"))
    rows = [
        {
            "id": r.rule_id,
            "complex": slugs.get(r.complex_id, r.complex_id),
            "sido": r.sido,
            "sigungu": r.sigungu,
            "legal_dong": r.legal_dong,
            "address_contains": r.address_contains,
            "from": "rule" if r.rule_id else "complex",
        }
        for r in sorted(ruleset.rules, key=lambda r: (str(slugs.get(r.complex_id)), r.sigungu, r.legal_dong))
    ]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table()
    for col in ("id", "complex", "sido", "sigungu", "legal_dong", "address_contains", "from"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            *(str(r[k] or "") for k in ("id", "complex", "sido", "sigungu", "legal_dong", "address_contains")),
            "규칙 / rule" if r["from"] == "rule" else "단지의 시군구·법정동 / the complex's 시군구·법정동",
        )
    out.print(table)


@rules_app.command("add")
def rules_add(
    complex: Annotated[str, typer.Argument(help="complex slug")],
    sigungu: Annotated[str, typer.Option("--sigungu", help="시군구, e.g. 강서구")],
    dong: Annotated[str, typer.Option("--dong", help="법정동, e.g. 송정동 (empty: the whole 시군구)")] = "",
    contains: Annotated[str, typer.Option("--contains", help="text the address contains, e.g. 녹산산단")] = "",
    sido: Annotated[str, typer.Option("--sido", help="시도, e.g. 부산광역시")] = "",
    note: Annotated[str, typer.Option("--note")] = "",
) -> None:
    """Add a rule: rows whose address matches it belong to the complex."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.registry import services

    cx = complex_or_exit(complex)
    try:
        with acting_as(None, cli_actor()):
            rule = services.add_rule(
                cx, sigungu=sigungu, legal_dong=dong, address_contains=contains, sido=sido, note=note
            )
    except BadInput as exc:
        _fail(exc)
    console.print(f"[green]규칙 {rule.pk}: {rule} → {cx.slug} / rule added", highlight=False)


@rules_app.command("remove")
def rules_remove(rule_id: Annotated[int, typer.Argument(help="the rule's id (`rules list`)")]) -> None:
    """Remove a rule."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.registry import services

    try:
        with acting_as(None, cli_actor()):
            services.remove_rule(rule_id)
    except BadInput as exc:
        _fail(exc)
    console.print(f"[green]규칙 {rule_id}을(를) 지웠습니다 / rule removed")


@rules_app.command("load")
def rules_load(
    file: Annotated[
        Path, typer.Argument(help="CSV: complex,complex_name,sido,sigungu,legal_dong,address_contains,note")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count; change nothing.")] = False,
    add_complexes: Annotated[
        bool,
        typer.Option("--add-complexes", help="Add the complexes the file names (slug, complex_name) that are missing."),
    ] = False,
) -> None:
    """Make the rules exactly those of the file: validated whole, all-or-nothing, idempotent.
    An example for Busan: src/techvalley/registry/data/busan_complex_rules.csv."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.registry import services

    try:
        with acting_as(None, cli_actor()):
            counts = services.load_rules(file, dry_run=dry_run, add_complexes=add_complexes)
    except BadInput as exc:
        _fail(exc)
    head = "[cyan]시험 실행 / dry run" if dry_run else "[green]규칙을 바꿨습니다 / rules replaced"
    console.print(
        f"{head}: 규칙 {counts['rules']} · 새로 {counts['created']} · 바뀜 {counts['changed']} · 지움 "
        f"{counts['removed']} · 그대로 {counts['unchanged']}"
    )


@rules_app.command("export")
def rules_export(output: Annotated[Path, typer.Option("-o", "--output", help=".csv (UTF-8 with BOM)")]) -> None:
    """Write the stored rules as a rules file (edit it, then `rules load` it)."""
    import csv

    django_setup()
    from techvalley.core.validation import safe_row
    from techvalley.registry import services

    rows = services.rules_rows()
    with open(output, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(services.RULE_COLUMNS)
        for row in rows:
            w.writerow(safe_row(row))
    console.print(f"[green]규칙 {len(rows)}개를 {output}에 썼습니다 / {len(rows)} rules written")


# --- contact persons ---------------------------------------------------------------------------

contacts_app = typer.Typer(help="Contact persons (담당자) of companies, each with its consent.", no_args_is_help=True)
registry_app.add_typer(contacts_app, name="contacts")


@contacts_app.command("import")
def contacts_import(
    file: Annotated[Path, typer.Argument(help="CSV: 사업자등록번호 or 회사명, 성명, 직위, 전화, 이메일")],
    note: Annotated[
        str, typer.Option("--note", help="how the consents were obtained (when, how, by whom) — required")
    ] = "",
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    retention_days: Annotated[int | None, typer.Option("--retention-days", help="default 1095 (3 years)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; store nothing.")] = False,
) -> None:
    """Import contact persons, recording for each the consent that keeps them (an officer's
    import: ``--note`` says how the consents were obtained). All rows or none."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.validation import BadInput
    from techvalley.registry import services

    cx = complex_or_exit(complex)
    try:
        with acting_as(None, cli_actor()):
            counts = services.import_contacts(None, cx, file, note=note, retention_days=retention_days, dry_run=dry_run)
    except (BadInput, OSError) as exc:
        _fail(exc)
    verb = "확인 / checked" if dry_run else "등록 / added"
    console.print(f"[green]담당자 {counts['rows']}명 ({counts['companies']}개 회사) {verb}", highlight=False)


@contacts_app.command("unconsented")
def contacts_unconsented(
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    erase: Annotated[bool, typer.Option("--erase", help="erase them (and their values in the audit trail)")] = False,
) -> None:
    """Contacts kept under no consent (recorded before consents were kept, or in the admin):
    list them (masked), or erase them. Record a consent by adding the person again (form, API,
    `contacts import`)."""
    django_setup()
    from techvalley.core.audit import acting_as
    from techvalley.core.privacy import mask_name, mask_phone
    from techvalley.registry import services

    cx = complex_or_exit(complex)
    if erase:
        with acting_as(None, cli_actor()):
            n = services.erase_contacts_without_consent(cx)
        console.print(f"[green]동의 없는 담당자 {n}명을 파기했습니다 / {n} contacts erased", highlight=False)
        return
    rows = list(services.contacts_without_consent(cx))
    table = Table()
    for col in ("id", "company", "name", "phone"):
        table.add_column(col)
    for c in rows:
        table.add_row(str(c.pk), c.company.name, mask_name(c.name), mask_phone(c.phone))
    out.print(table)
    console.print(f"동의 기록이 없는 담당자 {len(rows)}명 / {len(rows)} contacts without a consent", highlight=False)


@registry_app.command("export")
def registry_export(
    output: Annotated[Path, typer.Option("-o", "--output", help=".csv (UTF-8 with BOM) or .xlsx")],
    complex: Annotated[str | None, typer.Option("--complex")] = None,
) -> None:
    """Export the complex's companies (contacts are masked: exports travel; formulas neutralised)."""
    django_setup()
    from techvalley.core.validation import BadInput
    from techvalley.registry.exports import all_companies, check_format, export_companies

    try:
        check_format(output)
    except BadInput as exc:
        console.print(exc.message, style="red", markup=False)
        raise typer.Exit(2) from exc
    n = export_companies(all_companies(complex_or_exit(complex)), output)
    console.print(f"[green]기업 {n}곳을 {output}에 썼습니다 / {n} companies written to {output}")


@ksic_app.command("resolve")
def ksic_resolve(
    names: Annotated[list[str] | None, typer.Argument(help="industry names as registries write them")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="one name a line (UTF-8 or CP949)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Resolve industry names to KSIC codes; unplaceable names are flagged for review."""
    from techvalley.registry import ksic
    from techvalley.registry.parsers import decode

    items = list(names or [])
    if file is not None:
        text, _ = decode(file.read_bytes())
        items += [line.strip() for line in text.splitlines() if line.strip()]
    if not items:
        console.print("[red]Give names or --file.")
        raise typer.Exit(2)
    results = [ksic.resolve(n) for n in items]
    if as_json:
        sys.stdout.write(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1) + "\n")
        return
    table = Table()
    for col in ("input", "code", "name", "rev", "level", "method", "status", "confidence"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r.input,
            r.code or "—",
            r.name or (f"? {r.suggestion}" if r.suggestion else "—"),
            str(r.revision or ""),
            ksic.LEVEL_NAMES.get(r.level, ""),
            r.method,
            r.status,
            f"{r.confidence:.2f}",
        )
    out.print(table)


GROUPS = {"registry": registry_app, "ksic": ksic_app}
