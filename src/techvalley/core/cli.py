"""Core's command-line tools, and the helpers every app's ``cli.py`` uses.

Each app owns its ``cli.py`` with a ``GROUPS`` mapping (name → ``typer.Typer``); the root
command (``techvalley.cli``) adds them all. Nothing here imports an app.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

console = Console(stderr=True)
out = Console()

token_app = typer.Typer(help="API tokens for machine clients.", no_args_is_help=True)


def django_setup(migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


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


def complex_or_exit(slug: str | None):
    from django.conf import settings

    from techvalley.core.models import Complex

    slug = slug or settings.TECHVALLEY_DEFAULT_COMPLEX
    cx = Complex.objects.filter(slug=slug).first()
    if cx is None:
        known = ", ".join(Complex.objects.values_list("slug", flat=True)) or "none — run `techvalley demo`"
        console.print(f"[red]No complex '{slug}'. Known: {known}")
        raise typer.Exit(2)
    return cx


def cli_actor() -> str:
    """The audit label of changes made from the command line."""
    return f"cli:{os.environ.get('USER', 'unknown')}"


def serve(host: str = "127.0.0.1", port: int = 8000, migrate: bool = True) -> None:
    """Serve the platform (Django's threaded server; put a WSGI server in front in production)."""
    django_setup(migrate=migrate)
    from django.core.management import call_command

    console.print(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


def createadmin(
    username: Annotated[str, typer.Option(prompt=True)] = "admin",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
    email: str = "",
) -> None:
    """Create (or reset the password of) a superuser."""
    django_setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import ValidationError, validate_password

    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        console.print("[red]" + " ".join(exc.messages))
        raise typer.Exit(2) from exc
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    console.print(f"[green]Superuser {username} ready.")


@token_app.command("create")
def token_create(username: str, name: str = "cli") -> None:
    """Create an API token for a user and print it (shown once)."""
    django_setup()
    from django.contrib.auth import get_user_model

    from techvalley.core.models import ApiToken

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        console.print(f"[red]No user {username}.")
        raise typer.Exit(2)
    out.print(ApiToken.objects.create(user=user, name=name).key)


GROUPS = {"token": token_app}
COMMANDS = [serve, createadmin]
