"""The office tables use the same base IRI as the RDF/HSDS export (issue 5): ``tables --base`` = ``export --base``,
so one resource has one IRI in every published file."""

from __future__ import annotations

import csv

import pytest
from rdflib import Graph, URIRef

from kik_graph.cli import main
from kik_graph.export.rdf import INTERNAL_BASE
from kik_graph.export.tables import write_tables
from tests.fixtures.export import BASE


def _iri_cells(out_dir) -> dict[str, list[str]]:
    """The IRI column of every CSV table."""
    found: dict[str, list[str]] = {}
    for path in sorted(out_dir.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=";"))
        if "IRI" in rows[0]:
            index = rows[0].index("IRI")
            found[path.stem] = [row[index] for row in rows[1:]]
    return found


def _all_cells(out_dir) -> str:
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(out_dir.glob("*.csv")))


def test_tables_with_base_use_the_iris_of_the_export(kik_export, store, tmp_path) -> None:
    out = tmp_path / "tabellen"
    write_tables(store, out, base=BASE)
    exported = Graph().parse(kik_export.files["ntriples"], format="nt")
    subjects = {str(s) for s in exported.subjects() if isinstance(s, URIRef)}
    cells = _iri_cells(out)
    assert {"massnahmen", "ziele", "akteure", "angebote", "stadtbezirke"} <= cells.keys()
    for table, iris in cells.items():
        assert iris, table
        for value in iris:
            assert value.startswith(BASE), (table, value)
            assert value in subjects, (table, value)  # the same resource, the same IRI as in kik.nt
    assert INTERNAL_BASE not in _all_cells(out)


def test_tables_without_base_keep_the_internal_iris(store, tmp_path) -> None:
    write_tables(store, tmp_path)
    cells = _iri_cells(tmp_path)
    assert all(v.startswith(INTERNAL_BASE) for iris in cells.values() for v in iris)
    assert "https://w3id.org/kik-graph/id/massnahme/SB-7.2" in cells["massnahmen"]


def test_cli_tables_base(closed_store_path, tmp_path, capsys) -> None:
    out = tmp_path / "tabellen"
    assert main(["--store", str(closed_store_path), "tables", "--out", str(out),
                 "--base", "https://daten.kempten.de/kik/id"]) == 0
    assert "https://daten.kempten.de/kik/id/massnahme/SB-7.2" in _iri_cells(out)["massnahmen"]


@pytest.mark.parametrize("base", ["keine iri", "ftp://x/y/", "https://x/?q=1"])
def test_cli_tables_refuses_a_bad_base_before_writing(closed_store_path, tmp_path, capsys, base) -> None:
    out = tmp_path / "tabellen"
    assert main(["--store", str(closed_store_path), "tables", "--out", str(out), "--base", base]) != 0
    assert "--base" in capsys.readouterr().err
    assert not out.exists()
