"""COPY to Arrow: every value comes back exactly, bound values are quoted safely, and a stopped or failed query
leaves the connection usable."""

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest
from psycopg2.errors import DivisionByZero
from sqlalchemy import column, func, select, text
from sqlalchemy import table as sql_table

from gis.pg_arrow import ArrowColumn, csv_expression, hex_to_binary, query_batches

TEXTS = [
    "",
    None,
    "NA",
    "null",
    "NaN",
    " spaced ",
    "line\nbreak",
    "cr\r\nlf",
    'quote "x", comma',
    "back\\slash",
    "tab\there",
    "Lô đất Cửa khẩu Tịnh Biên",
    "emoji 🏭",
    "'; DROP TABLE x; --",
]
VALUES = sql_table(
    "pg_arrow_values",
    column("n"),
    column("i"),
    column("t"),
    column("d"),
    column("ts"),
    column("f"),
    column("b"),
    column("g"),
)
COLUMNS = [
    ArrowColumn("n", VALUES.c.n, pa.int64()),
    ArrowColumn("i", VALUES.c.i, pa.int32()),
    ArrowColumn("t", VALUES.c.t, pa.string()),
    ArrowColumn("d", VALUES.c.d, pa.date32()),
    ArrowColumn("ts", VALUES.c.ts, pa.timestamp("s", tz="UTC")),
    ArrowColumn("f", VALUES.c.f, pa.float64()),
    ArrowColumn("b", VALUES.c.b, pa.bool_()),
    ArrowColumn("g", VALUES.c.g, pa.binary()),
]


@pytest.fixture
def values(db_conn):
    db_conn.execute(
        text(
            "CREATE TEMP TABLE pg_arrow_values (n bigint, i int, t text, d date, ts timestamptz, "
            "f float8, b bool, g bytea) ON COMMIT DROP"
        )
    )
    rows = []
    for n, value in enumerate(TEXTS):
        rows.append(
            {
                "n": n,
                "i": -n if n % 2 else None,
                "t": value,
                "d": [date(2024, 2, 29), None, "infinity"][n % 3],
                "ts": [datetime(2024, 1, 1, 12, 34, 56, 789000, tzinfo=UTC), None][n % 2],
                "f": [0.1 + 0.2, None, float("nan"), float("inf"), 1e-300][n % 5],
                "b": [True, False, None][n % 3],
                "g": [b"\x00\x01\xff", None, b""][n % 3],
            }
        )
    db_conn.execute(text("INSERT INTO pg_arrow_values VALUES (:n, :i, :t, CAST(:d AS date), :ts, :f, :b, :g)"), rows)
    return rows


def read_all(conn, statement, columns=COLUMNS, **options) -> pa.Table:
    batches = list(query_batches(conn, statement, columns, **options))
    return pa.Table.from_batches(batches, schema=pa.schema([pa.field(c.name, c.arrow) for c in columns]))


def test_every_type_comes_back_exactly_with_text_nulls_and_empty_strings_apart(db_conn, values):
    statement = select(*(csv_expression(c) for c in COLUMNS)).order_by(VALUES.c.n)
    got = read_all(db_conn, statement).to_pylist()
    assert len(got) == len(values)
    for row, want in zip(got, values, strict=True):
        assert row["n"] == want["n"] and row["i"] == want["i"]
        assert row["t"] == want["t"]  # '' stays '', NULL stays None, 'NA' and 'null' stay text
        assert row["d"] == (date(2024, 2, 29) if want["d"] == date(2024, 2, 29) else None)  # infinity: no date
        assert row["ts"] == (datetime(2024, 1, 1, 12, 34, 56, tzinfo=UTC) if want["ts"] else None)
        if want["f"] is None or want["f"] != want["f"]:
            assert row["f"] is None if want["f"] is None else row["f"] != row["f"]
        else:
            assert row["f"] == want["f"]  # 0.30000000000000004 survives the text round trip
        assert row["b"] == want["b"] and row["g"] == want["g"]


def test_bound_values_are_quoted_by_the_driver(db_conn, values):
    tricky = "'; DROP TABLE x; --"
    statement = (
        select(*(csv_expression(c) for c in COLUMNS))
        .where(VALUES.c.t.in_([tricky, "Lô đất Cửa khẩu Tịnh Biên", "100% \\ x"]))
        .order_by(VALUES.c.n)
    )
    assert [r["t"] for r in read_all(db_conn, statement).to_pylist()] == ["Lô đất Cửa khẩu Tịnh Biên", tricky]


def test_no_rows_is_an_empty_stream(db_conn, values):
    statement = select(*(csv_expression(c) for c in COLUMNS)).where(VALUES.c.n < 0)
    assert read_all(db_conn, statement).num_rows == 0


def test_many_rows_arrive_in_several_blocks(db_conn):
    series = func.generate_series(1, 50_000).table_valued("n").render_derived(name="s")
    columns = [ArrowColumn("n", series.c.n, pa.int64()), ArrowColumn("t", func.repeat("x", 20), pa.string())]
    batches = list(query_batches(db_conn, select(*(csv_expression(c) for c in columns)), columns, block_bytes=64 << 10))
    assert len(batches) > 5
    assert sum(b.num_rows for b in batches) == 50_000
    assert pa.Table.from_batches(batches)["n"].to_pylist() == list(range(1, 50_001))


def test_stopping_early_cancels_the_query_and_leaves_the_connection_usable(engine):
    series = func.generate_series(1, 2_000_000).table_valued("n").render_derived(name="s")
    columns = [ArrowColumn("n", series.c.n, pa.int64())]
    with engine.connect() as conn:
        stream = query_batches(conn, select(series.c.n), columns, block_bytes=64 << 10)
        assert next(stream).num_rows > 0
        stream.close()
        conn.rollback()
        assert conn.execute(select(func.count()).select_from(series)).scalar_one() == 2_000_000


def test_a_database_error_midway_is_raised_as_itself(engine):
    series = func.generate_series(1, 200_000).table_valued("n").render_derived(name="s")
    columns = [ArrowColumn("q", 1 / (series.c.n - 150_000), pa.float64())]
    with engine.connect() as conn:
        with pytest.raises(DivisionByZero):
            list(query_batches(conn, select(*(csv_expression(c) for c in columns)), columns, block_bytes=64 << 10))
        conn.rollback()
        assert conn.execute(select(1)).scalar_one() == 1


def test_hex_decoding_handles_slices_nulls_and_empty_values():
    data = [b"\x00\x01", None, b"", bytes(range(256))]
    hexes = pa.array([None if d is None else d.hex() for d in data], pa.string())
    assert hex_to_binary(hexes).to_pylist() == data
    assert hex_to_binary(hexes.slice(1, 3)).to_pylist() == data[1:]
    assert hex_to_binary(pa.array([], pa.string())).to_pylist() == []
