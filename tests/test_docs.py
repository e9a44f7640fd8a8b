"""The README, CHANGES.md and the manual in docs/ stay honest: links resolve, pages are indexed, commands exist."""

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from api.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", ROOT / "CHANGES.md", *sorted(DOCS.glob("*.md"))]
# Helpers' notes (docs/notes-<name>.md) are drafts the lead folds into the manual; they need no index entry.
MANUAL = [page for page in sorted(DOCS.glob("*.md")) if page.name != "index.md" and not page.name.startswith("notes-")]

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)


def _prose(text: str) -> str:
    """The text outside code blocks and code spans, where a link is a link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _anchors(page: Path) -> set[str]:
    """Heading anchors as GitHub makes them: lower case, punctuation dropped, spaces to hyphens, -1 for repeats."""
    seen: dict[str, int] = {}
    anchors = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _relative_links(page: Path) -> list[str]:
    """Link targets that point into the repository (not web addresses)."""
    return [t for t in LINK.findall(_prose(page.read_text(encoding="utf-8"))) if not re.match(r"[a-z]+:", t)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve_to_files_and_headings(page: Path) -> None:
    broken = []
    for target in _relative_links(page):
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in _anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)} has broken links: {broken}"


def test_every_page_of_the_manual_is_listed_in_the_index() -> None:
    listed = {(DOCS / t.partition("#")[0]).resolve() for t in _relative_links(DOCS / "index.md")}
    missing = [page.name for page in MANUAL if page.resolve() not in listed]
    assert not missing, f"docs/index.md does not list {missing}"


def test_the_link_checker_sees_a_broken_link_and_a_missing_heading(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("# Où est la clé?\n\n## Đất sạch\n", encoding="utf-8")
    page = tmp_path / "a.md"
    page.write_text(
        "[ok](b.md#où-est-la-clé) [ok](b.md#đất-sạch) [bad](b.md#nowhere) [gone](c.md) "
        "`[code](x.md)` [web](https://example.org/x.md)\n```\n[fenced](y.md)\n```\n",
        encoding="utf-8",
    )
    assert _relative_links(page) == ["b.md#où-est-la-clé", "b.md#đất-sạch", "b.md#nowhere", "c.md"]
    assert _anchors(tmp_path / "b.md") == {"où-est-la-clé", "đất-sạch"}


# --- zoneatlas commands shown in the docs ---------------------------------------------------------------------


def _command_lines(page: Path) -> list[str]:
    """Every `zoneatlas …` invocation in code blocks and code spans, without comments, pipes into it or `&&` chains."""
    text = page.read_text(encoding="utf-8")
    code = [m.group(0) for m in FENCE.finditer(text)] + [s.strip("`") for s in CODE_SPAN.findall(FENCE.sub("", text))]
    found = []
    for block in code:
        for line in block.replace("\\|", "|").splitlines():
            for part in re.split(r"&&|;|\|(?![^\[]*\])", line.split(" # ")[0]):
                match = re.match(r"\s*(?:\.venv/bin/)?zoneatlas\s+(\S.*)", part)
                if match:
                    found.append(match.group(1).strip())
    return found


def _unknown(cli: Any, line: str) -> str | None:
    """Why `zoneatlas <line>` would be refused (an unknown command or option), or None (typer vendors its click)."""
    words = [w.strip("[]") for w in shlex.split(line.replace("…", ""))]
    command, path = cli, []
    while hasattr(command, "commands") and words and words[0] in command.commands:
        path.append(words[0])
        command = command.commands[words.pop(0)]
    if hasattr(command, "commands") and words and not words[0].startswith("-"):
        return f"'{' '.join(path + words[:1])}' is not a command"
    options = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | {"--help"}
    for word in words:
        name = word.split("=")[0]
        if name.startswith("-") and len(name) > 1 and name not in options:
            return f"'zoneatlas {' '.join(path)}' has no option {name}"
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_zoneatlas_commands_in_the_docs_exist(page: Path) -> None:
    cli = typer.main.get_command(app)
    problems = [f"zoneatlas {line}: {why}" for line in _command_lines(page) if (why := _unknown(cli, line))]
    assert not problems, f"{page.relative_to(ROOT)}: {problems}"


def test_the_command_checker_refuses_unknown_commands_and_options(tmp_path: Path) -> None:
    cli = typer.main.get_command(app)
    assert _unknown(cli, "export land_plots --crs 9209 -o x.gpkg") is None
    assert _unknown(cli, "users add lan --role admin --display-name 'Nguyễn Thị Lan'") is None
    assert _unknown(cli, "export land_plots --colour red -o x.gpkg") == "'zoneatlas export' has no option --colour"
    assert _unknown(cli, "users promote lan") == "'users promote' is not a command"
    page = tmp_path / "a.md"
    page.write_text(
        "Run `zoneatlas serve [--host]`, or `zoneatlas` alone.\n\n```bash\n"
        "echo pw | zoneatlas users add minh --role editor --password-stdin   # comment\n"
        "zoneatlas db upgrade && .venv/bin/zoneatlas demo load\n```\n",
        encoding="utf-8",
    )
    assert _command_lines(page) == [
        "users add minh --role editor --password-stdin",
        "db upgrade",
        "demo load",
        "serve [--host]",
    ]
