"""What the workspace page (/workspace) embeds: the editable layers and their fields, never any feature.

Each field carries its Vietnamese/English label, input type, whether it is required, its length, and the closed
vocabulary (CHECK … IN or a lookup table) with labels, so the page's form shows words, never raw codes.
"""

from typing import Any

from sqlalchemy import Boolean, Connection, Date, Integer, Numeric, String, Table

from layers.checks import allowed_values
from layers.demo.loader import required_columns
from layers.features import table_of
from layers.labels import as_pair, field_label, value_labels
from layers.registry import LAYERS
from layers.spec import LayerSpec
from layers.writes import writable_fields
from maps.layer_config import layer_json
from maps.workspace_decisions import decision_form_config


def _kind(table: Table, name: str) -> str:
    """The form input a column needs."""
    column_type = table.c[name].type
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, Numeric):
        return "number"
    return "text"


def _field(conn: Connection, spec: LayerSpec, name: str, required: set[str], allowed: dict) -> dict:
    """One field as the form draws it."""
    table = table_of(spec)
    vi, en = field_label(name)
    field: dict[str, Any] = {
        "name": name,
        "vi": vi,
        "en": en,
        "type": _kind(table, name),
        "required": name in required,
        "max_length": getattr(table.c[name].type, "length", None) if isinstance(table.c[name].type, String) else None,
    }
    if name in allowed:
        labels = value_labels(conn, spec, name)
        field["choices"] = [{"value": v, **as_pair(labels.get(v, (str(v), str(v))))} for v in allowed[name]]
    return field


def editable_layers() -> list[LayerSpec]:
    """Layers the workspace draws and edits: editable and with a geometry."""
    return [spec for spec in LAYERS.values() if spec.editable and spec.geometry_column]


def workspace_config(conn: Connection) -> dict:
    """The page's configuration: editable layers as the maps see them, plus their fields for the form."""
    layers = []
    for spec in editable_layers():
        allowed = allowed_values(conn, spec)
        required = required_columns(table_of(spec))
        fields = [_field(conn, spec, name, required, allowed) for name in writable_fields(spec)]
        splittable = "Polygon" in (spec.geometry_type or "")
        layers.append({**layer_json(spec, spec.access), "fields": fields, "splittable": splittable})
    return {"layers": layers, "decisions": decision_form_config(conn)}
