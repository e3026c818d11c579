"""The editing commands of the CLI: every edit path, attribution, refusals (exit 1, nothing changed)."""

from __future__ import annotations

import gc
import io
import json

import pytest

from kik_graph.cli import main
from kik_graph.editing import history
from kik_graph.params import run_named
from kik_graph.store import OxigraphStore, build_store
from tests.fixtures.editing import dump


@pytest.fixture()
def cli(tmp_path, monkeypatch):
    """Run ``kik-graph --store <private store> ARGS``; returns (exit code, stdout, stderr)."""
    path = tmp_path / "store"
    build_store(path).close()
    monkeypatch.delenv("KIK_GRAPH_ENDPOINT", raising=False)
    monkeypatch.delenv("KIK_GRAPH_USER", raising=False)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr("sys.stdout", out)
        monkeypatch.setattr("sys.stderr", err)
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--store", str(path), *args])
        gc.collect()  # release the store (one command per process in real use)
        return code, out.getvalue(), err.getvalue()

    run.path = path
    return run


def open_store(path) -> OxigraphStore:
    return OxigraphStore(path)


def test_assign_status_indicator_unassign_and_attribution(cli, monkeypatch):
    assert cli("assign", "--measure", "SB-1.1", "--actor", "vhs Kempten", "--role", "lead", "--note", "AG",
               "--as", "alice")[0] == 0
    monkeypatch.setenv("KIK_GRAPH_USER", "bob")
    assert cli("status", "--measure", "SB-1.1", "--set", "in Umsetzung", "--date", "2024-03-01")[0] == 0
    assert cli("indicator", "--goal", "SB-Z1", "--name", "Teilnehmende", "--unit", "Personen", "--baseline", "10",
               "--target", "20", "--current", "12", "--date", "2024-01-01")[0] == 0
    code, out, _ = cli("assign", "--measure", "SB-1.1", "--actor", "vhs Kempten", "--role", "lead")
    assert code == 0 and "keine Änderung" in out
    store = open_store(cli.path)
    try:
        accounts = [(c.kind, c.account) for c in reversed(history.changes_since(store))]
        assert accounts == [("assign", "alice"), ("status", "bob"), ("indicator", "bob")]
        assert run_named(store, "indicators").as_strings()[0]["current"] == "12"
    finally:
        store.close()
    assert cli("unassign", "--measure", "SB-1.1", "--actor", "vhs Kempten", "--role", "lead")[0] == 0
    code, out, _ = cli("history", "SB-1.1", "--format", "json")
    kinds = [row["Art"] for row in json.loads(out)]
    assert code == 0 and kinds == ["unassign", "status", "assign"]


def test_refused_edits_exit_1_or_2_and_change_nothing(cli):
    cli("status", "--measure", "SB-1.2", "--set", "geplant")
    store = open_store(cli.path)
    before = dump(store)
    store.close()
    code, _, err = cli("indicator", "--goal", "SB-Z1", "--name", "Quote", "--unit", "%", "--current", "4")
    assert code == 1 and "Stichtag" in err
    code, _, err = cli("assign", "--measure", "SB-1.1", "--actor", "Niemand", "--role", "lead")
    assert code == 2 and "Niemand" in err
    code, _, err = cli("status", "--measure", "XX-1.1", "--set", "offen")
    assert code == 2 and "Maßnahmennummer" in err
    store = open_store(cli.path)
    assert dump(store) == before
    store.close()


def test_revert_and_verify_via_cli(cli):
    cli("status", "--measure", "SB-1.1", "--set", "geplant", "--as", "alice")
    code, out, _ = cli("history", "--format", "json")
    change = json.loads(out)[0]["Änderung"]
    assert cli("revert", change, "--as", "carol")[0] == 0
    code, _, err = cli("revert", change)
    assert code == 1 and "bereits rückgängig" in err
    assert cli("verify", "amt-fuer-integration", "--as", "alice")[0] == 0
    store = open_store(cli.path)
    try:
        assert not run_named(store, "report-measures").as_strings()[0]["status"]
        latest = history.changes_since(store)[0]
        assert latest.kind == "verify" and "geprüft" in latest.summary
    finally:
        store.close()


def test_institution_via_cli(cli):
    code, out, err = cli("institution", "--name", "Sprachcafé Kempten", "--type", "Bildungsträger",
                         "--category", "Bildungsträger", "--as", "alice")
    assert code == 0, err
    code, _, err = cli("institution", "--name", "Sprachcafé Kempten")
    assert code == 1 and "gibt es schon" in err


def test_user_commands_store_only_hashes(tmp_path, cli):
    users = tmp_path / "users.toml"
    code, _, err = cli("user", "add", "mmuster", "--role", "editor", "--password-stdin", "--file", str(users),
                       stdin="ein-langes-passwort\n")
    assert code == 0, err
    text = users.read_text()
    assert "ein-langes-passwort" not in text and "scrypt$" in text
    code, _, err = cli("user", "add", "kurz", "--password-stdin", "--file", str(users), stdin="kurz\n")
    assert code == 2 and "mindestens" in err
    assert cli("user", "passwd", "mmuster", "--password-stdin", "--file", str(users), stdin="noch-ein-passwort\n")[0] == 0
    assert cli("user", "role", "mmuster", "--role", "admin", "--file", str(users))[0] == 0
    code, out, _ = cli("user", "list", "--file", str(users))
    assert "mmuster" in out and "admin" in out
    assert cli("user", "remove", "mmuster", "--file", str(users))[0] == 0
    assert "mmuster" not in users.read_text()


def test_import_template_and_problems_via_cli(cli, tmp_path):
    code, out, _ = cli("import", "--template", "statuses")
    assert code == 0 and out.strip() == "massnahme;status;datum;notiz"
    bad = tmp_path / "stand.csv"
    bad.write_text("massnahme;status\nSB-1.1;geplant\nSB-1.2;fertig\n", encoding="utf-8")
    store = open_store(cli.path)
    before = dump(store)
    store.close()
    code, _, err = cli("import", "statuses", str(bad))
    assert code == 1 and "Zeile 3, Spalte 'status'" in err
    store = open_store(cli.path)
    assert dump(store) == before
    store.close()
    good = tmp_path / "gut.csv"
    good.write_text("massnahme;status\nSB-1.1;geplant\nSB-1.2;umgesetzt\n", encoding="utf-8")
    assert cli("import", "statuses", str(good), "--dry-run")[1].startswith("Prüfung erfolgreich: 3")  # 2 statuses + the office source
    assert cli("import", "statuses", str(good), "--as", "alice")[0] == 0
    xlsx = tmp_path / "vorlage.xlsx"
    assert cli("import", "--template", "statuses", "--format", "xlsx", "--with-data", "-o", str(xlsx))[0] == 0
    code, out, _ = cli("import", "statuses", str(xlsx))
    assert code == 0 and "keine Änderung" in out


def test_writeback_via_cli(cli, tmp_path):
    import shutil

    from kik_graph.config import PATHS

    directory = tmp_path / "graph_data"
    shutil.copytree(PATHS.graph_data, directory)
    cli("status", "--measure", "SB-1.1", "--set", "geplant")
    code, out, _ = cli("writeback", "--check", "--directory", str(directory))
    assert code == 1 and "implementation.ttl" in out and not (directory / "implementation.ttl").exists()
    code, out, _ = cli("writeback", "--directory", str(directory))
    assert code == 0 and (directory / "implementation.ttl").exists()
    assert cli("writeback", "--check", "--directory", str(directory))[0] == 0
