"""Clearance stages in bulk: one stage date set on many parcels at once, all or nothing, through the one write path.

The stage rules are the database's own: dates do not go backwards (`ck_clearance_parcels_stage_order`,
`gis.models.STAGE_ORDER_SQL`) and a stage needs the date of the stage before it (`gis.models.STAGE_SEQUENCE_RULES`).
They are evaluated here, with the constraints' own SQL, on the rows as the change would leave them, before anything
is written, so that every offending parcel is named rather than the first one the database refuses.
The writes themselves go through `layers.writes.apply_changes` (locks, province scopes, audit log).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import BigInteger, Date, Text

from gis.accounts import User
from gis.constraints import rule_sentence
from gis.errors import Unprocessable
from gis.limits import check_storable
from gis.models import STAGE_ORDER_SQL, STAGE_SEQUENCE_RULES, stage_sequence_sql
from layers.clearance import DATED_STAGES
from layers.registry import STAGE_LEGEND, get_layer
from layers.writes import FeatureWrite, apply_changes

MAX_PARCELS = 5_000  # per call: a week's work of a large project, and a transaction that ends in seconds
MAX_NAMED = 20  # offending parcels named in a refusal (the rest are counted)
STAGE_FIELDS = {stage: f"{stage}_on" for stage in DATED_STAGES}  # the clearance_parcels column of each stage date
LABELS = {value: (vi, en) for value, _, vi, en in STAGE_LEGEND.classes}
BIGINT_MAX = 2**63 - 1

STAGE_COLUMNS = ", ".join(f"c.{f}" for f in STAGE_FIELDS.values())
PARCELS_SQL = text(
    f"""
    SELECT c.id, p.uid AS project, c.map_sheet, c.parcel_no, c.stage, {STAGE_COLUMNS}
    FROM clearance_parcels c JOIN projects p ON p.id = c.project_id
    WHERE c.id = ANY(:ids)
    """
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
KNOWN_SQL = text("SELECT id FROM clearance_parcels WHERE id = ANY(:ids)").bindparams(
    bindparam("ids", type_=ARRAY(BigInteger))
)
BY_NUMBER_SQL = text(
    """
    SELECT r.i, c.id FROM unnest(:projects, :sheets, :numbers) WITH ORDINALITY AS r(project, sheet, number, i)
    JOIN clearance_parcels c ON c.map_sheet = r.sheet AND c.parcel_no = r.number
    JOIN projects p ON p.id = c.project_id
    WHERE r.project IS NULL OR p.uid = r.project
    """
).bindparams(*(bindparam(name, type_=ARRAY(Text)) for name in ("projects", "sheets", "numbers")))
PROJECT_SQL = text("SELECT 1 FROM projects WHERE uid = :uid")


def stage_label(stage: str) -> str:
    """A stage as people name it, Vietnamese first."""
    vi, en = LABELS.get(stage, (stage, stage))
    return f"{vi} / {en}"


class StagesRefused(Unprocessable):
    """A bulk stage change refused for some parcels, with each of them (the first MAX_NAMED) and why."""

    def __init__(self, message: str, details: list[dict[str, Any]], count: int) -> None:
        super().__init__(message)
        self.details = {"count": count, "parcels": details}


@dataclass(frozen=True)
class Parcel:
    """A parcel as the change reads it: its names and its stage dates."""

    id: int
    project: str
    map_sheet: str
    parcel_no: str
    stage: str
    dates: dict[str, date | None]

    @property
    def label(self) -> str:
        """How the board names a parcel: map sheet/parcel number, and its project."""
        return f"{self.map_sheet}/{self.parcel_no} ({self.project})"

    def named(self, **more: Any) -> dict[str, Any]:
        """The parcel's names as a page shows them, with more members."""
        return {
            "id": self.id,
            "project": self.project,
            "map_sheet": self.map_sheet,
            "parcel_no": self.parcel_no,
            "parcel": f"{self.map_sheet}/{self.parcel_no}",
            **more,
        }


# --- which parcels ------------------------------------------------------------------------------------------


def _parsed(ref: int | str, project: str | None) -> int | tuple[str | None, str, str] | None:
    """A reference as a feature id, or (project, map sheet, parcel number); None when it names nothing."""
    if isinstance(ref, int):
        return ref if 0 < ref <= BIGINT_MAX else None
    check_storable(ref, "a parcel reference")
    ref = ref.strip()
    if ref.isdigit():
        return int(ref) if 0 < int(ref) <= BIGINT_MAX else None
    owner, colon, rest = ref.partition(":")
    if not colon:
        owner, rest = project or "", ref
    sheet, slash, number = (part.strip() for part in rest.partition("/"))
    if not slash or not sheet or not number or "/" in number or not owner.strip() and colon:
        return None
    return owner.strip() or None, sheet, number


def resolve_parcels(conn: Connection, refs: list[int | str], project: str | None) -> list[int]:
    """The ids of the referenced parcels, each once, in the order given; Unprocessable naming those not found."""
    project = (project or "").strip() or None
    if project is not None:
        check_storable(project, "the project")
        if conn.execute(PROJECT_SQL, {"uid": project}).first() is None:
            raise Unprocessable(f"no project '{project}' (dự án)")
    parsed = [_parsed(ref, project) for ref in refs]
    ids = [p for p in parsed if isinstance(p, int)]
    known = set(conn.execute(KNOWN_SQL, {"ids": ids}).scalars())
    numbered = [(i, p) for i, p in enumerate(parsed) if isinstance(p, tuple)]
    matches: dict[int, list[int]] = {}
    if numbered:
        columns = {"projects": [p[0] for _, p in numbered], "sheets": [p[1] for _, p in numbered]}
        rows = conn.execute(BY_NUMBER_SQL, {**columns, "numbers": [p[2] for _, p in numbered]})
        for row in rows:
            matches.setdefault(numbered[row.i - 1][0], []).append(row.id)
    found: list[int] = []
    unknown: list[dict[str, Any]] = []
    for i, (ref, p) in enumerate(zip(refs, parsed, strict=True)):
        if isinstance(p, int) and p in known:
            found.append(p)
        elif isinstance(p, tuple) and len(matches.get(i, ())) == 1:
            found.append(matches[i][0])
        elif isinstance(p, tuple) and len(matches.get(i, ())) > 1:
            unknown.append({"ref": ref, "reason": "several projects have this parcel: name the project"})
        else:
            unknown.append({"ref": ref, "reason": "no such parcel" if p is not None else _FORMS})
    if unknown:
        _refuse(f"{len(unknown)} parcel reference(s) name no single parcel (thửa); nothing was written", unknown)
    return list(dict.fromkeys(found))


_FORMS = "not a parcel reference: give a feature id, PROJECT_UID:map_sheet/parcel_no or map_sheet/parcel_no"


def _refuse(message: str, problems: list[dict[str, Any]]) -> None:
    """Refuse the whole call, naming the first MAX_NAMED problems and counting all."""
    shown = "; ".join(f"{_name(p)}: {p['reason']}" for p in problems[:MAX_NAMED])
    more = f"; and {len(problems) - MAX_NAMED} more" if len(problems) > MAX_NAMED else ""
    raise StagesRefused(f"{message}: {shown}{more}", problems[:MAX_NAMED], len(problems))


def _name(problem: dict[str, Any]) -> str:
    """A parcel in a message: map sheet/parcel number (project), or the reference as given."""
    if "parcel" in problem:
        return f"{problem['parcel']} ({problem['project']})"
    return repr(problem["ref"]) if isinstance(problem["ref"], str) else str(problem["ref"])


def read_parcels(conn: Connection, ids: list[int]) -> list[Parcel]:
    """The parcels with their stage dates, in the order of `ids`."""
    rows = {r.id: r for r in conn.execute(PARCELS_SQL, {"ids": ids})}
    return [
        Parcel(
            id=r.id,
            project=r.project,
            map_sheet=r.map_sheet,
            parcel_no=r.parcel_no,
            stage=r.stage,
            dates={f: r._mapping[f] for f in STAGE_FIELDS.values()},
        )
        for r in (rows[i] for i in ids)
    ]


# --- the stage rules ----------------------------------------------------------------------------------------


def broken_rules(conn: Connection, ids: list[int], field: str, on: date) -> dict[int, list[str]]:
    """The parcels the database's stage rules would refuse with `field` set to `on`, each with the names of the
    rules it breaks (the constraints themselves, run on the rows as the change would leave them)."""
    if not ids:
        return {}
    columns = ", ".join("CAST(:on AS date) AS " + f if f == field else f for f in STAGE_FIELDS.values())
    rules = {"ck_clearance_parcels_stage_order": STAGE_ORDER_SQL}
    rules |= {name: stage_sequence_sql(*pair) for name, pair in STAGE_SEQUENCE_RULES.items()}
    broken = ", ".join(f"CASE WHEN NOT ({sql}) THEN '{name}' END" for name, sql in rules.items())
    query = text(
        f"SELECT id, array_remove(ARRAY[{broken}], NULL) AS broken "
        f"FROM (SELECT id, {columns} FROM clearance_parcels WHERE id = ANY(:ids)) AS t"
    ).bindparams(bindparam("ids", type_=ARRAY(BigInteger)), bindparam("on", type_=Date))
    return {row.id: row.broken for row in conn.execute(query, {"ids": ids, "on": on}) if row.broken}


def why_refused(parcel: Parcel, stage: str, on: date, broken: list[str]) -> str | None:
    """Why this parcel cannot get this stage on this date, in words; None when it breaks no rule."""
    sequence = [rule_sentence(name) for name in broken if name in STAGE_SEQUENCE_RULES]
    if sequence:
        return "; ".join(s for s in sequence if s)
    if not broken:
        return None
    stages = list(STAGE_FIELDS)
    position = stages.index(stage)
    clashes = []
    for other in stages:
        reached = parcel.dates[STAGE_FIELDS[other]]
        if reached is None or other == stage:
            continue
        earlier = stages.index(other) < position
        if (earlier and reached > on) or (not earlier and reached < on):
            clashes.append(f"{stage_label(other)} on {reached.isoformat()} ({'after' if earlier else 'before'} it)")
    reasons = "; ".join(clashes) or rule_sentence(broken[0]) or broken[0]
    return f"{on.isoformat()} breaks the order of stages: {reasons}"


# --- the change ---------------------------------------------------------------------------------------------


def set_stage(
    conn: Connection,
    *,
    stage: str,
    on: date,
    refs: list[int | str],
    project: str | None,
    dry_run: bool,
    user: User | None,
    request_id: str | None,
) -> dict[str, Any]:
    """Set one stage date on the parcels, all or nothing; a dry run answers the same and rolls its writes back."""
    field = STAGE_FIELDS[stage]
    parcels = read_parcels(conn, resolve_parcels(conn, refs, project))
    broken = broken_rules(conn, [p.id for p in parcels], field, on)
    problems = []
    for parcel in parcels:
        reason = why_refused(parcel, stage, on, broken.get(parcel.id, []))
        if reason:
            problems.append(parcel.named(reason=reason))
    if problems:
        _refuse(
            f"{len(problems)} parcel(s) cannot have {stage_label(stage)} on {on.isoformat()}; nothing was written",
            problems,
        )
    changing = [p for p in parcels if p.dates[field] != on]
    writes = [FeatureWrite("update", key=p.id, values={field: on}, where=f"parcel {p.label}") for p in changing]
    with conn.begin_nested() as savepoint:
        apply_changes(conn, get_layer("clearance_parcels"), writes, decision=None, user=user, request_id=request_id)
        after = {p.id: p.stage for p in read_parcels(conn, [p.id for p in changing])}
        if dry_run:
            savepoint.rollback()
    old = {p.id: p.dates[field] for p in changing}
    return {
        "stage": stage,
        "field": field,
        "stage_label": stage_label(stage),
        "date": on.isoformat(),
        "dry_run": dry_run,
        "written": bool(changing) and not dry_run,
        "parcels": len(parcels),
        "changed": len(changing),
        "unchanged": len(parcels) - len(changing),
        "changes": [
            p.named(
                old=None if old[p.id] is None else old[p.id].isoformat(),
                new=on.isoformat(),
                stage_before=p.stage,
                stage_after=after[p.id],
                stage_after_label=stage_label(after[p.id]),
            )
            for p in changing
        ],
        "unchanged_parcels": [p.named() for p in parcels if p.dates[field] == on],
    }
