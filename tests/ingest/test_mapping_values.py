"""`--map` beyond column names: nested paths into JSON (CSV cells, JSON records, Parquet structs), value
maps and constants; and the whole mapping as part of the content key (a corrected mapping re-ingests)."""

import json
from pathlib import Path

import duckdb
import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.ingest.value_maps import find_mapped_duplicate, full_mapping
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.snapshot import connect, list_manifests, list_uploads

CSV_WITH_JSON = (
    'fired_at,name,severity,labels\n'
    '2025-03-03T10:00:00Z,HighLatency,critical,"{""team"": ""payments"", ""env"": ""prod""}"\n'
    '2025-03-03T10:05:00Z,HighErrorRate,warning,"{""team"": ""search""}"\n'
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(ws, sql: str) -> list:
    with connect(ws) as con:
        return con.sql(sql).fetchall()


@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


def test_path_into_a_csv_cell_holding_json(ws, tmp_path):
    path = write(tmp_path, "alerts.csv", CSV_WITH_JSON)
    result = ingest_file(ws, "alerts", path, mapping={"service": "labels.team"})
    assert result["status"] == "stored" and result["rows"] == 2
    assert stored(ws, "select service, name from alerts order by fired_at") == [
        ("payments", "HighLatency"), ("search", "HighErrorRate")]
    manifest = list_manifests(ws)[0]
    assert manifest["map"] == {"service": "labels.team"}
    assert manifest["map_values"] == {} and manifest["map_set"] == {} and manifest["severity_map"] == {}


def test_deep_path_into_plain_json_records(ws, tmp_path):
    records = [{"created": "2025-03-03T10:00:00Z", "summary": "Disk full", "severity": "error",
                "payload": {"custom_details": {"service": "billing", "it's": "quoted"}}},
               {"created": "2025-03-03T11:00:00Z", "summary": "CPU", "severity": "info",
                "payload": {"custom_details": {"service": "search"}}}]
    path = write(tmp_path, "events.json", json.dumps(records))
    ingest_file(ws, "alerts", path, mapping={"service": "payload.custom_details.service",
                                             "region": "payload.custom_details.it's"})
    assert stored(ws, "select service, name, severity, region from alerts order by fired_at") == [
        ("billing", "Disk full", "high", "quoted"), ("search", "CPU", "info", None)]
    extra = json.loads(stored(ws, "select extra from alerts order by fired_at limit 1")[0][0])
    assert json.loads(extra["payload"])["custom_details"]["service"] == "billing", "the whole payload is kept"


def test_path_into_a_parquet_struct_and_a_tag_array(ws, tmp_path):
    path = tmp_path / "alerts.parquet"
    con = duckdb.connect()
    con.execute("copy (select * from (values ('2025-03-03T10:00:00Z', 'Lag', 'high', "
                "{'service': 'kafka', 'tags': ['env:prod', 'team:data']})) t(fired_at, name, severity, detail)) "
                f"to '{path}' (format parquet)")
    con.close()
    ingest_file(ws, "alerts", path, mapping={"service": "detail.service", "message": "detail.tags"})
    assert stored(ws, "select service, message from alerts") == [("kafka", '["env:prod","team:data"]')]


def test_value_map_applies_before_parsing_and_keeps_the_raw_word(ws, tmp_path):
    path = write(tmp_path, "alerts.csv", "fired_at,service,name,severity\n"
                 "2025-03-03T10:00:00Z,api,A,严重\n2025-03-03T10:01:00Z,api,B, PAGE \n2025-03-03T10:02:00Z,api,C,low\n")
    ingest_file(ws, "alerts", path, map_values={"severity": {"严重": "critical", "page": "high"}})
    assert stored(ws, "select name, severity, severity_rank, severity_raw from alerts order by name") == [
        ("A", "critical", 1, "严重"), ("B", "high", 2, " PAGE "), ("C", "low", 4, "low")]
    assert list_manifests(ws)[0]["map_values"] == {"severity": {"page": "high", "严重": "critical"}}


def test_value_map_on_a_text_column_and_a_constant(ws, tmp_path):
    path = write(tmp_path, "alerts.csv", "fired_at,service,name,severity\n"
                 "2025-03-03T10:00:00Z,pay-svc,A,high\n2025-03-03T10:01:00Z,search,B,low\n")
    ingest_file(ws, "alerts", path, map_values={"service": {"pay-svc": "payments"}}, map_set={"source": "grafana"})
    assert stored(ws, "select service, source from alerts order by name") == [
        ("payments", "grafana"), ("search", "grafana")]
    assert list_manifests(ws)[0]["map_set"] == {"source": "grafana"}


def test_a_corrected_mapping_is_a_new_upload_the_same_one_is_not(ws, tmp_path):
    path = write(tmp_path, "alerts.csv", CSV_WITH_JSON)
    first = ingest_file(ws, "alerts", path, mapping={"service": "labels.team"}, map_set={"region": "eu"})
    assert first["status"] == "stored"
    again = ingest_file(ws, "alerts", path, mapping={"service": "labels.team"}, map_set={"region": "eu"})
    assert again["status"] == "duplicate" and again["upload_id"] == first["upload_id"]
    # (rows whose natural key is stored are skipped: the changes below give the rows new keys)
    for change in ({"map_set": {"region": "eu", "source": "grafana"}},
                   {"map_set": {"region": "eu"}, "map_values": {"service": {"payments": "pay"}}}):
        result = ingest_file(ws, "alerts", path, mapping={"service": "labels.team"}, **change)
        assert result["status"] == "stored" and result["upload_id"] != first["upload_id"]
        assert "with another mapping" in result["message"]
    assert len(list_uploads(ws)) == 3


def test_an_old_manifest_without_value_maps_still_matches_its_plain_mapping():
    old = {"upload_id": "u1", "kind": "alerts", "sha256": "abc", "map": {"fired_at": "when"}}
    assert find_mapped_duplicate([old], "alerts", "abc", {"fired_at": "when"}) is old
    assert find_mapped_duplicate([old], "alerts", "abc", full_mapping({"fired_at": "when"}, constants={"x": "y"})) is None
    assert find_mapped_duplicate([{**old, "map": None}], "alerts", "abc", None)["upload_id"] == "u1"


@pytest.mark.parametrize(("kwargs", "column", "expected", "found"), [
    ({"mapping": {"service": "labels.owner"}}, "--map labels.owner",
     "a value at labels.owner in at least one row (the column labels holds keys team, env)", "no such path"),
    ({"mapping": {"service": "nothere.team"}}, "nothere.team", None, "no such column"),
    ({"map_values": {"colour": {"a": "b"}}}, "--map-values colour", None, "'colour'"),
    ({"map_set": {"colour": "red"}}, "--set colour", None, "'colour'"),
    ({"mapping": {"service": "labels.te\"am"}}, "--map labels.te\"am", None, "'te\"am'"),
])
def test_a_bad_mapping_is_refused_by_name_and_nothing_is_stored(ws, tmp_path, kwargs, column, expected, found):
    path = write(tmp_path, "alerts.csv", CSV_WITH_JSON)
    with pytest.raises(IngestError) as caught:
        ingest_file(ws, "alerts", path, **kwargs)
    err = caught.value
    assert err.column == column and err.found == found
    if expected:
        assert err.expected == expected
    assert "__row" not in str(err) and "__extra" not in str(err)
    assert list_uploads(ws).empty


def test_mapping_both_a_column_and_a_constant_is_refused(ws, tmp_path):
    path = write(tmp_path, "alerts.csv", CSV_WITH_JSON)
    with pytest.raises(IngestError, match="either mapped or set"):
        ingest_file(ws, "alerts", path, mapping={"service": "labels.team"}, map_set={"service": "x"})
    assert list_uploads(ws).empty


def test_lookups_are_computed_once_per_row_not_inside_the_parsers(tmp_path):
    # a lookup inside jl_severity_rank would be copied into each of the macro's ~40 branches: 20x slower
    from journeylens.notebooks.ingest.diagnosis import plan_source
    from journeylens.notebooks.workspace.snapshot import new_connection

    path = write(tmp_path, "alerts.csv", CSV_WITH_JSON)
    con = new_connection()
    try:
        plan = plan_source(con, "alerts", path, "alerts.csv", "csv",
                           full_mapping({"service": "labels.team"}, {"severity": {"x": "low"}}, {"source": "s"}))
        assert "jl_value_map" not in plan["parsed"] and "json_extract_string" not in plan["parsed"]
        assert con.sql(f"select v__service, v__severity, v__source, severity_raw from ({plan['values']}) "
                       "order by v__service").fetchall() == [
            ("payments", "critical", "s", "critical"), ("search", "warning", "s", "warning")]
    finally:
        con.close()


def test_a_value_mapped_path_is_still_checked_to_exist(ws, tmp_path):
    path = write(tmp_path, "alerts.csv", CSV_WITH_JSON)
    with pytest.raises(IngestError, match="no such path"):
        ingest_file(ws, "alerts", path, mapping={"service": "labels.owner"}, map_values={"service": {"a": "b"}})
    ingest_file(ws, "alerts", path, mapping={"service": "labels.team"}, map_values={"service": {"SEARCH": "find"}})
    assert stored(ws, "select service from alerts order by fired_at") == [("payments",), ("find",)]


def test_json_paths_quote_every_key_and_index_arrays():
    from journeylens.notebooks.ingest.value_maps import json_path

    assert json_path(["alerts", "0", "labels"], "f", "x") == '$."alerts"[0]."labels"'
    assert json_path(["custom_details", "it's", "严重"], "f", "x") == '$."custom_details"."it\'s"."严重"'
    for bad in ("", 'a"b', "a\\b", "a\nb"):
        with pytest.raises(IngestError, match="a path of keys separated by dots"):
            json_path(["ok", bad], "f", "labels.x")


def test_the_cli_takes_paths_value_maps_and_constants(ws, tmp_path, capsys):
    from journeylens.app.cli import main

    path = write(tmp_path, "alerts.csv", CSV_WITH_JSON)
    assert main(["ingest", "alerts", str(path), "--workspace", str(ws), "--map", "service=labels.team",
                 "--map-values", "service=Search:find", "--set", "source=grafana"]) == 0
    assert stored(ws, "select service, source from alerts order by fired_at") == [("payments", "grafana"),
                                                                                ("find", "grafana")]
    assert list_manifests(ws)[0]["map_values"] == {"service": {"search": "find"}}
    capsys.readouterr()
    assert main(["ingest", "alerts", str(path), "--workspace", str(ws), "--map-values", "severity=nocolon"]) == 2
    assert capsys.readouterr().err.strip() == ("refused: --map-values: expected column=from:to, e.g. "
                                               "severity=严重:critical, found 'severity=nocolon'")
    assert len(list_uploads(ws)) == 1
