"""SageMaker data-capture JSON lines → a table of features and predictions.

One line per invocation, as SageMaker writes under ``<capture_uri>/<endpoint>/<variant>/...``
(and as the serverless components' callers write to ``capture_uri``, since SageMaker Serverless
Inference cannot capture itself)::

    {"captureData": {"endpointInput":  {"observedContentType": "text/csv", "mode": "INPUT",
                                        "data": "8.3,41.0,6.9", "encoding": "CSV"},
                     "endpointOutput": {"observedContentType": "text/csv; charset=utf-8",
                                        "mode": "OUTPUT", "data": "0.92", "encoding": "CSV"}},
     "eventMetadata": {"eventId": "…", "inferenceTime": "2024-05-01T10:00:00Z"},
     "eventVersion": "0"}

``encoding`` is ``CSV``, ``JSON`` or ``BASE64`` (then ``observedContentType`` says what the
decoded bytes are).  A payload may hold several rows (a batch request): CSV lines, or a JSON
list / ``{"instances": […]}``; the output must hold as many predictions.  CSV payloads carry no
header, so their features are named by ``capture_columns`` (default ``feature_0`` …).
Predictions become ``prediction`` (``prediction_1`` … for further output columns).
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from plangate.errors import InputError, redacted_first_line
from plangate.loaders.source import parse_json

if TYPE_CHECKING:
    import pyarrow as pa

PREDICTION = "prediction"
INFERENCE_TIME = "inference_time"
_JSON_LIST_KEYS = ("instances", "inputs", "features", "data")
_JSON_OUTPUT_KEYS = ("predictions", "prediction", "scores", "score", "outputs", "probabilities")


def read_capture(path: str, capture_columns: Sequence[str] | None = None) -> pa.Table:
    """The features, predictions and inference times captured in ``path``."""
    import pyarrow as pa

    records = _records(path)
    inputs = [_payload(path, n, r, "endpointInput") for n, r in records]
    outputs = [_payload(path, n, r, "endpointOutput") for n, r in records]
    if all(kind == "csv" for kind, _ in inputs):
        features, counts = _csv_rows(path, [text for _, text in inputs], capture_columns)
    else:
        features, counts = _mixed_rows(path, records, inputs, capture_columns)
    predictions, out_counts = _outputs(path, records, outputs)
    for (line, _), n_in, n_out in zip(records, counts, out_counts, strict=True):
        if n_out not in (0, n_in):
            raise InputError(path, f"the capture holds {n_in} input rows but {n_out} predictions", line)
    times = [str((r.get("eventMetadata") or {}).get("inferenceTime") or "") for _, r in records]
    columns: dict[str, Any] = dict(features)
    if predictions is not None:
        columns.update(predictions)
    import numpy as np

    columns[INFERENCE_TIME] = pa.array(np.repeat(np.array(times, dtype=object), counts), pa.string())
    return pa.table(columns)


def _records(path: str) -> list[tuple[int, dict[str, Any]]]:
    import gzip

    opener = gzip.open if path.lower().endswith(".gz") else open
    records = []
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = parse_json(line.encode(), path, number - 1)
                except InputError as exc:
                    if exc.line is not None:
                        raise
                    raise InputError(path, exc.problem, number) from None  # too deep, too long: still this line
                if not isinstance(record, dict) or not isinstance(record.get("captureData"), dict):
                    raise InputError(path, "not a data-capture record (no captureData object)", number)
                records.append((number, record))
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(path, f"cannot read: {exc}") from None
    if not records:
        raise InputError(path, "holds no captured records")
    return records


def _payload(path: str, line: int, record: dict[str, Any], side: str) -> tuple[str, str]:
    """(``csv`` | ``json`` | ``none``, text) of one side of one record, base64 decoded."""
    part = record["captureData"].get(side)
    if part is None:
        if side == "endpointInput":
            raise InputError(path, "the record has no captureData.endpointInput", line)
        return "none", ""
    if not isinstance(part, dict) or not isinstance(part.get("data"), str):
        raise InputError(path, f"captureData.{side}.data: expected a string", line)
    encoding = str(part.get("encoding", "")).upper()
    content_type = str(part.get("observedContentType", "")).lower()
    text = part["data"]
    if encoding == "BASE64":
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InputError(path, f"captureData.{side}.data: not valid base64 of UTF-8 text", line) from None
    elif encoding not in ("CSV", "JSON"):
        raise InputError(path, f"captureData.{side}.encoding: expected CSV, JSON or BASE64, "
                               f"got {part.get('encoding')!r}", line)
    if encoding == "JSON" or "json" in content_type:
        return "json", text
    if encoding == "CSV" or "csv" in content_type or "text/plain" in content_type:
        return "csv", text
    raise InputError(path, f"captureData.{side}.observedContentType: cannot read {content_type!r} payloads", line)


def _feature_names(n: int, capture_columns: Sequence[str] | None, path: str) -> list[str]:
    if capture_columns is None:
        return [f"feature_{i}" for i in range(n)]
    if len(capture_columns) != n:
        raise InputError(path, f"the captured CSV rows have {n} values but {len(capture_columns)} "
                               "capture column names were given")
    return list(capture_columns)


def _csv_rows(path: str, texts: list[str], capture_columns: Sequence[str] | None
              ) -> tuple[dict[str, pa.ChunkedArray], list[int]]:
    """All CSV payloads parsed at once by Arrow: one join, one parse (no per-row Python)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    lines = [t.strip("\n").split("\n") if t.strip() else [] for t in texts]
    counts = [len(rows) for rows in lines]
    body = "\n".join(row for rows in lines for row in rows).encode()
    width = len(next((rows[0] for rows in lines if rows), "").split(","))
    names = _feature_names(width, capture_columns, path)
    try:
        table = pacsv.read_csv(io.BytesIO(body), read_options=pacsv.ReadOptions(column_names=names),
                               convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise InputError(path, f"captured CSV rows do not parse: {redacted_first_line(exc)}") from None
    return {n: table.column(n) for n in names}, counts


def _json_rows(value: Any) -> list[Any]:
    if isinstance(value, dict):
        for key in _JSON_LIST_KEYS:
            if isinstance(value.get(key), list):
                return _json_rows(value[key])
        return [value]
    if isinstance(value, list):
        if value and all(isinstance(v, (list, dict)) for v in value):
            return value
        return [value]
    return [[value]]


def _mixed_rows(path: str, records: list[tuple[int, dict[str, Any]]], inputs: list[tuple[str, str]],
                capture_columns: Sequence[str] | None) -> tuple[dict[str, Any], list[int]]:
    """JSON payloads (or a mix of JSON and CSV): decoded one record at a time."""
    import pyarrow as pa

    rows: list[dict[str, Any]] = []
    counts = []
    for (line, _), (kind, text) in zip(records, inputs, strict=True):
        if kind == "csv":
            got = [r.split(",") for r in text.strip("\n").split("\n") if r]
            got = [[_number(v) for v in r] for r in got]
        else:
            got = _json_rows(_payload_json(text, path, line, "endpointInput"))
        for row in got:
            if isinstance(row, dict):
                rows.append(row)
            else:
                rows.append(dict(zip(_feature_names(len(row), capture_columns, path), row, strict=True)))
        counts.append(len(got))
    names = list(dict.fromkeys(k for r in rows for k in r))
    try:
        return {n: pa.chunked_array([pa.array([r.get(n) for r in rows])]) for n in names}, counts
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(path, f"captured JSON features mix types: {type(exc).__name__}") from None


def _payload_json(text: str, path: str, line: int, side: str) -> Any:
    """A JSON payload through the guarded reader; its problem names the record's line and side."""
    try:
        return parse_json(text.encode(), path)
    except InputError as exc:
        raise InputError(path, f"captureData.{side}.data: {exc.problem}", line) from None


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _outputs(path: str, records: list[tuple[int, dict[str, Any]]], outputs: list[tuple[str, str]]
             ) -> tuple[dict[str, Any] | None, list[int]]:
    import pyarrow as pa

    if all(kind == "none" for kind, _ in outputs):
        return None, [0] * len(outputs)
    values: list[list[Any]] = []
    counts = []
    for (line, _), (kind, text) in zip(records, outputs, strict=True):
        if kind == "none":
            raise InputError(path, "some records capture the output and this one does not", line)
        if kind == "csv":
            got = [[_number(v) for v in r.split(",")] for r in text.strip("\n").split("\n") if r]
        else:
            got = _json_outputs(_payload_json(text, path, line, "endpointOutput"))
        values.extend(got)
        counts.append(len(got))
    width = max((len(v) for v in values), default=1)
    names = [PREDICTION] + [f"{PREDICTION}_{i}" for i in range(1, width)]
    try:
        cols = {n: pa.chunked_array([pa.array([v[i] if i < len(v) else None for v in values])])
                for i, n in enumerate(names)}
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(path, f"captured predictions mix types: {type(exc).__name__}") from None
    return cols, counts


def _json_outputs(value: Any) -> list[list[Any]]:
    if isinstance(value, dict):
        for key in _JSON_OUTPUT_KEYS:
            if key in value:
                return _json_outputs(value[key])
        scalars = [v for v in value.values() if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
        return [scalars[:1]] if scalars else [[None]]
    if isinstance(value, list):
        if value and all(isinstance(v, (list, dict)) for v in value):
            return [row for v in value for row in _json_outputs(v)]
        return [[v] for v in value]
    return [[value]]
