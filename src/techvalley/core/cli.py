"""Core's command-line tools, and the helpers every app's ``cli.py`` uses.

Each app owns its ``cli.py`` with a ``GROUPS`` mapping (name → ``typer.Typer``); the root
command (``techvalley.cli``) adds them all. Nothing here imports an app.

Core's own commands set up an installation for a real complex without the demo:
``migrate``, ``complex``, ``org``, ``user``, ``token`` and the interactive ``setup``. They
change data only through ``core.services`` and answer bad input with its message and exit
code 2, never a traceback.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

#: Messages: not wrapped, so a log or a test sees each message on one line.
console = Console(stderr=True, soft_wrap=True)
out = Console()

complex_app = typer.Typer(help="Industrial complexes (산업단지): add, edit, list.", no_args_is_help=True)
org_app = typer.Typer(
    help="Organisations (기관): companies, universities, agencies, district offices, centres.", no_args_is_help=True
)
user_app = typer.Typer(help="People who sign in (사용자) and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for machine clients.", no_args_is_help=True)

KINDS_HELP = "company | university | agency | district | support_centre"
ROLES_HELP = "manager | member | officer | planner"
ADD_HINT = "`techvalley complex add SLUG --name …` or `techvalley setup`"


def django_setup(migrate: bool = True) -> None:
    """Set Django up and (by default) apply the migrations, so every command works on a fresh
    data directory. A data directory or database that cannot be used ends the command with a
    message, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        django.setup()
        if migrate and _unapplied_migrations():
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
    except OSError as exc:
        where = os.environ.get("TECHVALLEY_DATA_DIR", "var")
        raise fail(
            f"데이터 폴더를 쓸 수 없습니다 (TECHVALLEY_DATA_DIR={where}): {exc} "
            f"/ cannot use the data directory (TECHVALLEY_DATA_DIR={where}): {exc}"
        ) from None
    except (DatabaseError, ImproperlyConfigured) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise fail(
            f"데이터베이스를 쓸 수 없습니다 (DATABASE_URL 또는 데이터 폴더를 확인하세요): {first} "
            f"/ cannot use the database (check DATABASE_URL or the data directory): {first}"
        ) from None


def _unapplied_migrations() -> bool:
    """Whether the database lacks a migration (checking is quick; a no-op ``migrate`` is not)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def progress_bar() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a message in red (no markup interpreted) and return the exit to raise."""
    console.print(f"[red]{escape(message)}")
    return typer.Exit(code)


@contextlib.contextmanager
def clear_errors() -> Iterator[None]:
    """Bad input ends the command with its message and exit code 2, not a traceback."""
    from techvalley.core.validation import BadInput

    try:
        yield
    except BadInput as exc:
        raise fail(exc.message) from None


def complex_or_exit(slug: str | None):
    """The complex a command works on: ``--complex SLUG``, else the installation's default, else
    the only complex there is."""
    from techvalley.core.models import Complex
    from techvalley.core.selectors import complex_for

    cx = complex_for(slug)
    if cx is None:
        known = list(Complex.objects.values_list("slug", flat=True))
        if not known:
            raise fail(
                "산업단지가 아직 없습니다: `techvalley complex add SLUG --name …` 또는 `techvalley setup`으로 "
                f"추가하세요. / No complex yet: add one with {ADD_HINT}."
            )
        if not slug:
            raise fail(
                f"산업단지가 여럿입니다: --complex로 고르세요 ({', '.join(known)}). "
                f"/ Several complexes: choose one with --complex ({', '.join(known)})."
            )
        raise fail(
            f"산업단지 '{slug}'이(가) 없습니다 (등록된 단지: {', '.join(known)}). "
            f"/ No complex '{slug}'. Known: {', '.join(known)}."
        )
    return cx


def cli_actor() -> str:
    """The audit label of changes made from the command line: the account that ran it (from the
    environment, or the process's own account when a service manager sets no USER)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # an account with no name (a container's bare uid)
        user = f"uid {os.getuid()}"
    return f"cli:{user}"


@contextlib.contextmanager
def as_cli() -> Iterator[None]:
    """Changes inside are audited as the command line's user, and bad input exits cleanly."""
    from techvalley.core.audit import acting_as

    with clear_errors(), acting_as(None, cli_actor()):
        yield


def write_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def read_password_file(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"비밀번호 파일을 읽을 수 없습니다: {path} ({exc}) / cannot read the password file.") from None
    return lines[0].strip() if lines else ""


def show_generated_password(username: str, password: str) -> None:
    if password:
        out.print(f"{escape(username)} 비밀번호 (한 번만 표시) / password (shown once): {escape(password)}")


# --- top-level commands ----------------------------------------------------------------------


def serve(host: str = "127.0.0.1", port: int = 8000, migrate: bool = True) -> None:
    """Serve the platform (Django's threaded server; put a WSGI server in front in production)."""
    django_setup(migrate=migrate)
    from django.core.management import call_command

    console.print(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


def migrate() -> None:
    """Create or update the database tables (every other command does this first, too)."""
    django_setup(migrate=False)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    where = escape(str(connection.settings_dict["NAME"]))
    console.print(f"[green]데이터베이스 준비됨 / Database ready[/] ({connection.vendor}: {where})")


def createadmin(
    username: Annotated[str, typer.Option(prompt=True)] = "admin",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
    email: str = "",
) -> None:
    """Create (or reset the password of) a superuser."""
    django_setup()
    from techvalley.core import services

    with as_cli():
        services.make_superuser(username, password, email)
    console.print(f"[green]관리자 {escape(username)} 준비됨 / Superuser {escape(username)} ready.")


def setup(
    slug: Annotated[str | None, typer.Option("--slug", help="the complex's slug, e.g. sinpyeong-jangnim")] = None,
    name: Annotated[str | None, typer.Option("--name", help="the complex's name, e.g. 신평·장림일반산업단지")] = None,
    sigungu: Annotated[str | None, typer.Option("--sigungu", help="시군구, e.g. 사하구")] = None,
    dong: Annotated[list[str] | None, typer.Option("--dong", help="법정동 of the complex (repeat)")] = None,
    district: Annotated[str | None, typer.Option("--district", help="the district office, e.g. 사하구청")] = None,
    officer: Annotated[str | None, typer.Option("--officer", help="username of the first district officer")] = None,
    email: Annotated[str | None, typer.Option("--email", help="the officer's e-mail")] = None,
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="the officer's password (first line); else asked")
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Ask nothing: missing values are errors; no password → generated.")
    ] = False,
) -> None:
    """Day one: the complex, its district office and the first district officer, asked one by one."""
    django_setup()
    from django.db import transaction

    from techvalley.core import services
    from techvalley.core.models import Complex, Organisation

    def ask(value, prompt: str, default: str | None = None, required: bool = True):
        if value not in (None, ""):
            return value
        if no_input:
            if default is not None or not required:
                return default or ""
            raise fail(f"--no-input: {prompt} 값이 필요합니다. / {prompt} is required.")
        return typer.prompt(prompt, default=default if default is not None else ("" if not required else None))

    with clear_errors():
        slug = services.check_slug(ask(slug, "Complex slug (단지 식별자, 예: sinpyeong-jangnim)"))
        existing = Complex.objects.filter(slug=slug).first()
        if existing is None:
            name = ask(name, "Complex name (단지 이름)")
            sigungu = ask(sigungu, "시군구 (e.g. 사하구)", required=False)
            if dong is None and not no_input:
                typed = typer.prompt("법정동, comma-separated (쉼표로 구분, 예: 장림동,신평동)", default="")
                dong = [d.strip() for d in typed.split(",") if d.strip()]
            services._complex_values({"name": name, "sigungu": sigungu or "", "legal_dongs": dong or []})
        place = existing.sigungu if existing else sigungu
        district = ask(district, "District office (구청 이름)", default=f"{place}청" if place else None)
        officer = ask(officer, "First officer's username (담당자 아이디)")
        email = ask(email, "Officer's e-mail (이메일, optional)", default="", required=False)
        if password_file is not None:
            password = read_password_file(password_file)
        elif no_input:
            password = ""
        else:
            password = typer.prompt(
                "Password (비밀번호; empty: generate one)", default="", hide_input=True, show_default=False
            )
            if password:
                again = typer.prompt("Repeat the password (다시 입력)", hide_input=True)
                if again != password:
                    raise fail("비밀번호가 서로 다릅니다. / The passwords differ.")
        with as_cli(), transaction.atomic():
            cx = existing or services.add_complex(slug, name, sigungu=sigungu or "", legal_dongs=dong or [])
            org = Organisation.objects.filter(complex=cx, name=district).first()
            if org is None:
                org = services.add_organisation(cx, Organisation.Kind.DISTRICT, district)
            elif org.kind != Organisation.Kind.DISTRICT:
                raise fail(f"'{district}'은(는) 구청이 아닙니다 ({org.kind}). / '{district}' is not a district office.")
            made = services.add_user(officer, password or None, org, "officer", email or "")
    console.print(
        f"[green]준비됨 / Ready[/]: {escape(cx.name)} ({cx.slug}) · {escape(org.name)} · "
        f"담당자 / officer {escape(made.user.username)}"
    )
    show_generated_password(made.user.username, made.generated_password)
    console.print(
        "다음 / Next: `techvalley registry import FILE`, `techvalley card import CARD.txt`, `techvalley serve` "
        "(docs/operations.md, 'Installing for your complex')."
    )


# --- complexes -------------------------------------------------------------------------------


def _complex_row(cx) -> dict:
    return {
        "slug": cx.slug,
        "name": cx.name,
        "name_en": cx.name_en,
        "sigungu": cx.sigungu,
        "legal_dongs": cx.legal_dongs,
        "area_km2": float(cx.area_km2) if cx.area_km2 is not None else None,
        "founded_year": cx.founded_year,
        "organisations": getattr(cx, "n_orgs", None),
    }


@complex_app.command("add")
def complex_add(
    slug: Annotated[str, typer.Argument(help="identifier in URLs and commands, e.g. sinpyeong-jangnim")],
    name: Annotated[str, typer.Option("--name", help="e.g. 신평·장림일반산업단지")],
    name_en: Annotated[str, typer.Option("--name-en")] = "",
    sigungu: Annotated[str, typer.Option("--sigungu", help="시군구 of the complex, e.g. 사하구")] = "",
    dong: Annotated[
        list[str] | None, typer.Option("--dong", help="법정동 (repeat); registry rows there belong to the complex")
    ] = None,
    area_km2: Annotated[str | None, typer.Option("--area-km2")] = None,
    founded_year: Annotated[str | None, typer.Option("--founded-year")] = None,
) -> None:
    """Add an industrial complex. Registry rows whose address is in its 시군구 and 법정동 belong to it."""
    django_setup()
    from techvalley.core import services

    with as_cli():
        cx = services.add_complex(
            slug,
            name,
            name_en=name_en,
            sigungu=sigungu,
            legal_dongs=dong or [],
            area_km2=area_km2,
            founded_year=founded_year,
        )
    console.print(f"[green]산업단지 추가됨 / Complex added[/]: {escape(cx.name)} ({cx.slug})")
    if not cx.sigungu or not cx.legal_dongs:
        console.print(
            "[yellow]시군구·법정동이 아직 없습니다: 공장등록 자료는 이 값으로 단지에 배정됩니다. "
            "/ No 시군구 or 법정동 yet: registry imports place rows by them "
            f"(`techvalley complex edit {cx.slug} --sigungu … --dong …`)."
        )


@complex_app.command("edit")
def complex_edit(
    slug: str,
    name: Annotated[str | None, typer.Option("--name")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en")] = None,
    sigungu: Annotated[str | None, typer.Option("--sigungu")] = None,
    dong: Annotated[list[str] | None, typer.Option("--dong", help="법정동 (repeat): replaces the list")] = None,
    area_km2: Annotated[str | None, typer.Option("--area-km2")] = None,
    founded_year: Annotated[str | None, typer.Option("--founded-year")] = None,
) -> None:
    """Change a complex: only the options given change (``--dong`` replaces the whole list)."""
    django_setup()
    from techvalley.core import services

    given = {
        "name": name,
        "name_en": name_en,
        "sigungu": sigungu,
        "legal_dongs": dong,
        "area_km2": area_km2,
        "founded_year": founded_year,
    }
    values = {k: v for k, v in given.items() if v is not None}
    if not values:
        raise fail("바꿀 값이 없습니다 (--name, --sigungu, --dong …). / Nothing to change.")
    with as_cli():
        cx = services.update_complex(slug, **values)
    console.print(f"[green]산업단지 수정됨 / Complex updated[/]: {escape(cx.name)} ({cx.slug})")


@complex_app.command("list")
def complex_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The complexes of this installation."""
    django_setup()
    from django.db.models import Count

    from techvalley.core.models import Complex

    rows = [_complex_row(cx) for cx in Complex.objects.annotate(n_orgs=Count("organisations")).order_by("slug")]
    if as_json:
        write_json(rows)
        return
    if not rows:
        console.print(f"산업단지가 아직 없습니다 / No complex yet: {ADD_HINT}.")
        return
    table = Table()
    for col in ("slug", "name", "sigungu", "legal dongs", "km²", "organisations"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["slug"],
            escape(r["name"]),
            escape(r["sigungu"]),
            escape(", ".join(r["legal_dongs"])),
            "" if r["area_km2"] is None else f"{r['area_km2']:g}",
            str(r["organisations"]),
        )
    out.print(table)


# --- organisations ---------------------------------------------------------------------------


@org_app.command("add")
def org_add(
    name: Annotated[str, typer.Argument(help="e.g. 사하구청, 동아대학교 산학협력단")],
    kind: Annotated[str, typer.Option("--kind", help=KINDS_HELP)],
    complex: Annotated[str | None, typer.Option("--complex", help="complex slug")] = None,
) -> None:
    """Add an organisation to a complex (a district office for the officers, companies, …)."""
    django_setup()
    from techvalley.core import services

    with as_cli():
        cx = services.get_complex(complex) if complex else complex_or_exit(None)
        org = services.add_organisation(cx, kind, name)
    console.print(f"[green]기관 추가됨 / Organisation added[/]: {escape(org.name)} ({org.kind}) in {cx.slug}")


@org_app.command("list")
def org_list(
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The organisations of a complex and how many people each has."""
    django_setup()
    from django.db.models import Count

    from techvalley.core.models import Organisation

    with clear_errors():
        cx = complex_or_exit(complex)
    orgs = Organisation.objects.filter(complex=cx).annotate(people=Count("memberships")).order_by("kind", "name")
    rows = [{"name": o.name, "kind": o.kind, "people": o.people} for o in orgs]
    if as_json:
        write_json(rows)
        return
    table = Table(title=escape(cx.name))
    for col in ("name", "kind", "people"):
        table.add_column(col)
    for r in rows:
        table.add_row(escape(r["name"]), r["kind"], str(r["people"]))
    out.print(table)


# --- people ----------------------------------------------------------------------------------


@user_app.command("add")
def user_add(
    username: str,
    org: Annotated[str | None, typer.Option("--org", help="organisation name (see `techvalley org list`)")] = None,
    role: Annotated[str | None, typer.Option("--role", help=ROLES_HELP)] = None,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    email: Annotated[str, typer.Option("--email")] = "",
    password: Annotated[
        str | None, typer.Option("--password", help="visible to other local users: prefer --password-file")
    ] = None,
    password_file: Annotated[Path | None, typer.Option("--password-file", help="first line is the password")] = None,
) -> None:
    """Add a person with a role in an organisation. Without a password one is generated and shown once."""
    django_setup()
    from techvalley.core import services

    if password is not None and password_file is not None:
        raise fail("--password와 --password-file 중 하나만 쓰세요. / Give --password or --password-file, not both.")
    if password_file is not None:
        password = read_password_file(password_file)
    with as_cli():
        organisation = None
        if org is not None:
            cx = services.get_complex(complex) if complex else complex_or_exit(None)
            organisation = services.get_organisation(cx, org)
        made = services.add_user(username, password, organisation, role, email)
    where = f" · {made.membership.role} of {escape(organisation.name)}" if made.membership else ""
    console.print(f"[green]사용자 추가됨 / User added[/]: {escape(made.user.username)}{where}")
    show_generated_password(made.user.username, made.generated_password)


@user_app.command("role")
def user_role(
    username: str,
    org: Annotated[str, typer.Option("--org")],
    role: Annotated[str | None, typer.Option("--role", help=ROLES_HELP)] = None,
    complex: Annotated[str | None, typer.Option("--complex")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="End the membership instead.")] = False,
) -> None:
    """Give a user a role in an organisation, change it, or (``--remove``) end it."""
    django_setup()
    from techvalley.core import services

    with as_cli():
        cx = services.get_complex(complex) if complex else complex_or_exit(None)
        user = services.get_user(username)
        organisation = services.get_organisation(cx, org)
        if remove:
            done = services.remove_role(user, organisation)
            console.print(
                f"[green]역할 해제됨 / Removed[/]: {escape(username)} · {escape(organisation.name)}"
                if done
                else "해당 소속이 없습니다. / No such membership."
            )
            return
        if role is None:
            raise fail("--role이 필요합니다 (또는 --remove). / --role is required (or --remove).")
        m = services.set_role(user, organisation, role)
    console.print(f"[green]{escape(username)}[/]: {m.role} of {escape(organisation.name)}")


@user_app.command("password")
def user_password(
    username: str,
    password_file: Annotated[Path | None, typer.Option("--password-file", help="first line is the password")] = None,
    generate: Annotated[bool, typer.Option("--generate", help="Make one up and show it once.")] = False,
) -> None:
    """Set a user's password: asked twice, read from a file, or generated (shown once)."""
    django_setup()
    from techvalley.core import services

    if password_file is not None:
        password = read_password_file(password_file)
    elif generate:
        password = ""
    else:
        password = typer.prompt("New password (새 비밀번호)", hide_input=True, confirmation_prompt=True)
    with as_cli():
        generated = services.set_password(services.get_user(username), password)
    console.print(f"[green]비밀번호 변경됨 / Password changed[/]: {escape(username)}")
    show_generated_password(username, generated)


@user_app.command("edit")
def user_edit(
    username: str,
    email: Annotated[str | None, typer.Option("--email")] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="--inactive: no sign-in, no API tokens")
    ] = None,
) -> None:
    """Change a user's e-mail, or switch the account off (--inactive) or on (--active)."""
    django_setup()
    from techvalley.core import services

    if email is None and active is None:
        raise fail("바꿀 값이 없습니다 (--email, --active/--inactive). / Nothing to change.")
    with as_cli():
        user = services.update_user(services.get_user(username), email=email, active=active)
    state = "사용 중 / active" if user.is_active else "사용 중지 / inactive"
    console.print(f"[green]사용자 수정됨 / User updated[/]: {escape(username)} ({state})")


@user_app.command("list")
def user_list(
    complex: Annotated[str | None, typer.Option("--complex", help="only people of this complex")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """People, their organisations and roles."""
    django_setup()
    from django.contrib.auth import get_user_model

    from techvalley.core.models import Membership

    users = get_user_model().objects.order_by("username").prefetch_related("memberships__organisation__complex")
    if complex:
        with clear_errors():
            cx = complex_or_exit(complex)
        users = users.filter(memberships__organisation__complex=cx).distinct()
    rows = []
    for u in users:
        ms: list[Membership] = list(u.memberships.all())
        rows.append(
            {
                "username": u.username,
                "email": u.email,
                "active": u.is_active,
                "superuser": u.is_superuser,
                "roles": [
                    {"complex": m.organisation.complex.slug, "organisation": m.organisation.name, "role": m.role}
                    for m in ms
                ],
            }
        )
    if as_json:
        write_json(rows)
        return
    table = Table()
    for col in ("username", "roles", "e-mail", "active"):
        table.add_column(col)
    for r in rows:
        roles = "; ".join(f"{x['role']} · {x['organisation']} ({x['complex']})" for x in r["roles"])
        if r["superuser"]:
            roles = ("admin; " + roles).strip("; ")
        table.add_row(escape(r["username"]), escape(roles), escape(r["email"]), "yes" if r["active"] else "no")
    out.print(table)


# --- API tokens ------------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    username: str, name: Annotated[str, typer.Option("--name", help="what the client is")] = "cli"
) -> None:
    """Create an API token for a user and print it (shown once: only the key goes to stdout)."""
    django_setup()
    from techvalley.core import services

    with as_cli():
        token = services.create_token(services.get_user(username), name)
    console.print(f"[green]토큰 {token.pk} · {escape(username)}[/] (한 번만 표시 / shown once):")
    out.print(token.key)


@token_app.command("list")
def token_list(
    username: Annotated[str | None, typer.Option("--user")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tokens (never their keys): id, user, name, created, last used."""
    django_setup()
    from techvalley.core import services
    from techvalley.core.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("id")
    if username:
        with clear_errors():
            tokens = tokens.filter(user=services.get_user(username))
    rows = [
        {"id": t.pk, "user": t.user.username, "name": t.name, "created": t.created, "last_used": t.last_used}
        for t in tokens
    ]
    if as_json:
        write_json(rows)
        return
    table = Table()
    for col in ("id", "user", "name", "created", "last used"):
        table.add_column(col)
    for r in rows:
        used = f"{r['last_used']:%Y-%m-%d %H:%M}" if r["last_used"] else "never"
        table.add_row(str(r["id"]), escape(r["user"]), escape(r["name"]), f"{r['created']:%Y-%m-%d %H:%M}", used)
    out.print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="the token's id (see `techvalley token list`)")]) -> None:
    """Revoke a token: its clients are refused from now on."""
    django_setup()
    from techvalley.core import services

    with as_cli():
        token = services.revoke_token(token_id)
    console.print(
        f"[green]토큰 폐기됨 / Token revoked[/]: {token.pk} ({escape(token.name)}, {escape(token.user.username)})"
    )


privacy_app = typer.Typer(
    help="Personal data (개인정보): a person's export, retention-based erasure.", no_args_is_help=True
)


@privacy_app.command("export")
def privacy_export(username: str, output: Annotated[str, typer.Option("-o", "--output")] = "") -> None:
    """Everything the platform holds about one person, as JSON (열람 청구)."""
    django_setup()
    from techvalley.core import privacy

    raise typer.Exit(privacy.export_command(username, output))


@privacy_app.command("purge")
def privacy_purge(dry_run: Annotated[bool, typer.Option("--dry-run")] = False) -> None:
    """Erase personal data whose retention ended or whose consent was withdrawn (run daily)."""
    django_setup()
    from techvalley.core import privacy

    raise typer.Exit(privacy.purge_command(dry_run))


GROUPS = {"complex": complex_app, "org": org_app, "user": user_app, "token": token_app, "privacy": privacy_app}
COMMANDS = [serve, migrate, createadmin, setup]
