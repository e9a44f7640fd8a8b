"""The decisions register: decisions and their signed PDFs, written through the one audited path (`layers.writes`).

A decision is a row of the `decisions` layer, so creating or editing one is `apply_changes` on that layer, checked
by `layers.checks` like any edit and recorded in the audit log. A signed PDF is stored once per content in
`documents` (keyed by its sha256); the decision names it by filename, sha256 and size, written the same audited way,
so the audit log shows which document was attached or detached, and when, by whom.
"""

import hashlib
from datetime import date
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from gis import models
from gis.accounts import User
from gis.errors import InvalidInput, NotFound, Unprocessable
from gis.limits import unstorable
from gis.vocab import Authority, DecisionKind, PlanLevel
from layers.editing import feature_key, typed_properties
from layers.features import public_rows
from layers.labels import as_pair, enum_words
from layers.registry import get_layer
from layers.spec import Access
from layers.writes import FeatureWrite, apply_changes, etag_of, resolve_decision

PDF_MAGIC = b"%PDF-"
PDF_TYPE = "application/pdf"
MAX_FILENAME = 200
decisions = models.Decision.__table__
documents = models.Document.__table__

VOCABULARIES = {"authority": Authority, "kind": DecisionKind, "plan_level": PlanLevel}  # words: layers.labels


def save_decision(
    conn: Connection,
    values: dict[str, Any],
    *,
    key: int | None,
    user: User | None,
    request_id: str | None = None,
    if_match: str | None = None,
) -> int:
    """Create (key None) or change a decision, all or nothing, audited; `supersedes` is a number or an id."""
    spec = get_layer("decisions")
    raw = dict(values)
    if "supersedes" in raw:
        ref = raw.pop("supersedes")
        raw["supersedes_id"] = None if ref in (None, "") else resolve_decision(conn, ref).id
    if key is not None and raw.get("supersedes_id") == key:
        raise Unprocessable("a decision cannot supersede itself (supersedes / thay thế)")
    for name in ("date_signed", "date_effective"):
        if isinstance(raw.get(name), date):
            raw[name] = raw[name].isoformat()
    typed = typed_properties(conn, spec, raw)
    _check_dates(conn, key, typed)
    action = "create" if key is None else "update"
    where = f"decision {typed.get('number') or key}"
    write = FeatureWrite(action, key=key, values=typed, if_match=if_match, where=where)
    [saved] = apply_changes(conn, spec, [write], decision=None, user=user, request_id=request_id)
    return saved


def _check_dates(conn: Connection, key: int | None, values: dict[str, Any]) -> None:
    """The effective date is on or after the signing date (the stored one when a change gives only one of them)."""
    signed, effective = values.get("date_signed"), values.get("date_effective")
    if key is not None and (signed is None or effective is None):
        stored = conn.execute(
            select(decisions.c.date_signed, decisions.c.date_effective).where(decisions.c.id == key)
        ).first()
        if stored is None:
            return  # apply_changes answers 404
        signed, effective = signed or stored.date_signed, effective or stored.date_effective
    if signed is not None and effective is not None and effective < signed:
        raise Unprocessable(
            f"date_effective (ngày hiệu lực) {effective:%d/%m/%Y} is before date_signed (ngày ký) {signed:%d/%m/%Y}"
        )


def decision_key(decision_id: str) -> int:
    """A decision id from the URL, or NotFound."""
    return feature_key(get_layer("decisions"), decision_id)


def decision_json(conn: Connection, key: int, access: Access) -> dict[str, Any]:
    """A decision as the register shows it: its fields, vocabulary labels, what it supersedes, its document."""
    spec = get_layer("decisions")
    older = decisions.alias("older")
    fields = [decisions.c[name] for name in spec.fields_for(access)]
    row = conn.execute(
        select(decisions.c.id, *fields, older.c.number.label("supersedes"))
        .outerjoin(older, older.c.id == decisions.c.supersedes_id)
        .where(decisions.c.id == key, public_rows(spec, access))
    ).first()
    if row is None:
        raise NotFound(f"no decision '{key}'")
    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row._mapping.items()}
    data["labels"] = {
        name: as_pair(enum_words(vocabulary)[data[name]])
        for name, vocabulary in VOCABULARIES.items()
        if data.get(name) in enum_words(vocabulary)
    }
    data["document_url"] = f"/api/decisions/{key}/document" if data.get("document_sha256") else None
    data["etag"] = etag_of(conn, spec, key)
    return data


# --- documents ----------------------------------------------------------------------------------------------


def check_pdf(content: bytes, filename: str) -> str:
    """The upload's file name as stored (no folders, storable, not too long); InvalidInput for an empty file."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip() or "quyet-dinh.pdf"
    if reason := unstorable(name):
        raise InvalidInput(f"the file name {reason}")
    if len(name) > MAX_FILENAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(suffix) - 1] + dot + suffix) if dot else name[:MAX_FILENAME]
    if not content:
        raise InvalidInput(f"{name}: the file is empty (0 bytes)")
    return name


def is_pdf(content: bytes) -> bool:
    """A PDF starts with %PDF- (the header every PDF writer puts first)."""
    return content.startswith(PDF_MAGIC)


def attach_document(
    conn: Connection,
    key: int,
    content: bytes,
    filename: str,
    *,
    user: User | None,
    request_id: str | None = None,
    if_match: str | None = None,
) -> int:
    """Store the PDF once (by sha256) and name it on the decision through the audited write path."""
    digest = hashlib.sha256(content).hexdigest()
    conn.execute(
        insert(documents)
        .values(sha256=digest, content=content, size=len(content), media_type=PDF_TYPE)
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    values = {"document_filename": filename, "document_sha256": digest, "document_size": len(content)}
    return _write_document(conn, key, values, user, request_id, if_match)


def detach_document(
    conn: Connection, key: int, *, user: User | None, request_id: str | None = None, if_match: str | None = None
) -> int:
    """Take the document off the decision (audited); its bytes stay stored, so the audit log can still name them."""
    values = {"document_filename": None, "document_sha256": None, "document_size": None}
    return _write_document(conn, key, values, user, request_id, if_match)


def _write_document(
    conn: Connection, key: int, values: dict, user: User | None, request_id: str | None, if_match: str | None
) -> int:
    """The decision's document columns changed by the one write path."""
    write = FeatureWrite("update", key=key, values=values, if_match=if_match, where=f"decision {key}")
    [saved] = apply_changes(conn, get_layer("decisions"), [write], decision=None, user=user, request_id=request_id)
    return saved


def read_document(conn: Connection, key: int, access: Access) -> tuple[str, str, bytes]:
    """(filename, sha256, bytes) of a decision's PDF; NotFound when there is none or the reader may not see it."""
    spec = get_layer("decisions")
    row = conn.execute(
        select(decisions.c.document_filename, documents.c.sha256, documents.c.content)
        .join(documents, documents.c.sha256 == decisions.c.document_sha256)
        .where(decisions.c.id == key, public_rows(spec, access))
    ).first()
    if row is None:
        raise NotFound(f"decision '{key}' has no document (or no such decision)")
    return row.document_filename, row.sha256, bytes(row.content)
