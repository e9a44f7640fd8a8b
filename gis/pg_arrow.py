"""A PostgreSQL query's rows as Arrow record batches, through `COPY (query) TO STDOUT` in CSV parsed by pyarrow.

Fetching rows through psycopg2 makes a Python object of every value; for a whole-layer export that per-value work,
not PostgreSQL or GDAL, was most of the time. Here PostgreSQL writes CSV and pyarrow parses it in C++ block by
block, so no Python runs per row and memory holds a few blocks whatever the row count. The query runs on the
caller's connection (same transaction, same session settings). COPY takes no bind parameters, so the values are
interpolated by psycopg2 exactly as it does for every execute (psycopg2 always sends plain SQL text).

Each value travels as text PostgreSQL writes and pyarrow reads back exactly: numbers and booleans as they are,
dates as ISO text, timestamps as epoch seconds, text quoted (so '' and NULL stay apart), binary as hex.
"""

import binascii
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from psycopg2.errors import QueryCanceled as QueryCanceledError
from pyarrow import csv as pa_csv
from sqlalchemy import BigInteger, Connection, Select, case, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

BLOCK_BYTES = 2 << 20  # CSV bytes per record batch (~4,000 parcels); bigger blocks only cost memory
PIPE_BUFFER = 1 << 20


def _memory_pool() -> pa.MemoryPool:
    """jemalloc where pyarrow has it: of its pools it returns freed blocks best, keeping a long export's memory flat."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()


POOL = _memory_pool()


@dataclass(frozen=True)
class ArrowColumn:
    """One output column: its name, the SQL expression that reads it and the Arrow type it arrives as."""

    name: str
    expression: ColumnElement
    arrow: pa.DataType


def arrow_schema(columns: Sequence[ArrowColumn]) -> pa.Schema:
    """The schema of the record batches query_batches yields for these columns."""
    return pa.schema([pa.field(c.name, c.arrow) for c in columns])


def csv_expression(column: ArrowColumn) -> ColumnElement:
    """The expression as PostgreSQL should write it into the CSV for pyarrow to read it back exactly."""
    kind, value = column.arrow, column.expression
    if pa.types.is_timestamp(kind):  # epoch seconds, whatever TimeZone and DateStyle say; ±infinity as NULL
        return case((func.isfinite(value), cast(func.floor(func.extract("epoch", value)), BigInteger)))
    if pa.types.is_date(kind):
        return case((func.isfinite(value), func.to_char(value, literal_column("'YYYY-MM-DD'"))))
    if pa.types.is_binary(kind):
        return func.encode(value, literal_column("'hex'"))
    return value


def _csv_type(kind: pa.DataType) -> pa.DataType:
    """The type pyarrow parses a column as (then cast to the column's own type)."""
    if pa.types.is_timestamp(kind):
        return pa.int64()
    if pa.types.is_binary(kind):
        return pa.string()
    return kind


def interpolated_sql(conn: Connection, statement: Select) -> bytes:
    """The statement as one SQL text with its values quoted by psycopg2, bound as SQLAlchemy would bind them.

    Lists in IN are expanded first (SQLAlchemy does that at execution), and each value goes through its type's bind
    processor, exactly the steps SQLAlchemy takes before it hands a statement to psycopg2.
    """
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect)
    state = compiled.construct_expanded_state()
    expanded = {key for keys in state.parameter_expansion.values() for key in keys}
    unescaped = {escaped: name for name, escaped in compiled.escaped_bind_names.items()}
    values: dict[str, Any] = {}
    for key, value in state.parameters.items():
        if key in expanded:
            processor = state.processors.get(key)
        else:
            processor = compiled.binds[unescaped.get(key, key)].type.dialect_impl(dialect).bind_processor(dialect)
        values[key] = processor(value) if processor else value
    with conn.connection.dbapi_connection.cursor() as cursor:
        return cursor.mogrify(state.statement, values)


def query_batches(
    conn: Connection, statement: Select, columns: Sequence[ArrowColumn], block_bytes: int = BLOCK_BYTES
) -> Iterator[pa.RecordBatch]:
    """Record batches of the statement's rows; the statement selects csv_expression(c) for each column, in order.

    A helper thread runs COPY into a pipe and this generator parses what comes out. If the caller stops early or
    parsing fails, the query is cancelled and the pipe drained, so the connection is left in a plain failed
    transaction (rolled back as usual), never in the middle of a COPY.
    """
    schema = arrow_schema(columns)
    names = [f"c{i}" for i in range(len(columns))]  # CSV positions, whatever the field names
    copy = (
        b"COPY (" + interpolated_sql(conn, statement) + b") TO STDOUT WITH (FORMAT csv, HEADER, FORCE_QUOTE *, "
        b"ENCODING 'UTF8')"
    )  # the header line (skipped) means even no rows is a valid CSV
    if not conn.in_transaction():
        conn.begin()  # SQLAlchemy then knows of the transaction COPY runs in, and a rollback ends it
    raw = conn.connection.dbapi_connection
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            with os.fdopen(write_fd, "wb", buffering=PIPE_BUFFER) as sink, raw.cursor() as cursor:
                cursor.copy_expert(copy, sink, size=PIPE_BUFFER)
        except BaseException as exc:  # handed to the reading side, which raises it
            failure.append(exc)

    producer = threading.Thread(target=produce, name="copy-to-arrow", daemon=True)
    producer.start()
    source = PipeReader(read_fd)
    read = pa_csv.ReadOptions(column_names=names, skip_rows=1, block_size=block_bytes, use_threads=False)
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    convert = pa_csv.ConvertOptions(
        column_types={n: _csv_type(c.arrow) for n, c in zip(names, columns, strict=True)},
        true_values=["t"],
        false_values=["f"],
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    try:
        for batch in pa_csv.open_csv(
            source, read_options=read, parse_options=parse, convert_options=convert, memory_pool=POOL
        ):
            yield pa.record_batch(
                [_arrow_column(batch.column(i), c.arrow) for i, c in enumerate(columns)], schema=schema
            )
    except BaseException:
        if producer.is_alive():
            raw.cancel()
        _finish(source, producer)
        if failure and not isinstance(failure[0], QueryCanceledError):
            raise failure[0] from None  # the database's reason, not the parser's view of a cut-off CSV
        raise
    _finish(source, producer)
    if failure:
        raise failure[0]


class PipeReader:
    """The reading end of a pipe as pyarrow wants a file: whole blocks, read into Arrow memory.

    pyarrow asks for `read_buffer(n)` when a file has it, so the CSV text lands in Arrow's memory pool like the
    parsed columns (not in a Python bytes object per block), and a block is full unless the pipe has ended.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.closed = False

    def read_buffer(self, size: int) -> pa.Buffer:
        """Up to size bytes, fewer only at the end of the data."""
        buffer = pa.allocate_buffer(max(size, 0), memory_pool=POOL, resizable=True)
        view, filled = memoryview(buffer), 0
        while filled < size:
            got = os.readv(self.fd, [view[filled:]])
            if not got:
                break
            filled += got
        view.release()
        buffer.resize(filled)
        return buffer

    def read(self, size: int = -1) -> bytes:
        """The same as bytes (for readers that do not ask for buffers)."""
        if size < 0:
            return b"".join(iter(lambda: self.read_buffer(PIPE_BUFFER).to_pybytes(), b""))
        return self.read_buffer(size).to_pybytes()

    def readable(self) -> bool:
        """It is a file to read."""
        return True

    def seekable(self) -> bool:
        """It is a stream."""
        return False

    def close(self) -> None:
        """Close the reading end (once)."""
        if not self.closed:
            self.closed = True
            os.close(self.fd)


def _finish(source: PipeReader, producer: threading.Thread) -> None:
    """Read the pipe to its end so the COPY thread can finish, close it and wait for the thread."""
    try:
        while source.read_buffer(PIPE_BUFFER).size:
            pass
    finally:
        source.close()
        producer.join()


def _arrow_column(values: pa.Array, kind: pa.DataType) -> pa.Array:
    """A parsed CSV column as its output type."""
    if pa.types.is_timestamp(kind):
        return values.cast(kind)
    if pa.types.is_binary(kind):
        return hex_to_binary(values)
    return values


def hex_to_binary(values: pa.Array) -> pa.Array:
    """Hex text (PostgreSQL's encode(…, 'hex')) as binary values: the whole buffer decoded in one call.

    Every value has an even number of digits, so the values' hex laid end to end decodes to their bytes laid end to
    end, and each value's offsets are half its text offsets.
    """
    if values.offset:
        values = pa.concat_arrays([values])
    validity, offsets_buffer, data = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32, count=len(values) + 1)
    decoded = binascii.unhexlify(memoryview(data)[offsets[0] : offsets[-1]]) if data is not None else b""
    halved = ((offsets - offsets[0]) // 2).astype(np.int32)
    return pa.Array.from_buffers(
        pa.binary(), len(values), [validity, pa.py_buffer(halved), pa.py_buffer(decoded)], null_count=values.null_count
    )
