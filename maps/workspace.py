"""What the workspace page (/workspace) embeds: the editable layers and their fields, never any feature.

Each field carries its Vietnamese/English label, input type, whether it is required and its length. A closed
vocabulary (CHECK … IN or a lookup table such as land-use codes) is embedded once, in the top-level `vocabularies`,
and named by the field's `vocabulary`, so the form shows words, never raw codes. A foreign key into a table that holds
data (projects, decisions, parks: a registered layer's table) gets a `reference` instead: the form searches that
layer on demand, so the page stays the same size however many rows the board keeps.
"""

from typing import Any

from sqlalchemy import Boolean, Connection, Date, Integer, Numeric, String, Table

from layers.checks import allowed_values
from layers.demo.loader import required_columns
from layers.features import table_of
from layers.labels import as_pair, field_label, value_labels
from layers.map_labels import LABELLED
from layers.registry import LAYERS
from layers.spec import LayerSpec
from layers.update_sheet import FILTERS
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


def _reference(spec: LayerSpec, name: str) -> dict | None:
    """Which layer a field's foreign key points into, when that table holds data rather than a vocabulary."""
    for fk in table_of(spec).c[name].foreign_keys:
        target = fk.column.table
        for layer in LAYERS.values():
            if table_of(layer).name == target.name:
                show = "number" if "number" in target.c else "name_vi"  # decisions are known by their number
                return {"layer": layer.id, "key": fk.column.name, "show": show}
    return None


def _field(spec: LayerSpec, name: str, required: set[str]) -> dict[str, Any]:
    """One field as the form draws it: label, input, required, length."""
    table = table_of(spec)
    vi, en = field_label(name)
    return {
        "name": name,
        "vi": vi,
        "en": en,
        "type": _kind(table, name),
        "required": name in required,
        "max_length": getattr(table.c[name].type, "length", None) if isinstance(table.c[name].type, String) else None,
    }


def _vocabulary(vocabularies: dict[str, list], spec: LayerSpec, name: str, choices: list[dict]) -> str:
    """The name a vocabulary is embedded under: the field's, or the same list's when another field has it already."""
    for known, listed in vocabularies.items():
        if listed == choices:
            return known
    key = name if name not in vocabularies else f"{spec.id}.{name}"
    vocabularies[key] = choices
    return key


def editable_layers() -> list[LayerSpec]:
    """Layers the workspace draws and edits: editable and with a geometry."""
    return [spec for spec in LAYERS.values() if spec.editable and spec.geometry_column]


def _fields(conn: Connection, spec: LayerSpec, vocabularies: dict[str, list]) -> list[dict]:
    """A layer's writable fields: references to searchable layers, named vocabularies, or plain inputs."""
    required = required_columns(table_of(spec))
    allowed = allowed_values(conn, spec)
    fields = []
    for name in writable_fields(spec):
        field = _field(spec, name, required)
        reference = _reference(spec, name)
        if reference:
            field["reference"] = reference
        elif name in allowed:
            labels = value_labels(conn, spec, name)
            choices = [{"value": v, **as_pair(labels.get(v, (str(v), str(v))))} for v in allowed[name]]
            field["vocabulary"] = _vocabulary(vocabularies, spec, name, choices)
        fields.append(field)
    return fields


def sheet_layers() -> list[LayerSpec]:
    """Layers without a map that the Spreadsheets tab updates: keyed by a natural key (enterprise figures, targets,
    rent per year), where a sheet row with a new key adds a row."""
    return [spec for spec in LAYERS.values() if spec.editable and not spec.geometry_column and spec.sheet_key]


def _sheet_layer(spec: LayerSpec) -> dict[str, Any]:
    """A map-less layer as the Spreadsheets tab lists it: its names and its template's filters (the preview's words
    for codes come with the upload's answer, so no field is embedded)."""
    return {
        "id": spec.id,
        "title_vi": spec.title_vi,
        "title_en": spec.title_en,
        "versioned": False,
        "fields": [],
        "template_filters": [name for name, layers in FILTERS.items() if spec.id in layers],
    }


def workspace_config(conn: Connection) -> dict:
    """The page's configuration: editable layers as the maps see them, their fields, and the vocabularies, once;
    and the map-less layers the Spreadsheets tab updates."""
    layers = []
    vocabularies: dict[str, list] = {}
    for spec in editable_layers():
        fields = _fields(conn, spec, vocabularies)
        splittable = "Polygon" in (spec.geometry_type or "")
        layers.append({**layer_json(spec, spec.access), "fields": fields, "splittable": splittable})
    sheets = [_sheet_layer(spec) for spec in sheet_layers()]
    return {
        "layers": layers,
        "sheet_layers": sheets,
        "vocabularies": vocabularies,
        "decisions": decision_form_config(conn),
        "labelled": list(LABELLED),  # staff only: every labelled layer is readable
    }
