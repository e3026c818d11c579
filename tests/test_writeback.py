"""Write-back to graph_data/: deterministic sorted Turtle, same partitioning, isomorphic round trip, rebase."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kik_graph import graphdata
from kik_graph.config import PATHS
from kik_graph.editing import history
from kik_graph.editing import operations as op
from kik_graph.editing.state import canonical
from kik_graph.namespaces import GRAPH_KIK, KIKD
from kik_graph.store import build_store, stored_fingerprint
from kik_graph.writeback import leading_comment, writeback

VHS = KIKD["organisation/vhs-kempten"]


@pytest.fixture()
def data_dir(tmp_path):
    """A copy of graph_data/ to write into."""
    target = tmp_path / "graph_data"
    shutil.copytree(PATHS.graph_data, target)
    return target


def files(directory) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.ttl"))}


def parsed(directory) -> Graph:
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_unchanged_store_writes_nothing(edit_store, data_dir):
    before = files(data_dir)
    result = writeback(edit_store, data_dir)
    assert result.written == [] and files(data_dir) == before


def test_edits_round_trip_to_an_isomorphic_graph_and_land_in_the_right_files(edit_store, data_dir):
    op.assign(edit_store, "alice", "SB-1.1", VHS, "lead", "Notiz")
    op.unassign(edit_store, "alice", "SB-7.2", "Runder Tisch der Bildungsträger Kempten & Oberallgäu")
    op.set_status(edit_store, "alice", "SB-1.1", "geplant", "2024-01-01")
    op.save_indicator(edit_store, "alice", op.IndicatorInput(goal="SB-Z1", name="Quote", unit="%", baseline="2.50"))
    before = files(data_dir)
    result = writeback(edit_store, data_dir)
    assert result.written == ["implementation.ttl", "kik-document.ttl", "responsibilities.ttl"]
    after = files(data_dir)
    unchanged = set(before) - set(result.written)
    assert all(before[name] == after[name] for name in unchanged)
    assert isomorphic(canonical(parsed(data_dir)), canonical(edit_store.graph(str(GRAPH_KIK))))
    responsibilities = after["responsibilities.ttl"].decode()
    assert "SB-1.1-vhs-kempten" in responsibilities and "SB-7.2-runder-tisch" not in responsibilities
    assert "kenngroesse/SB-Z1-quote" in after["implementation.ttl"].decode()
    assert "quelle/amt-fuer-integration" in after["kik-document.ttl"].decode()
    again = writeback(edit_store, data_dir)  # deterministic and idempotent
    assert again.written == [] and files(data_dir) == after
    assert not history.pending_changes(edit_store)
    assert stored_fingerprint(edit_store) == graphdata.fingerprint(graphdata.data_files(data_dir))


def test_output_is_deterministic_sorted_turtle(tmp_path, data_dir):
    outputs = []
    for n in range(2):
        directory = tmp_path / f"copy{n}"
        shutil.copytree(data_dir, directory)
        store = build_store(tmp_path / f"store{n}")
        op.assign(store, "alice", "SB-1.1", VHS, "lead", today=__import__("datetime").date(2024, 1, 1))
        op.assign(store, "alice", "AA-1.1", VHS, "partner", today=__import__("datetime").date(2024, 1, 1))
        writeback(store, directory)
        outputs.append(files(directory))
        store.close()
    assert outputs[0] == outputs[1]
    text = outputs[0]["responsibilities.ttl"].decode()
    assert text.index("AA-1.1-vhs-kempten") < text.index("SB-1.1-vhs-kempten")


def test_rebase_keeps_upstream_changes_and_office_edits(edit_store, data_dir):
    op.set_status(edit_store, "alice", "SB-1.1", "geplant", "2024-01-01")
    upstream = data_dir / "responsibilities.ttl"
    text = upstream.read_text(encoding="utf-8")
    upstream.write_text(text.replace('kik:provenanceNote "im KIK-Text genannt"@de ;',
                                     'kik:provenanceNote "im KIK-Text genannt (geprüft)"@de ;', 1), encoding="utf-8")
    result = writeback(edit_store, data_dir)
    assert result.rebased and result.replayed == 1
    merged = parsed(data_dir)
    assert "im KIK-Text genannt (geprüft)" in merged.serialize(format="nt")
    assert "umsetzungsstand/SB-1.1" in merged.serialize(format="nt")
    assert isomorphic(canonical(merged), canonical(edit_store.graph(str(GRAPH_KIK))))


def test_check_mode_writes_nothing(edit_store, data_dir):
    op.set_status(edit_store, "alice", "SB-1.1", "geplant")
    before = files(data_dir)
    result = writeback(edit_store, data_dir, check=True)
    assert "implementation.ttl" in result.written and files(data_dir) == before
    assert history.pending_changes(edit_store)


def test_leading_comment_block_is_kept():
    assert leading_comment("# a\n#\n# b\n\n@prefix x: <y> .\n") == "# a\n#\n# b\n\n"
    assert leading_comment("@prefix x: <y> .\n") == ""
