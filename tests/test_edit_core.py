"""Editing core: validated transactions, PROV-O history, conflicts, revert, refresh protection."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from kik_graph.editing import history
from kik_graph.editing import operations as op
from kik_graph.editing.directory import InstitutionInput, build_verify, load_service, save_institution, save_service
from kik_graph.editing.errors import EditConflict, EditRejected, ValidationFailed
from kik_graph.editing.state import resource_state, resource_version
from kik_graph.editing.transaction import commit
from kik_graph.editing.vocab import OFFICE_SOURCE, responsibility_iri, status_iri
from kik_graph.namespaces import GRAPH_HISTORY, GRAPH_KIK, KIK, KIKD
from kik_graph.params import run_named
from kik_graph.terms import InvalidInput
from tests.fixtures.editing import dump

TODAY = dt.date(2024, 5, 6)
VHS = KIKD["organisation/vhs-kempten"]


def test_assign_records_office_provenance_and_history_but_no_account_in_public_graph(edit_store):
    result = op.assign(edit_store, "alice", "SB-1.1", "vhs Kempten", "federführend", "Absprache in der AG", today=TODAY)
    assert result.changed
    rows = run_named(edit_store, "actors-for-measure", {"measure": "SB-1.1"}).as_strings()
    assert [(r["actorLabel"], r["roleLabel"], r["provenance"], r["date"]) for r in rows] == [
        ("vhs Kempten", "federführend", "vom Amt für Integration erfasst", "2024-05-06")]
    assert edit_store.ask("ASK { ?s a kik:SourceDocument }", {"s": OFFICE_SOURCE})
    public = edit_store.graph(str(GRAPH_KIK)).serialize(format="nt")
    assert "alice" not in public
    (change,) = history.changes_since(edit_store)
    assert (change.account, change.kind) == ("alice", "assign")
    assert change.summary == "SB-1.1: vhs Kempten federführend zugeordnet"
    rev = next(r for r in change.revisions if r.resource == responsibility_iri(KIKD["massnahme/SB-1.1"], VHS))
    assert rev.removed == [] and any("vocab#Lead" in line for line in rev.added)
    assert any("Absprache in der AG" in line for line in rev.added)
    assert "alice" in edit_store.graph(str(GRAPH_HISTORY)).serialize(format="nt")


def test_unassign_removes_and_role_must_match(edit_store):
    op.assign(edit_store, "alice", "SB-1.1", VHS, "partner", today=TODAY)
    with pytest.raises(EditRejected, match="beteiligt, nicht federführend"):
        op.unassign(edit_store, "alice", "SB-1.1", VHS, "lead")
    op.unassign(edit_store, "alice", "SB-1.1", VHS, "partner")
    assert not run_named(edit_store, "actors-for-measure", {"measure": "SB-1.1"}).rows
    with pytest.raises(EditRejected, match="nicht zugeordnet"):
        op.unassign(edit_store, "alice", "SB-1.1", VHS)


def test_status_is_recorded_and_absent_status_stays_absent(edit_store):
    op.set_status(edit_store, "bob", "SB-1.1", "in Umsetzung", "01.03.2024", "läuft mit der vhs")
    rows = {r["notation"]: r for r in run_named(edit_store, "report-measures").as_strings()}
    assert rows["SB-1.1"]["status"] == str(KIK.StatusInProgress)
    assert rows["SB-1.1"]["statusDate"] == "2024-03-01"
    assert rows["SB-1.2"]["status"] == ""  # never invented
    op.set_status(edit_store, "bob", "SB-1.1", "umgesetzt", "2024-04-01")
    state = resource_state(edit_store, status_iri(KIKD["massnahme/SB-1.1"]))
    assert set(state.objects(None, KIK.status)) == {KIK.StatusImplemented}
    assert not list(state.objects(None, KIK.internalNote))


def test_indicator_create_update_and_decimal_values(edit_store):
    data = op.IndicatorInput(goal="SB-Z7", name="Plätze in Sprachkursen", unit="Plätze", baseline="120",
                             target="200,5", current="150", date="2024-01-31", source="Runder Tisch")
    first = op.save_indicator(edit_store, "alice", data)
    (node,) = [r for r in first.resources if r != OFFICE_SOURCE]
    assert resource_version(edit_store, node) == first.versions[node]  # what is written is what is read back
    second = op.save_indicator(edit_store, "alice", op.IndicatorInput(**{**data.__dict__, "current": "170"}))
    assert second.resources == [node]
    rows = run_named(edit_store, "indicators").as_strings()
    assert [(r["name"], r["baseline"], r["target"], r["current"], r["date"]) for r in rows] == [
        ("Plätze in Sprachkursen", "120", "200.5", "170", "2024-01-31")]


INVALID_EDITS = {
    "unknown measure": lambda s: op.assign(s, "a", "SB-99.1", VHS, "lead"),
    "malformed measure": lambda s: op.assign(s, "a", "SB 1.1; DROP ALL", VHS, "lead"),
    "unknown actor": lambda s: op.assign(s, "a", "SB-1.1", "Gibt es nicht e.V.", "lead"),
    "not an actor": lambda s: op.assign(s, "a", "SB-1.1", KIKD["massnahme/SB-1.2"], "lead"),
    "invalid role": lambda s: op.assign(s, "a", "SB-1.1", VHS, "chef"),
    "note too long": lambda s: op.assign(s, "a", "SB-1.1", VHS, "lead", "x" * 2100),
    "invalid status": lambda s: op.set_status(s, "a", "SB-1.1", "fertig"),
    "invalid date": lambda s: op.set_status(s, "a", "SB-1.1", "geplant", "2024-02-30"),
    "indicator without unit (SHACL)": lambda s: op.save_indicator(
        s, "a", op.IndicatorInput(goal="SB-Z1", name="Quote", unit="")),
    "current value without date (SHACL)": lambda s: op.save_indicator(
        s, "a", op.IndicatorInput(goal="SB-Z1", name="Quote", unit="%", current="5")),
    "not a number": lambda s: op.save_indicator(s, "a", op.IndicatorInput(goal="SB-Z1", name="Q", unit="%", target="viel")),
    "unknown goal": lambda s: op.save_indicator(s, "a", op.IndicatorInput(goal="SB-Z99", name="Q", unit="%")),
    "bad account": lambda s: op.assign(s, "eve<script>", "SB-1.1", VHS, "lead"),
    "institution without name": lambda s: save_institution(s, "a", InstitutionInput(name="")),
    "institution unknown type": lambda s: save_institution(s, "a", InstitutionInput(name="Neu", organisation_type="Raumschiff")),
}


@pytest.fixture(scope="module")
def edited_store(tmp_path_factory):
    """One store with some history, shared by the rejection cases (they must not change it)."""
    from kik_graph.store import build_store

    store = build_store(tmp_path_factory.mktemp("rejections") / "store")
    op.assign(store, "alice", "SB-1.2", VHS, "lead")
    yield store
    store.close()


@pytest.mark.parametrize("case", sorted(INVALID_EDITS))
def test_rejected_edits_leave_the_store_byte_for_byte_unchanged(edited_store, case):
    before = dump(edited_store)
    with pytest.raises(InvalidInput) as info:
        INVALID_EDITS[case](edited_store)
    assert str(info.value)
    assert dump(edited_store) == before


def test_shacl_rejection_lists_the_problem_with_property(edit_store):
    with pytest.raises(ValidationFailed) as info:
        op.save_indicator(edit_store, "a", op.IndicatorInput(goal="SB-Z1", name="Quote", unit="%", current="5"))
    (problem,) = info.value.problems
    assert problem.path == "dcterms:date" and "Stichtag" in problem.message


def test_second_editor_gets_a_conflict_with_the_other_change(edit_store):
    node = responsibility_iri(KIKD["massnahme/SB-1.1"], VHS)
    op.assign(edit_store, "alice", "SB-1.1", VHS, "lead")
    seen_by_carol = resource_version(edit_store, node)
    op.assign(edit_store, "bob", "SB-1.1", VHS, "partner", "bob war schneller")
    before = dump(edit_store)
    with pytest.raises(EditConflict) as info:
        op.assign(edit_store, "carol", "SB-1.1", VHS, "lead", "carols Notiz", expected_version=seen_by_carol)
    other = info.value.other
    assert other.account == "bob" and other.summary == "SB-1.1: vhs Kempten beteiligt zugeordnet"
    assert any("Partner" in line for line in other.added) and any("Lead" in line for line in other.removed)
    assert "bob" in info.value.text() and dump(edit_store) == before


def test_conflict_when_both_create_the_same_resource(edit_store):
    from kik_graph.ui.edit_common import EMPTY_VERSION

    op.assign(edit_store, "bob", "SB-1.1", VHS, "lead")
    with pytest.raises(EditConflict):
        op.assign(edit_store, "carol", "SB-1.1", VHS, "partner", expected_version=EMPTY_VERSION)


def test_history_keeps_previous_value_and_revert_restores_it(edit_store):
    node = responsibility_iri(KIKD["massnahme/SB-1.1"], VHS)
    op.assign(edit_store, "alice", "SB-1.1", VHS, "lead", today=TODAY)
    original = resource_state(edit_store, node)
    change = op.assign(edit_store, "bob", "SB-1.1", VHS, "partner", today=TODAY).change
    record = history.get_change(edit_store, change)
    (rev,) = record.revisions
    assert any("vocab#Lead" in line for line in rev.removed)  # the previous value
    op.revert(edit_store, "alice", change)
    assert set(resource_state(edit_store, node)) == set(original)
    undo = history.changes_since(edit_store)[0]
    assert undo.kind == "revert" and undo.reverts == change
    assert history.get_change(edit_store, change).reverted_by == [undo.change]
    with pytest.raises(EditRejected, match="bereits rückgängig"):
        op.revert(edit_store, "alice", change)
    assert [r.kind for r in history.resource_history(edit_store, node)] == ["revert", "assign", "assign"]


def test_revert_is_refused_when_the_resource_changed_later(edit_store):
    first = op.set_status(edit_store, "alice", "SB-1.1", "geplant").change
    op.set_status(edit_store, "bob", "SB-1.1", "in Umsetzung")
    before = dump(edit_store)
    with pytest.raises(EditConflict, match="erneut geändert"):
        op.revert(edit_store, "alice", first)
    assert dump(edit_store) == before


def test_revert_of_unassign_restores_the_kik_text_responsibility_exactly(edit_store):
    node = KIKD["zustaendigkeit/SB-7.2-runder-tisch-der-bildungstraeger"]
    original = resource_state(edit_store, node)
    assert len(original) > 5
    change = op.unassign(edit_store, "alice", "SB-7.2", "Runder Tisch der Bildungsträger Kempten & Oberallgäu").change
    assert not len(resource_state(edit_store, node))
    op.revert(edit_store, "alice", change)
    assert set(resource_state(edit_store, node)) == set(original)


def test_each_commit_is_one_update(edit_store, monkeypatch):
    calls = []
    real = edit_store.update
    monkeypatch.setattr(edit_store, "update", lambda text, bindings=None: (calls.append(text), real(text))[1])
    op.assign(edit_store, "alice", "SB-1.1", VHS, "lead", "Notiz")
    assert len(calls) == 1
    assert str(GRAPH_HISTORY) in calls[0] and str(GRAPH_KIK) in calls[0]


def test_hostile_text_is_stored_as_a_literal_and_nothing_else_changes(edit_store):
    hostile = '"} } ; DROP ALL ; INSERT DATA { <x:a> <x:b> "c" } # <script>alert(1)</script>'
    before = len(edit_store.graph(str(GRAPH_KIK)))
    op.set_status(edit_store, "alice", "SB-1.1", "geplant", "2024-01-01", hostile)
    state = resource_state(edit_store, status_iri(KIKD["massnahme/SB-1.1"]))
    assert str(state.value(status_iri(KIKD["massnahme/SB-1.1"]), KIK.internalNote)) == hostile
    assert not edit_store.ask("ASK { <x:a> ?p ?o }")
    assert len(edit_store.graph(str(GRAPH_KIK))) == before + 7 + 4  # status record + office source document


def test_noop_edit_writes_no_history(edit_store):
    op.assign(edit_store, "alice", "SB-1.1", VHS, "lead")
    assert not op.assign(edit_store, "alice", "SB-1.1", VHS, "lead").changed
    assert len(history.changes_since(edit_store)) == 1


def test_institution_create_and_edit_keep_unmanaged_statements(edit_store):
    result = save_institution(edit_store, "alice", InstitutionInput(
        name="Sprachcafé Kempten", organisation_type="Bildungsträger", categories=["Bildungsträger"],
        parent="vhs Kempten", note="vom Amt erfasst"))
    node = next(r for r in result.resources if "organisation/" in str(r))
    assert node == KIKD["organisation/sprachcafe-kempten"]
    state = resource_state(edit_store, node)
    assert state.value(node, KIK.sourceLocator) is not None and (node, DCTERMS.source, OFFICE_SOURCE) in state
    annex_before = set(resource_state(edit_store, VHS).objects(VHS, KIK.annexLabel))
    save_institution(edit_store, "alice", InstitutionInput(name="vhs Kempten", name_en="Adult education centre Kempten",
                                                           organisation_type="Bildungsträger",
                                                           categories=["Bildungsträger"]), institution=VHS)
    after = resource_state(edit_store, VHS)
    assert set(after.objects(VHS, KIK.annexLabel)) == annex_before  # not managed by the form: kept
    assert Literal("Adult education centre Kempten", lang="en") in set(after.objects(VHS, None))
    with pytest.raises(EditRejected, match="gibt es schon"):
        save_institution(edit_store, "alice", InstitutionInput(name="vhs Kempten"))


def test_service_edit_and_verified_today(edit_store):
    from dataclasses import replace

    service, version = load_service(edit_store, "amt-fuer-integration")
    save_service(edit_store, "alice", replace(service, hours_note="Termine nach Vereinbarung"), create=False,
                 today=TODAY, expected_version=version)
    edited, _ = load_service(edit_store, "amt-fuer-integration")
    assert edited.hours_note == "Termine nach Vereinbarung" and edited.modified == TODAY
    assert edited.email == service.email and edited.addresses == service.addresses  # untouched fields kept
    commit(edit_store, build_verify(edit_store, "amt-fuer-integration", today=TODAY), "alice")
    verified, _ = load_service(edit_store, "amt-fuer-integration")
    assert verified.last_verified == TODAY
    assert Literal("2024-05-06", datatype=XSD.date) in set(resource_state(edit_store, URIRef(service.iri)).objects())
    before = dump(edit_store)
    with pytest.raises(EditRejected):
        save_service(edit_store, "alice", replace(service, email="keine-adresse"), create=False)
    with pytest.raises(EditConflict):
        save_service(edit_store, "alice", replace(service, telephone="0831 1"), create=False, expected_version=version)
    assert dump(edit_store) == before


def test_pending_edits_block_the_automatic_refresh_and_the_rebuild(tmp_path, monkeypatch, caplog):
    from kik_graph import graphdata
    from kik_graph.store import build_store, open_store, unsaved_edits
    from kik_graph.store.base import StoreError

    path = tmp_path / "store"
    store = build_store(path)
    op.assign(store, "alice", "SB-1.1", VHS, "lead")
    store.close()
    monkeypatch.setattr(graphdata, "fingerprint", lambda files=None: "graph_data-changed-by-git-pull")
    store = open_store(path)
    assert "kik-graph writeback" in caplog.text
    assert run_named(store, "actors-for-measure", {"measure": "SB-1.1"}).rows  # the edit survived
    assert unsaved_edits(store) == 1
    store.close()
    with pytest.raises(StoreError, match="writeback"):
        build_store(path)
    monkeypatch.undo()
    store = open_store(path)
    store.update(f"DELETE WHERE {{ GRAPH <{history.GRAPH_OFFICE}> {{ ?m kik:pendingChange ?c }} }}")
    store.close()
    rebuilt = build_store(path)  # allowed now; the history is kept
    assert len(history.changes_since(rebuilt)) == 1
    assert not run_named(rebuilt, "actors-for-measure", {"measure": "SB-1.1"}).rows
    rebuilt.close()
