"""The `zoneatlas` command: the one entry point the Makefile, CI and people use.

Each command imports what it needs when it runs (the web app, Alembic, the ORM, GDAL), so a command's start-up is
its own imports only and `zoneatlas --help` stays quick.
"""

from pathlib import Path
from typing import Annotated

import typer

from api import cli_data
from api.cli_common import command_engine, fail, progress_bar
from api.cli_users import users_app
from gis.errors import ZoneAtlasError
from gis.ogr import skip_pandas_probe
from gis.settings import get_settings

app = typer.Typer(help="Zone Atlas: GIS planning system for Economic Zone Management Boards.", no_args_is_help=True)
db_app = typer.Typer(help="Database set-up.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo and scale data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
figures_app = typer.Typer(help="Enterprise figures (revenue, exports, budget, workers...).", no_args_is_help=True)
app.add_typer(figures_app, name="figures")


@figures_app.command("import")
def figures_import(
    file: Annotated[Path, typer.Argument(help="UTF-8 CSV, one row per project and period.")],
    user: Annotated[str | None, typer.Option(help="Account (editor) the audit log names.")] = None,
) -> None:
    """Import enterprise figures, all or nothing: a bad row is named with why, and nothing is written."""
    from gis.accounts import get_user
    from layers.enterprise_import import import_figures

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        with command_engine() as engine, engine.begin() as conn:
            account = None
            if user is not None:
                account = get_user(conn, user)
                if not account.has_role("editor"):
                    fail(f"'{user}' is {account.role.value}; imports need the editor role")
            result = import_figures(conn, file, user=account)
    except ZoneAtlasError as exc:
        fail(str(exc))
    typer.echo(
        f"imported {result.rows} row(s) of enterprise figures from {file.name} "
        f"({result.created} new, {result.updated} updated)"
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database and extensions if needed, apply migrations, sync the lookup tables and the base map."""
    from gis.database_admin import ensure_database, ensure_extensions
    from gis.migrate import upgrade
    from layers.basemap import basemap_file, load_basemap
    from layers.demo.loader import load_lookups

    settings = get_settings()
    try:
        if ensure_database(settings.database_url):
            typer.echo("created database")
        ensure_extensions(settings.database_url)
    except RuntimeError as exc:
        fail(str(exc))
    upgrade(settings.database_url)
    try:
        with command_engine() as engine, engine.begin() as conn:
            counts = load_lookups(conn, settings.data_dir / "lookups")
            base = load_basemap(conn, basemap_file(settings.data_dir))
    except ZoneAtlasError as exc:
        fail(str(exc))
    typer.echo("database at head; lookups: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    typer.echo("base map: unchanged" if base is None else f"base map: loaded {base} pieces")


@demo_app.command("load")
def demo_load(
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the demo files (default: data/demo).")] = None,
    replace: Annotated[bool, typer.Option(help="Replace data that was not loaded as demo data.")] = False,
) -> None:
    """Load the demo data set, all or nothing; does nothing when the same files are already loaded."""
    from layers.demo.loader import load_demo

    settings = get_settings()
    folder = data_dir or settings.data_dir / "demo"
    try:
        with command_engine() as engine, engine.begin() as conn:
            result = load_demo(conn, folder, replace=replace)
    except ZoneAtlasError as exc:
        fail(f"{exc}\nnothing was loaded")
    if result.skipped:
        typer.echo("demo data already loaded and unchanged; nothing to do")
    else:
        typer.echo("loaded demo data: " + ", ".join(f"{k} {v}" for k, v in result.rows.items()))


@demo_app.command("generate")
def demo_generate(
    parcels: Annotated[int, typer.Option(min=0, help="Clearance parcels to generate.")] = 200_000,
    plots: Annotated[int, typer.Option(min=0, help="Land plots to generate.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed writes the same rows.")] = 1,
    parks: Annotated[int | None, typer.Option(min=0, help="Parks to share the plots among (default: by size).")] = None,
    projects: Annotated[
        int | None, typer.Option(min=0, help="Projects in all: clearance sites (~700 parcels each), then tenants.")
    ] = None,
    provinces: Annotated[
        str | None, typer.Option(help="'all' (every province), or codes such as HA_TINH,BAC_NINH; default: 5 places.")
    ] = None,
) -> None:
    """Write deterministic synthetic scale data (uids GEN-…) into the same tables as the demo data."""
    from layers.demo.generate import generate_scale_data

    try:
        with progress_bar() as report, command_engine() as engine, engine.begin() as conn:
            counts = generate_scale_data(
                conn,
                parcels=parcels,
                plots=plots,
                seed=seed,
                parks=parks,
                projects=projects,
                provinces=provinces,
                progress=report,
            )
    except ValueError as exc:
        fail(f"{exc}\nnothing was generated")
    typer.echo("generated: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PORT or 8000).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default WORKERS or 1).")] = None,
) -> None:
    """Serve the web app and API from supervised worker processes: a worker that dies is replaced."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from api.security import server_options

    settings = get_settings()
    config = uvicorn.Config(
        "api.app:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        **server_options(settings),  # X-Forwarded-* only from TRUSTED_PROXIES
        access_log=settings.access_log,
    )
    # uvicorn.run supervises only for workers > 1; with one worker a crash would end the server, so always supervise.
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    if any(worker.exitcode == STARTUP_FAILURE for worker in supervisor.processes):
        raise typer.Exit(STARTUP_FAILURE)


cli_data.register(app)  # zoneatlas export / import


def main() -> None:
    """Console-script entry point: a short-lived process, so pyogrio is loaded without its pandas probe."""
    skip_pandas_probe()
    app()
