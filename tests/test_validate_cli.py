"""SHACL validation and the command line: clear reports, exit codes, no changes on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kik_graph.cli import main
from kik_graph.graphdata import DataError
from kik_graph.store import build_store
from kik_graph.validate import validate_files

PREFIXES = """@prefix kik: <https://w3id.org/kik-graph/vocab#> .
@prefix kikd: <https://w3id.org/kik-graph/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""
FIELD = """<https://w3id.org/kik-graph/id/handlungsfeld/SB> a kik:FieldOfAction ; kik:code "SB" ; skos:notation "SB" ;
  kik:number 1 ; skos:prefLabel "Sprache und Bildung"@de ; kik:introduction "Text"@de ; dcterms:source <https://w3id.org/kik-graph/id/quelle/kik-2021> .
<https://w3id.org/kik-graph/id/quelle/kik-2021> a kik:SourceDocument ; skos:prefLabel "KIK"@de .
<https://w3id.org/kik-graph/id/ziel/SB-Z7> a kik:Goal ; kik:field <https://w3id.org/kik-graph/id/handlungsfeld/SB> ;
  kik:number 7 ; skos:notation "SB-Z7" ; skos:prefLabel "Ziel 7"@de ; kik:text "Ziel"@de ;
  dcterms:source <https://w3id.org/kik-graph/id/quelle/kik-2021> .
"""
ID = "https://w3id.org/kik-graph/id/"


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def measure(notation: str, number: int, labels: str = 'skos:prefLabel "M"@de') -> str:
    return (f'<{ID}massnahme/{notation}> a kik:Measure ; kik:goal <{ID}ziel/SB-Z7> ; kik:field <{ID}handlungsfeld/SB> ; '
            f'kik:number {number} ; skos:notation "{notation}" ; {labels} ; kik:text "T"@de ; dcterms:source <{ID}quelle/kik-2021> .\n')


def test_valid_minimal_data_conforms(tmp_path):
    report = validate_files([write(tmp_path, "ok.ttl", FIELD + measure("SB-7.2", 2))])
    assert report.conforms, report.text()


def test_measure_number_not_matching_its_goal_is_reported_with_file_node_property(tmp_path):
    path = write(tmp_path, "broken.ttl", FIELD + measure("SB-8.2", 2))
    report = validate_files([path])
    assert not report.conforms
    text = report.text()
    assert "broken.ttl" in text and "kikd:massnahme/SB-8.2" in text


def test_missing_and_duplicate_german_label_are_reported(tmp_path):
    missing = validate_files([write(tmp_path, "a.ttl", FIELD + measure("SB-7.1", 1, 'skos:prefLabel "M"@en'))])
    assert not missing.conforms and "skos:prefLabel" in missing.text()
    double = validate_files([write(tmp_path, "b.ttl", FIELD + measure("SB-7.1", 1, 'skos:prefLabel "M"@de, "N"@de'))])
    assert not double.conforms and "skos:prefLabel" in double.text()


def test_wrong_datatype_is_reported(tmp_path):
    body = FIELD + measure("SB-7.2", 2).replace("kik:number 2", 'kik:number "zwei"')
    report = validate_files([write(tmp_path, "c.ttl", body)])
    assert not report.conforms and "kik:number" in report.text()


def test_turtle_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "syntax.ttl", FIELD + "kikd:x a kik:Measure ;; ;\n")
    with pytest.raises(DataError) as info:
        validate_files([path])
    assert "syntax.ttl:12" in str(info.value) and "Bad syntax" not in str(info.value)


def test_cli_validate_exit_codes(tmp_path, capsys):
    assert main(["validate", str(write(tmp_path, "ok.ttl", FIELD + measure("SB-7.2", 2)))]) == 0
    assert main(["validate", str(write(tmp_path, "bad.ttl", FIELD + measure("SB-9.2", 2)))]) == 1
    assert "bad.ttl" in capsys.readouterr().err
    assert main(["validate", str(write(tmp_path, "syn.ttl", "this is not turtle ."))]) == 1
    assert "syn.ttl" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_validate_whole_graph_data_conforms():
    assert main(["validate"]) == 0


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory) -> Path:
    """A store only the CLI opens (the session store is held open by other tests in this process)."""
    path = tmp_path_factory.mktemp("cli") / "store"
    build_store(path).close()
    return path


def test_cli_stats_query_and_formats(cli_store, capsys):
    store_path = cli_store
    assert main(["--store", str(store_path), "stats", "--format", "json"]) == 0
    counts = {row["Klasse"]: int(row["Anzahl"]) for row in json.loads(capsys.readouterr().out)}
    assert counts["kik:Measure"] == 144 and counts["kik:Goal"] == 43 and counts["kik:FieldOfAction"] == 6
    assert counts["kik:District"] == 47 and len(counts) == len(set(counts))
    assert main(["--store", str(store_path), "query", "actors-for-measure", "--param", "measure=SB-7.2", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["actorLabel"] == "Runder Tisch der Bildungsträger Kempten & Oberallgäu"
    assert all(isinstance(v, str) for v in rows[0].values())
    assert main(["--store", str(store_path), "query", "measures", "--param", "field=SB", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("measure,notation,text") and len(lines) == 31
    assert main(["--store", str(store_path), "query", "--list"]) == 0
    assert "measures-without-lead" in capsys.readouterr().out


def test_cli_bad_input_is_a_clear_message_and_exit_2(cli_store, capsys):
    store_path = cli_store
    assert main(["--store", str(store_path), "query", "nope"]) == 2
    assert "Unbekannte Abfrage" in capsys.readouterr().err
    assert main(["--store", str(store_path), "query", "measures", "--param", "field"]) == 2
    assert main(["--store", str(store_path), "query", "actors-for-measure", "--param", "measure=7.2"]) == 2
    assert "Maßnahmennummer" in capsys.readouterr().err


def test_console_script_runs_with_store_from_environment(tmp_path):
    env = {**os.environ, "KIK_GRAPH_STORE": str(tmp_path / "store")}
    out = subprocess.run([sys.executable, "-m", "kik_graph.cli", "stats"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "kik:Measure" in out.stdout and "144" in out.stdout
    assert (tmp_path / "store").exists()


def test_one_file_of_graph_data_is_checked_with_the_rest_of_it(tmp_path, capsys):
    """A file of graph_data/ refers to resources of the other files: alone it conforms; an edited copy (same name)
    stands in for it – a broken link in the copy is reported with the copy's file name and changes nothing."""
    from kik_graph.config import PATHS

    original = PATHS.graph_data / "responsibilities.ttl"
    assert main(["validate", str(original)]) == 0
    copy = tmp_path / "responsibilities.ttl"
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["validate", str(copy)]) == 0, capsys.readouterr().err
    text = original.read_text(encoding="utf-8")
    assert "/massnahme/SB-7.2>" in text
    copy.write_text(text.replace("/massnahme/SB-7.2>", "/massnahme/SB-7.99>", 1), encoding="utf-8")
    assert main(["validate", str(copy)]) == 1
    assert "responsibilities.ttl" in capsys.readouterr().err
    assert original.read_text(encoding="utf-8") == text
