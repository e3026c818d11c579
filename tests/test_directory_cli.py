"""``kik-graph search`` and ``kik-graph directory …``: JSON contract, filters, clear errors, logging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kik_graph.cli import main
from kik_graph.directory import searchlog


def cli(capsys: pytest.CaptureFixture, store_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--store", str(store_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def store_dir(fresh_store) -> Path:
    path = fresh_store.path
    fresh_store.close()
    del fresh_store
    return path


def test_search_json_is_a_ranked_array_with_reasons(capsys, store_dir: Path) -> None:
    code, out, _ = cli(capsys, store_dir, "search", "Wo", "kann", "ich", "Deutsch", "lernen?", "--format", "json",
                       "--limit", "3", "--no-log")
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 3
    for hit in hits:
        assert {"iri", "label", "provider", "score", "matched"} <= hit.keys()
        assert hit["iri"].startswith("https://w3id.org/kik-graph/id/angebot/") and hit["matched"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_in_other_languages_and_table(capsys, store_dir: Path) -> None:
    code, out, _ = cli(capsys, store_dir, "search", "Almanca kursu", "--lang", "tr", "--no-log")
    assert code == 0 and "Sprachkurse" in out and "Almanca kursu" in out and "Rang" in out


def test_filters_from_the_command_line(capsys, store_dir: Path) -> None:
    code, out, _ = cli(capsys, store_dir, "search", "Beratung", "--category", "schwangerschaft", "--format", "json", "--no-log")
    assert code == 0
    assert {h["slug"] for h in json.loads(out)} == {"schwangerenberatung-pro-familia", "schwangerenberatung-skf"}
    code, _, err = cli(capsys, store_dir, "search", "Beratung", "--category", "mond")
    assert code == 2 and "Kategorie" in err and "sprache" in err


@pytest.mark.parametrize("args,expected", [
    ([], "Bitte geben Sie ein"),
    (["   "], "Bitte geben Sie ein"),
    (["Wo", "kann", "ich?"], "genauer"),
    (["x" * 3000], "zu lang"),
    (["Beratung", "--lang", "xx"], "--lang"),
])
def test_bad_input_gives_a_clear_message_and_exit_2(capsys, store_dir: Path, args: list[str], expected: str) -> None:
    code, out, err = cli(capsys, store_dir, "search", *args)
    assert code == 2 and expected in err and "Traceback" not in err + out


def test_failed_search_is_counted_anonymously_and_listed(capsys, store_dir: Path) -> None:
    code, out, err = cli(capsys, store_dir, "search", "Quxzyplorb 0170 1234567", "--format", "json")
    assert code == 0 and json.loads(out) == [] and "kein Angebot" in err
    cli(capsys, store_dir, "search", "Quxzyplorb 0170 1234567")
    cli(capsys, store_dir, "search", "Quxzyplorb", "--no-log")
    code, out, _ = cli(capsys, store_dir, "directory", "failed-searches", "--format", "json")
    rows = json.loads(out)
    assert rows == [{"Suchtext": "quxzyplorb #", "Sprache": "de", "Anzahl": "2", "Tage": "1",
                     "zuletzt": searchlog.today().isoformat()}]


def test_directory_show_categories_completeness(capsys, store_dir: Path) -> None:
    code, out, _ = cli(capsys, store_dir, "directory", "show", "amt-fuer-integration")
    assert code == 0 and "0831 2525-5311" in out and "Anschrift des Herausgebers" in out
    code, out, _ = cli(capsys, store_dir, "directory", "show", "taff")
    assert "nicht bekannt – bitte beim Amt für Integration erfragen" in out and "GP-2.2 (redaktionell)" in out
    code, _, err = cli(capsys, store_dir, "directory", "show", "gibtsnicht")
    assert code == 2 and "gibt es nicht" in err
    code, out, _ = cli(capsys, store_dir, "directory", "categories", "--format", "json", "--lang", "uk")
    categories = {row["Kennung"]: row for row in json.loads(out)}
    assert categories["sprache"]["Kategorie"] == "Вивчення німецької мови та мовні курси"
    assert categories["sprache"]["Angebote"] == "7" and categories["anerkennung"]["Angebote"] == "0"
    code, out, _ = cli(capsys, store_dir, "directory", "completeness", "--format", "json")
    rows = {row["Kennung"]: row for row in json.loads(out)}
    assert "telephone" in rows["taff"]["Felder"] and "telephone" not in rows["amt-fuer-integration"]["Felder"]
