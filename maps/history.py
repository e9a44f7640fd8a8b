"""What the item page's "Lịch sử / History" section needs to speak in words: field and value labels (staff only).

The history itself is fetched by the page from `/collections/{id}/items/{fid}/history`; only these labels (a few
kilobytes, from `layers.labels`) are embedded, so no raw field names or vocabulary codes are shown.
"""

from sqlalchemy import Connection

from layers.features import table_of
from layers.labels import ACTION_LABELS, as_pair, field_label, layer_value_labels
from layers.spec import LayerSpec


def history_labels(conn: Connection, spec: LayerSpec) -> dict:
    """Field, value and action labels of one layer as {"vi", "en"} pairs for the history script."""
    fields = [name for name in table_of(spec).c.keys() if name not in (spec.id_column, spec.geometry_column)]
    return {
        "fields": {name: as_pair(field_label(name)) for name in fields},
        "values": {
            name: {str(code): as_pair(words) for code, words in table.items()}
            for name, table in layer_value_labels(conn, spec).items()
        },
        "actions": {name: as_pair(words) for name, words in ACTION_LABELS.items()},
    }
