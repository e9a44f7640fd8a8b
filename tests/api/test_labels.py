"""No vocabulary code reaches staff without words: the workspace form, the history labels and the XLSX templates.

The codes are read independently of `layers.labels`: from the database's own CHECK … IN constraints and the lookup
tables its foreign keys point at, checked against the enums of `gis/vocab.py`.
"""

import io
import json
import re
from enum import StrEnum

from openpyxl import load_workbook
from sqlalchemy import text

from gis import vocab
from layers.registry import LAYERS

LOOKUPS = ("landuse_codes", "planning_functions", "gate_classes")


def vocabularies(engine) -> dict[str, dict[str, set[str]]]:
    """table -> column -> codes, from pg_constraint (CHECK … = ANY (ARRAY[…])) and foreign keys to lookup tables."""
    found: dict[str, dict[str, set[str]]] = {}
    with engine.connect() as conn:
        checks = conn.execute(
            text(
                "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'c' AND pg_get_constraintdef(oid) LIKE '%= ANY (%ARRAY[%'"
            )
        )
        for table, definition in checks:
            column = re.search(r"\(*(\w+)\)?(?:::[\w ]+)? = ANY", definition).group(1)
            found.setdefault(table, {})[column] = set(re.findall(r"'([^']*)'::", definition))
        keys = conn.execute(
            text(
                "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(:lookups)"
            ),
            {"lookups": list(LOOKUPS)},
        ).all()
        for table, column, lookup in keys:
            codes = conn.execute(text(f"SELECT code FROM {lookup}")).scalars()  # noqa: S608 - names from LOOKUPS
            found.setdefault(table, {})[column] = set(codes)
    return found


def test_the_database_vocabularies_are_the_enums_of_gis_vocab(engine):
    found = vocabularies(engine)
    enums = {frozenset(e) for e in vars(vocab).values() if isinstance(e, type) and issubclass(e, StrEnum)} - {
        frozenset()
    }
    lookups = {"planning_function", "landuse_code", "gate_class"}
    tables = {layer.table for layer in LAYERS.values()}
    checked = {
        frozenset(codes)
        for table, columns in found.items()
        if table in tables
        for name, codes in columns.items()
        if name not in lookups
    }
    assert checked <= enums and len(checked) >= 12
    assert found["land_plots"]["status"] == {"available", "reserved", "leased", "not_cleared"}
    assert found["land_plots"]["planning_function"] and found["border_gates"]["gate_class"]


def _no_code(words: str | None, codes: set[str]) -> bool:
    """Words that are present and are not themselves a code."""
    return bool(words) and words not in codes


def test_workspace_form_choices_are_words_for_every_code(client, staff, engine):
    found = vocabularies(engine)
    page = client.get("/workspace", headers=staff["editor"])
    config = json.loads(page.text.split('id="ws-config">', 1)[1].split("</script>", 1)[0])
    seen = 0
    for layer in config["layers"]:
        for field in layer["fields"]:
            codes = found.get(layer["id"], {}).get(field["name"])
            if not codes:
                continue
            seen += 1
            choices = config["vocabularies"][field["vocabulary"]]  # each vocabulary embedded once, named by fields
            assert {c["value"] for c in choices} == codes, (layer["id"], field["name"])
            for choice in choices:
                assert _no_code(choice["vi"], codes) and _no_code(choice["en"], codes), (layer["id"], choice)
    assert seen >= 10


def test_history_labels_give_words_for_every_code_of_the_layer(client, staff, engine):
    found = vocabularies(engine)
    layers = [layer for layer in LAYERS.values() if layer.table == layer.id and layer.id in found]
    assert {"land_plots", "decisions", "transport_nodes", "clearance_parcels"} <= {layer.id for layer in layers}
    for layer in layers:
        with engine.connect() as conn:
            key = conn.execute(text(f"SELECT min(id) FROM {layer.table}")).scalar_one()  # noqa: S608 - our names
        html = client.get(f"/collections/{layer.id}/items/{key}?f=html", headers=staff["viewer"]).text
        labels = json.loads(html.split('id="history-labels">', 1)[1].split("</script>", 1)[0])
        for column, codes in found[layer.id].items():
            values = labels["values"].get(column, {})
            assert set(values) >= codes, (layer.id, column, codes - set(values))
            for code in codes:
                assert _no_code(values[code]["vi"], codes) and _no_code(values[code]["en"], codes), (layer.id, code)
            assert _no_code(labels["fields"][column]["vi"], {column}), (layer.id, column)


def test_templates_show_no_code_in_cells_or_drop_downs(client, staff, engine):
    found = vocabularies(engine)
    layers = [("land_plots", {"park": "KCN-VA1"}), ("transport_nodes", {}), ("projects", {})]
    layers += [("enterprise_figures", {"year": "2025"}), ("enterprise_targets", {"year": "2025"})]
    for layer, params in layers:
        response = client.get(f"/api/updates/{layer}/template.xlsx", params=params, headers=staff["editor"])
        assert response.status_code == 200, response.text
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook.worksheets[0]
        columns = {sheet.cell(2, c).value: c for c in range(1, sheet.max_column + 1)}
        vocabulary = {name: codes for name, codes in found[layer].items() if name in columns}
        assert vocabulary, layer
        filled = 0
        for name, codes in vocabulary.items():
            cells = [sheet.cell(r, columns[name]).value for r in range(3, sheet.max_row + 1)]
            assert not [v for v in cells if v in codes], (layer, name)
            filled += sum(v is not None for v in cells)
        assert filled, layer
        listed = set()
        if "lists" in workbook.sheetnames:
            lists = workbook["lists"]
            listed = {
                lists.cell(r, c).value for r in range(2, lists.max_row + 1) for c in range(1, lists.max_column + 1)
            }
        for rule in sheet.data_validations.dataValidation:
            if rule.formula1.startswith('"'):
                listed |= set(rule.formula1.strip('"').split(","))
        every_code = set().union(*vocabulary.values())
        assert listed and not listed & every_code, layer


def test_roles_are_shown_in_words_on_the_sign_in_page(client, staff):
    for role, words in (("viewer", "Xem / Viewer"), ("editor", "Biên tập / Editor"), ("admin", "Quản trị / Admin")):
        page = client.get("/login", headers=staff[role]).text
        assert f"vai trò / role: <b>{words}</b>" in page, role
