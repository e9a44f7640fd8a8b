"""A project's land rent (terms, yearly due and paid, arrears) and its compliance findings, for staff.

Terms, amounts and findings are rows of the staff-only layers `project_rent_terms`, `project_rent_amounts` and
`project_findings`, written by the OGC editing routes through `layers.writes.apply_changes`. Arrears are computed
here, never stored: a year's arrears are due − paid (negative when paid ahead), the cumulative arrears the running
sum of those up to and including the year, so a later overpayment settles an earlier shortfall.
"""

from sqlalchemy import Connection, text

from gis.vocab import FindingKind, FindingStatus, RentBasis
from layers.clearance import project_row
from layers.labels import as_pair, enum_words

TERMS_SQL = text(
    """
    SELECT id, rate, rate_basis, currency, period_from, period_to, next_review_on, decision_number, illustrative,
           source, notes
      FROM project_rent_terms WHERE project_id = :project ORDER BY period_from, id
    """
)
AMOUNTS_SQL = text(
    "SELECT id, year, due_vnd, paid_vnd, illustrative FROM project_rent_amounts "
    "WHERE project_id = :project ORDER BY year"
)
FINDINGS_SQL = text(
    """
    SELECT id, project_id, kind, found_on, found_by, decided, status, resolved_on, illustrative
      FROM project_findings WHERE project_id = ANY(:projects) AND (:all OR status = 'open')
     ORDER BY project_id, found_on, id
    """
)
# Per project: total due − total paid over every year recorded (the cumulative arrears of its last year).
ARREARS_SQL = text(
    """
    SELECT p.uid, sum(a.due_vnd) - sum(a.paid_vnd) AS arrears
      FROM project_rent_amounts a JOIN projects p ON p.id = a.project_id
     WHERE p.uid = ANY(:uids) GROUP BY p.uid
    """
)


def _date(value) -> str | None:
    """A date as ISO text (pages show it dd/mm/yyyy)."""
    return value.isoformat() if value is not None else None


def finding_json(row) -> dict:
    """A finding with its kind and status in words."""
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_words": as_pair(enum_words(FindingKind)[row.kind]),
        "found_on": _date(row.found_on),
        "found_by": row.found_by,
        "decided": row.decided,
        "status": row.status,
        "status_words": as_pair(enum_words(FindingStatus)[row.status]),
        "resolved_on": _date(row.resolved_on),
        "illustrative": row.illustrative,
    }


def project_rent(conn: Connection, uid: str) -> dict:
    """The project's rent terms, amounts per year with arrears and cumulative arrears, their totals, and its
    findings (every one, oldest first, and the open ones apart)."""
    project = project_row(conn, uid)
    terms = [
        {
            "id": t.id,
            "rate": float(t.rate),
            "rate_basis": t.rate_basis,
            "rate_basis_words": as_pair(enum_words(RentBasis)[t.rate_basis]),
            "currency": t.currency,
            "period_from": _date(t.period_from),
            "period_to": _date(t.period_to),
            "next_review_on": _date(t.next_review_on),
            "decision_number": t.decision_number,
            "illustrative": t.illustrative,
            "source": t.source,
            "notes": t.notes,
        }
        for t in conn.execute(TERMS_SQL, {"project": project.id})
    ]
    years, running = [], 0
    for a in conn.execute(AMOUNTS_SQL, {"project": project.id}):
        arrears = int(a.due_vnd) - int(a.paid_vnd)
        running += arrears
        years.append(
            {
                "id": a.id,
                "year": a.year,
                "due_vnd": int(a.due_vnd),
                "paid_vnd": int(a.paid_vnd),
                "arrears_vnd": arrears,
                "cumulative_arrears_vnd": running,
                "illustrative": a.illustrative,
            }
        )
    findings = [finding_json(row) for row in conn.execute(FINDINGS_SQL, {"projects": [project.id], "all": True})]
    return {
        "project_uid": project.uid,
        "name_vi": project.name_vi,
        "name_en": project.name_en,
        "terms": terms,
        "amounts": years,
        "due_vnd": sum(a["due_vnd"] for a in years),
        "paid_vnd": sum(a["paid_vnd"] for a in years),
        "arrears_vnd": running,
        "open_findings": [f for f in findings if f["status"] == "open"],
        "findings": findings,
    }


def open_findings(conn: Connection, projects: dict[int, str]) -> dict[str, list[dict]]:
    """Open findings of several projects (id → uid), keyed by project uid."""
    found: dict[str, list[dict]] = {}
    for row in conn.execute(FINDINGS_SQL, {"projects": list(projects), "all": False}):
        found.setdefault(projects[row.project_id], []).append(finding_json(row))
    return found


def arrears_of(conn: Connection, uids: list[str]) -> dict[str, int]:
    """Each project's cumulative rent arrears (VND) over every recorded year; projects without rent rows absent."""
    return {r.uid: int(r.arrears) for r in conn.execute(ARREARS_SQL, {"uids": uids})}
