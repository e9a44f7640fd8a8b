"""What every `zoneatlas` command shares: clean failures, a short-lived engine, a progress bar."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer

from gis.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

Report = Callable[[str, int, int], None]


def fail(message: str) -> NoReturn:
    """Print a user-facing error and exit with status 2 (bad input), without a traceback."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@contextmanager
def command_engine() -> Iterator["Engine"]:
    """An engine for one command, disposed when it ends."""
    from gis.db import make_engine

    engine = make_engine(get_settings())
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def progress_bar() -> Iterator[Report]:
    """A rich progress bar per label (only on a terminal), fed by `report(label, done, total)`."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    tasks: dict[str, int] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        disable=not sys.stderr.isatty(),
    ) as bar:

        def report(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total if total >= 0 else None)
            bar.update(tasks[label], completed=done)

        yield report
