"""What the workspace page (/workspace) embeds: the editable layers and their fields, never any feature.

Each field carries its Vietnamese/English label, input type, whether it is required, its length, and the closed
vocabulary (CHECK … IN or a lookup table) with labels, so the page's form shows words, never raw codes.
"""

from typing import Any

from sqlalchemy import Boolean, Connection, Date, Integer, Numeric, String, Table, select

from layers.checks import allowed_values
from layers.demo.loader import required_columns
from layers.features import table_of
from layers.registry import LAYERS
from layers.spec import LayerSpec
from layers.writes import writable_fields
from maps.layer_config import FIELD_LABELS, layer_json
from maps.workspace_decisions import decision_form_config

# Labels of writable fields the map popups do not show (FIELD_LABELS holds those).
MORE_LABELS = {
    "uid": ("Mã định danh", "Identifier"),
    "name_vi": ("Tên tiếng Việt", "Name (Vietnamese)"),
    "name_en": ("Tên tiếng Anh", "Name (English)"),
    "park_uid": ("Khu/cụm công nghiệp", "Industrial park"),
    "geometry_illustrative": ("Ranh giới minh họa", "Outline is illustrative"),
    "source": ("Nguồn", "Source"),
    "notes": ("Ghi chú", "Notes"),
    "country": ("Quốc gia", "Country"),
    "counterpart_uid": ("Mã cửa khẩu đối diện", "Counterpart gate id"),
    "park_type": ("Loại hình khu", "Park type"),
    "project_id": ("Dự án", "Project"),
}


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


def _choice_labels(conn: Connection, spec: LayerSpec, name: str) -> dict[Any, tuple[str, str]]:
    """Labels of a field's allowed values: the legend's classes, or the lookup table's names."""
    labels = {v: (vi, en) for v, _, vi, en in spec.legend.classes} if spec.legend.by_field == name else {}
    for fk in table_of(spec).c[name].foreign_keys:
        lookup = fk.column.table
        if "name_vi" in lookup.c:
            rows = conn.execute(select(fk.column, lookup.c.name_vi, lookup.c.name_en))
            labels.update({code: (vi, en or vi) for code, vi, en in rows})
    return labels


def _field(conn: Connection, spec: LayerSpec, name: str, required: set[str], allowed: dict) -> dict:
    """One field as the form draws it."""
    table = table_of(spec)
    vi, en = FIELD_LABELS.get(name) or MORE_LABELS.get(name) or (name.replace("_", " "), name.replace("_", " "))
    field: dict[str, Any] = {
        "name": name,
        "vi": vi,
        "en": en,
        "type": _kind(table, name),
        "required": name in required,
        "max_length": getattr(table.c[name].type, "length", None) if isinstance(table.c[name].type, String) else None,
    }
    if name in allowed:
        labels = _choice_labels(conn, spec, name)
        field["choices"] = [
            {"value": v, "vi": labels.get(v, (str(v).replace("_", " "),) * 2)[0], "en": labels.get(v, (str(v),) * 2)[1]}
            for v in allowed[name]
        ]
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
