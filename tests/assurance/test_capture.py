"""SageMaker data-capture JSON lines (and the callers' capture in the same shape) as drift windows."""

from __future__ import annotations

import base64
import json

import pandas as pd
import pytest
from conftest import DATA, FIXTURES, needs_data

from plangate.assurance.capture import INFERENCE_TIME, PREDICTION, read_capture
from plangate.cli import main
from plangate.errors import InputError

DOCS_SAMPLE = FIXTURES / "assurance" / "sagemaker_capture_docs.jsonl"  # provenance: SOURCES.md beside it
SHIFT = DATA / "drift_shift"
FEATURES = ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude"]


def record(data: str, output: str, encoding: str = "CSV", out_encoding: str = "CSV",
           content: str = "text/csv", out_content: str = "text/csv; charset=utf-8", when="2024-05-01T10:00:00Z"):
    return json.dumps({"captureData": {
        "endpointInput": {"observedContentType": content, "mode": "INPUT", "data": data, "encoding": encoding},
        "endpointOutput": {"observedContentType": out_content, "mode": "OUTPUT", "data": output,
                           "encoding": out_encoding}},
        "eventMetadata": {"eventId": "e", "inferenceTime": when}, "eventVersion": "0"})


def test_the_documented_sample_reads_as_two_rows():
    table = read_capture(str(DOCS_SAMPLE))
    assert table.num_rows == 2 and table.num_columns == 69 + 2
    assert table.column("feature_0").to_pylist() == [69, 94]
    assert table.column("feature_2").to_pylist() == [153.7, 197.1]
    assert table.column(PREDICTION).to_pylist() == [0.0254181120544672, 0.07675473392009735]
    assert table.column(INFERENCE_TIME).to_pylist() == ["2022-02-14T17:25:49Z"] * 2


def test_json_base64_and_batched_payloads(tmp_path):
    path = tmp_path / "capture.jsonl"
    lines = [
        record(json.dumps({"instances": [{"a": 1.0, "b": "x"}, {"a": 2.0, "b": "y"}]}),
               json.dumps({"predictions": [0.1, 0.9]}), "JSON", "JSON", "application/json", "application/json"),
        record(base64.b64encode(json.dumps({"a": 3.0, "b": "z"}).encode()).decode(),
               base64.b64encode(b"0.5").decode(), "BASE64", "BASE64", "application/json", "text/csv"),
    ]
    path.write_text("\n".join(lines) + "\n")
    table = read_capture(str(path))
    assert table.column("a").to_pylist() == [1.0, 2.0, 3.0]
    assert table.column("b").to_pylist() == ["x", "y", "z"]
    assert table.column(PREDICTION).to_pylist() == [0.1, 0.9, 0.5]


@pytest.mark.parametrize("line,says", [
    ("{not json", "invalid JSON: Expecting property name"),
    ('{"x": 1}', "not a data-capture record"),
    (record("1,2\n3,4\n", "0.5"), "2 input rows but 1 predictions"),
    (record("%%%", "0.5", encoding="BASE64"), "not valid base64"),
    (record("1,2", "0.5", encoding="GZIP"), "expected CSV, JSON or BASE64"),
])
def test_malformed_capture_names_the_line(tmp_path, line, says):
    path = tmp_path / "bad.jsonl"
    path.write_text(record("1,2", "0.1") + "\n" + line + "\n")
    with pytest.raises(InputError, match=says) as caught:
        read_capture(str(path))
    assert str(caught.value).startswith(f"{path}:2")


def _as_capture(frame: pd.DataFrame, path, every_other_base64: bool) -> None:
    lines = []
    for i, row in enumerate(frame.itertuples(index=False)):
        data = ",".join(repr(float(v)) for v in row[:-1])
        out = repr(float(row[-1]))
        if every_other_base64 and i % 2:
            lines.append(record(base64.b64encode(data.encode()).decode(), out, encoding="BASE64"))
        else:
            lines.append(record(data, out))
    path.write_text("\n".join(lines) + "\n")


@needs_data
def test_drift_on_captured_traffic_equals_drift_on_the_tables(tmp_path, capsys):
    """The caller-side capture of a serverless endpoint (same records) gives the tables' verdicts."""
    columns = [*FEATURES, "y_pred_proba"]
    ref = pd.read_csv(SHIFT / "california_housing_reference.csv")[columns]
    cur = pd.read_csv(SHIFT / "california_housing_analysis.csv")[columns]
    _as_capture(ref, tmp_path / "ref.jsonl", every_other_base64=False)
    _as_capture(cur, tmp_path / "cur.jsonl", every_other_base64=True)
    assert main(["drift", "--reference", str(tmp_path / "ref.jsonl"), "--current", str(tmp_path / "cur.jsonl"),
                 "--capture-columns", ",".join(FEATURES), "--prediction", PREDICTION, "-f", "json"]) == 0
    captured = json.loads(capsys.readouterr().out)
    assert main(["drift", "--reference", str(SHIFT / "california_housing_reference.csv"), "--current",
                 str(SHIFT / "california_housing_analysis.csv"), "--features", ",".join(FEATURES),
                 "--prediction", "y_pred_proba", "-f", "json"]) == 0
    tables = json.loads(capsys.readouterr().out)
    for got, want in zip(captured["features"], tables["features"], strict=True):
        assert (got["name"], got["test"], got["drifted"]) == (want["name"], want["test"], want["drifted"])
        assert got["statistic"] == pytest.approx(want["statistic"], rel=1e-12)
    assert captured["predictions"][0]["statistic"] == pytest.approx(tables["predictions"][0]["statistic"], rel=1e-12)
    assert captured["reference_rows"] == len(ref) and captured["current_rows"] == len(cur)


def test_a_capture_prefix_folder_is_one_window(tmp_path):
    """SageMaker writes <prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl: a folder is a window."""
    from plangate.assurance.tables import read_window

    hour = tmp_path / "ep" / "AllTraffic" / "2024" / "05" / "01"
    for h, values in (("10", ["1,2", "3,4"]), ("11", ["5,6"])):
        (hour / h).mkdir(parents=True)
        (hour / h / "part.jsonl").write_text("\n".join(record(v, "0.5") for v in values) + "\n")
    window = read_window(str(tmp_path), capture_columns=["a", "b"])
    assert window.column("a").to_pylist() == [1, 3, 5] and window.rows == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="without capture files"):
        read_window(str(empty))


def test_csv_payloads_of_different_widths_are_bad_input_without_their_values(tmp_path):
    """Arrow's own error quotes the row; a captured row may hold personal data, so the message
    names the problem and not the values."""
    path = tmp_path / "ragged.jsonl"
    path.write_text(record("1.5,2.5,3.5", "0.1") + "\n" + record("4.25,secret-ish", "0.2") + "\n")
    with pytest.raises(InputError) as caught:
        read_capture(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: captured CSV rows do not parse: ") and "columns" in message
    assert "secret-ish" not in message and "4.25" not in message
