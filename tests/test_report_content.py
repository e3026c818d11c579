"""Status report: content for a known state (Markdown/HTML), changes since the last report, PDF offline."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from kik_graph.editing import operations as op
from kik_graph.report import build_report, collect, last_report_time, record_report
from kik_graph.report.data import share_done

TODAY = dt.date(2024, 6, 30)
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture()
def known(edit_store):
    """SB-1.1 umgesetzt, SB-1.2 in Umsetzung (with a note), GP-1.1 zurückgestellt, one indicator, one assignment."""
    s = edit_store
    op.set_status(s, "alice", "SB-1.1", "umgesetzt", "2024-02-01", now=T0)
    op.set_status(s, "alice", "SB-1.2", "in Umsetzung", "2024-03-01", "Notiz <b>intern</b> von Frau X",
                  now=T0 + dt.timedelta(days=1))
    op.set_status(s, "bob", "GP-1.1", "zurückgestellt", "2024-04-01", now=T0 + dt.timedelta(days=60))
    op.save_indicator(s, "bob", op.IndicatorInput(goal="SB-Z7", name="Sprachkursplätze", unit="Plätze",
                                                  baseline="100", target="200", current="150", date="2024-05-31",
                                                  source="Runder Tisch"), now=T0 + dt.timedelta(days=61))
    op.assign(s, "bob", "SB-1.1", "vhs Kempten", "lead", now=T0 + dt.timedelta(days=62))
    return s


def test_umsetzungsgrad_per_field_and_goal(known):
    data = collect(known, today=TODAY)
    sb = next(f for f in data.fields if f.code == "SB")
    assert sb.counts["umgesetzt"] == 1 and sb.counts["in-umsetzung"] == 1 and sb.counts["nicht-erfasst"] == 28
    goal1 = sb.goals[0]
    assert goal1.notation == "SB-Z1" and goal1.counts == {"nicht-erfasst": 0, "offen": 0, "geplant": 0,
                                                         "in-umsetzung": 1, "umgesetzt": 1, "dauerhaft": 0,
                                                         "zurueckgestellt": 0}
    assert share_done(data.counts) == (1, 144, pytest.approx(100 / 144))
    gp = next(f for f in data.fields if f.code == "GP")
    assert gp.counts["zurueckgestellt"] == 1


def test_markdown_report_content(known):
    text = build_report(known, "md", since=None, use_last=False, today=TODAY).decode()
    assert "# Sachstandsbericht zum Kommunalen Integrationskonzept Kempten (KIK)" in text
    assert "Stand: 30.06.2024" in text
    assert "**1 von 144 Maßnahmen umgesetzt oder dauerhaft (1 %).**" in text
    assert "| SB – Sprache und Bildung |" in text and "| 28 | 0 | 0 | 1 | 1 | 0 | 0 |" in text
    assert "| SB-1.1: Es werden im informellen Bildungsbereich Strukturen aufgebaut" in text
    assert "umgesetzt (2024-02-01) | vhs Kempten | – |" in text
    assert "Runder Tisch der Bildungsträger Kempten & Oberallgäu" in text  # lead named in the KIK text (SB-7.2)
    assert "| Sprachkursplätze | Plätze | 100 | 200 | 150 | 2024-05-31 | Runder Tisch |" in text
    assert "offen (nicht erfasst)" in text
    gaps = text.split("## Offene Zuständigkeiten", 1)[1].split("## Änderungen", 1)[0]
    assert "- SB-1.2:" in gaps and "- SB-7.2:" not in gaps and "- SB-1.1:" not in gaps
    changes = text.split("## Änderungen seit Beginn der Aufzeichnung", 1)[1]
    assert "SB-1.1: Umsetzungsstand „umgesetzt“ (2024-02-01)" in changes
    assert "alice" not in text and "bob" not in text  # account ids are personal data
    assert "Frau X" not in text  # internal notes only on request


def test_notes_only_on_request_and_html_is_escaped(known):
    html = build_report(known, "html", use_last=False, include_notes=True, today=TODAY).decode()
    assert "Notiz &lt;b&gt;intern&lt;/b&gt; von Frau X" in html and "<b>intern</b>" not in html
    assert "<svg" in html and "http://" not in html.split("<svg", 1)[0].replace("http://www.w3.org", "")
    assert 'src="http' not in html and "<link" not in html  # self-contained


def test_changes_since_the_last_issued_report(known):
    assert last_report_time(known) is None
    record_report(known, since=None, now=T0 + dt.timedelta(days=30))
    assert last_report_time(known) == T0 + dt.timedelta(days=30)
    text = build_report(known, "md", today=TODAY).decode()  # default: since the last issued report
    changes = text.split("## Änderungen seit", 1)[1]
    assert "GP-1.1: Umsetzungsstand „zurückgestellt“" in changes and "Kenngröße „Sprachkursplätze“" in changes
    assert "SB-1.1: Umsetzungsstand" not in changes
    explicit = build_report(known, "md", since=T0 + dt.timedelta(days=61, hours=12), use_last=False).decode()
    assert explicit.split("## Änderungen seit", 1)[1].count("\n- ") == 1


def test_pdf_is_generated_locally_without_network(known, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network access during PDF generation")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    pdf = build_report(known, "pdf", use_last=False, today=TODAY)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert b"/FontFile2" in pdf  # fonts embedded (bundled DejaVu), nothing fetched


def test_report_cli_writes_formats(known, tmp_path, monkeypatch):
    import gc

    from kik_graph.cli import main

    path = known.path
    known.close()
    gc.collect()
    out = tmp_path / "bericht.pdf"
    assert main(["--store", str(path), "report", "--format", "pdf", "-o", str(out), "--since", "2024-01-01"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    gc.collect()
    md = tmp_path / "bericht.md"
    assert main(["--store", str(path), "report", "--format", "md", "-o", str(md), "--issue"]) == 0
    assert "Sachstandsbericht" in md.read_text()
