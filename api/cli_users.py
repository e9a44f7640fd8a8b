"""`zoneatlas users …`: create accounts, issue and revoke API tokens, disable accounts."""

import sys
from typing import Annotated

import typer

from api.cli_common import command_engine, fail
from gis.errors import ZoneAtlasError
from gis.vocab import Role

users_app = typer.Typer(help="Staff accounts and API tokens.", no_args_is_help=True)
PROVINCE = typer.Option(
    "--province",
    help="Province code from admin_units (e.g. HA_TINH) whose data the account may change; repeat for several. "
    "A province merged in 2025 is stored as its successor. Without it: every province.",
)


def _scope_text(user) -> str:
    """The provinces an account may change, as listings show them."""
    return "all provinces" if user.provinces is None else ",".join(user.provinces) or "no province"


def _run(action):
    """Run one action in a transaction, turning neutral errors into a clean exit."""
    try:
        with command_engine() as engine, engine.begin() as conn:
            return action(conn)
    except ZoneAtlasError as exc:
        fail(str(exc))


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Username (letters, digits, . _ @ -).")],
    role: Annotated[Role, typer.Option(help="viewer (read internal), editor (edit, import) or admin.")],
    display_name: Annotated[str | None, typer.Option(help="Full name shown in the history.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
    province: Annotated[list[str] | None, PROVINCE] = None,
) -> None:
    """Create an account; without --password-stdin a random password is generated and printed once."""
    from gis.accounts import create_user, generate_password, set_provinces

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()

    def action(conn):
        created = create_user(conn, name, role, password, display_name=display_name)
        return set_provinces(conn, created.username, province) if province else (created, [])

    user, notes = _run(action)
    for note in notes:
        typer.echo(note)
    typer.echo(f"created {user.username} ({user.role.value}, {_scope_text(user)})")
    if not password_stdin:
        typer.echo(f"password: {password}")


@users_app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="Username.")],
    label: Annotated[str, typer.Option("--name", help="What the token is for, e.g. 'QGIS laptop'.")] = "cli",
    decision: Annotated[
        str | None,
        typer.Option(help="Bind the token to a decision (number, e.g. 439/QĐ-TTg, or id): its edits go under it."),
    ] = None,
) -> None:
    """Print a new personal API token (use as 'Authorization: Bearer …' or as the HTTP Basic password); shown once.

    With --decision, versioned edits made with the token that name no decision go under that one (for QGIS).
    """
    from gis.accounts import get_user, issue_token
    from layers.writes import resolve_decision

    def action(conn):
        user = get_user(conn, name)
        if not user.active:
            raise ZoneAtlasError(f"user '{name}' is disabled")
        bound = resolve_decision(conn, decision) if decision is not None else None
        if decision is not None and bound is None:
            raise ZoneAtlasError("--decision needs a decision number or id")
        return issue_token(conn, user, kind="personal", name=label, decision_id=bound.id if bound else None)

    typer.echo(_run(action).token)


@users_app.command("tokens")
def tokens(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """List a user's personal tokens (ids, dates and bound decision, never the values)."""
    from gis.accounts import get_user, list_tokens

    rows = _run(lambda conn: list_tokens(conn, get_user(conn, name)))
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "live"
        used = f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never"
        bound = f"\tdecision {row['decision']}" if row["decision"] else ""
        typer.echo(
            f"{row['id']}\t{row['name']}\tcreated {row['created_at']:%Y-%m-%d}\tlast used {used}\t{state}{bound}"
        )


@users_app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(help="Token id from `zoneatlas users tokens NAME`.")]) -> None:
    """Revoke one personal token at once."""
    from gis.accounts import revoke_token_id

    _run(lambda conn: revoke_token_id(conn, token_id))
    typer.echo(f"revoked token {token_id}")


@users_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """Disable an account and revoke all its tokens and sessions."""
    from gis.accounts import set_active

    user = _run(lambda conn: set_active(conn, name, False))
    typer.echo(f"disabled {user.username}; its tokens and sessions no longer work")


@users_app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="Username.")]) -> None:
    """Enable a disabled account again (old tokens stay revoked)."""
    from gis.accounts import set_active

    user = _run(lambda conn: set_active(conn, name, True))
    typer.echo(f"enabled {user.username}")


@users_app.command("provinces")
def provinces(
    name: Annotated[str, typer.Argument(help="Username.")],
    province: Annotated[list[str] | None, PROVINCE] = None,
    all_: Annotated[bool, typer.Option("--all", help="Let the account change every province again.")] = False,
) -> None:
    """Set the provinces whose data an account may change (replacing the ones it had), or every province (--all)."""
    from gis.accounts import set_provinces

    if all_ == bool(province):
        fail("give --province CODE (repeatable) or --all")
    user, notes = _run(lambda conn: set_provinces(conn, name, None if all_ else province))
    for note in notes:
        typer.echo(note)
    typer.echo(f"{user.username} may change data in: {_scope_text(user)}")


@users_app.command("list")
def list_() -> None:
    """Every account with its role, state, name and the provinces it may change."""
    from gis.accounts import list_users

    for user in _run(list_users):
        state = "active" if user.active else "disabled"
        typer.echo(f"{user.username}\t{user.role.value}\t{state}\t{user.display_name or ''}\t{_scope_text(user)}")
