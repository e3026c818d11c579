"""Streamlit AppTests of the office pages: they render, widgets change what is shown, known answers appear,
the state is in the URL."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
from streamlit.testing.v1 import AppTest

from kik_graph.ui.office_tables import to_csv, to_xlsx
from tests.fixtures.office import APP, no_exceptions, plain, texts

RUNDER_TISCH = "Runder Tisch der Bildungsträger Kempten & Oberallgäu"


def _frames(at: AppTest) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe]


# ------------------------------------------------------------------------------------------------ overview
def test_overview_key_figures_and_phase_gap(office_page) -> None:
    at = office_page("office_overview")
    no_exceptions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Handlungsfelder"] == "6"
    assert metrics["Ziele"] == "43"
    assert metrics["Maßnahmen"] == "144"
    assert metrics["Anteil mit Federführung"] == "10,4 %"  # 15 of 144
    assert int(metrics["Offene Lücken"]) > 129
    shown = texts(at)
    assert "Phase I („Vor der Zuwanderung“) hat im KIK kein Handlungsfeld und damit 0 Maßnahmen." in shown
    assert len(at.expander) == 4  # the four cross-cutting themes
    assert "Sozialraumorientierung" in [plain(e.label) for e in at.expander]
    charts = [m.value for m in at.markdown if m.value.startswith("<svg")]
    assert len(charts) == 2 and all(c.startswith("<svg") for c in charts)
    per_field, per_phase = charts
    assert all(f">{code}</text>" in per_field for code in ("SB", "AA", "GP", "BE", "GT", "IO"))
    assert ">Vor der Zuwanderung</text>" in per_phase and ">0</text></g>" in per_phase  # phase I: a visible 0


def test_overview_in_english(office_page) -> None:
    at = office_page("office_overview", lang="en")
    no_exceptions(at)
    assert at.title[0].value == "Overview"
    assert {m.label for m in at.metric} >= {"Fields of action", "Goals", "Measures", "Share with a lead"}
    assert "Social-space orientation (Sozialraumorientierung)" in [plain(e.label) for e in at.expander]
    per_phase = [m.value for m in at.markdown if m.value.startswith("<svg")][1]
    assert ">Before immigration</text>" in per_phase  # English data labels where the graph has them


def test_language_switch_changes_the_page_and_the_url(office_page) -> None:
    at = office_page("office_overview")
    at.sidebar.selectbox(key="office_language").set_value("en").run()
    no_exceptions(at)
    assert at.title[0].value == "Overview"
    assert at.query_params.get("lang") == ["en"] or at.query_params.get("lang") == "en"


# ------------------------------------------------------------------------------------------------ who does what
def test_measure_from_the_url_shows_its_lead(office_page) -> None:
    at = office_page("office_who", measure="SB-7.2")
    no_exceptions(at)
    actors = _frames(at)[0]
    row = actors[actors["Akteur*in"] == RUNDER_TISCH].iloc[0]
    assert row["Rolle"] == "federführend"
    assert row["Herkunft der Angabe"] == "im KIK-Text genannt"
    assert "Maßnahme SB-7.2" in [plain(s.value) for s in at.subheader]


def test_choosing_a_measure_updates_table_and_url(office_page) -> None:
    at = office_page("office_who")
    no_exceptions(at)
    assert len(_frames(at)[-1]["Nummer"].unique()) == 144
    at.selectbox(key="office_measure").set_value("SB-7.2").run()
    no_exceptions(at)
    assert RUNDER_TISCH in texts(at)
    assert _query(at, "measure") == "SB-7.2"
    assert list(_frames(at)[-1]["Nummer"].unique()) == ["SB-7.2"]


def test_field_and_goal_filters(office_page) -> None:
    at = office_page("office_who", field="GP")
    no_exceptions(at)
    table = _frames(at)[-1]
    assert set(table["Handlungsfeld"]) == {"GP"}
    assert any("Akteursliste: GP" in s.value for s in at.subheader)
    goal_options = at.selectbox(key="office_goal").options
    assert all(o.startswith("GP-Z") for o in goal_options[1:])
    at.selectbox(key="office_goal").set_value("GP-Z2").run()
    assert set(_frames(at)[-1]["Ziel"]) == {"GP-Z2"}
    assert _query(at, "goal") == "GP-Z2"


def test_target_group_and_phase_filters(office_page) -> None:
    at = office_page("office_who", group="zielgruppe/eltern")
    no_exceptions(at)
    eltern = _frames(at)[-1]["Nummer"].nunique()
    assert eltern == 12
    at = office_page("office_who", phase="1")
    no_exceptions(at)
    assert "0 Maßnahmen" in texts(at)
    at = office_page("office_who", phase="2")
    assert _frames(at)[-1]["Nummer"].nunique() > 0


def test_invalid_url_values_are_ignored(office_page) -> None:
    at = office_page("office_who", measure="<script>alert(1)</script>", field="XX", view="nope")
    no_exceptions(at)
    assert _frames(at)[-1]["Nummer"].nunique() == 144


def test_actor_view_lists_measures_goals_fields(office_page) -> None:
    at = office_page("office_who", view="actor", actor="gremium/runder-tisch-der-bildungstraeger")
    no_exceptions(at)
    shown = texts(at)
    assert RUNDER_TISCH in [plain(s.value) for s in at.subheader]
    frames = _frames(at)
    assert any("SB-7.2" in set(f.get("Nummer", [])) for f in frames)
    assert any("SB-Z7" in set(f.get("Nummer", [])) for f in frames)
    assert "zuständig für 1 Maßnahme(n)" in shown


def test_actor_view_via_category(office_page) -> None:
    at = office_page("office_who", view="actor", actor="organisation/vhs-kempten")
    no_exceptions(at)
    measures = next(f for f in _frames(at) if "über Kategorie" in f.columns)
    assert set(measures["über Kategorie"]) == {"Bildungsträger"}
    assert "SB-7.1" in set(measures["Nummer"])


def test_switching_views_by_widget(office_page) -> None:
    at = office_page("office_who")
    at.radio(key="office_view").set_value("actor").run()
    no_exceptions(at)
    assert _query(at, "view") == "actor"
    at.selectbox(key="office_actor").set_value("organisation/stadt-kempten").run()
    no_exceptions(at)
    assert _query(at, "actor") == "organisation/stadt-kempten"
    assert any("IO-1.1" in set(f.get("Nummer", [])) for f in _frames(at))


def test_matrix_view_heatmap_and_filters(office_page) -> None:
    at = office_page("office_who", view="matrix")
    no_exceptions(at)
    assert len(at.get("vega_lite_chart")) == 1
    pivot = _frames(at)[-1]
    assert RUNDER_TISCH in set(pivot["Akteur*in"])
    assert pivot.loc[pivot["Akteur*in"] == RUNDER_TISCH, "SB"].item() == "1 Maßnahme(n)"
    at.multiselect(key="office_types").set_value(["ActorCategory"]).run()
    no_exceptions(at)
    assert RUNDER_TISCH not in set(_frames(at)[-1]["Akteur*in"])
    assert "Bildungsträger" in set(_frames(at)[-1]["Akteur*in"])
    assert _query(at, "types") == "ActorCategory"


# ------------------------------------------------------------------------------------------------ gaps
def test_gaps_page_counts_explains_and_lists(office_page) -> None:
    at = office_page("office_gaps")
    no_exceptions(at)
    summary = _frames(at)[0]
    counts = dict(zip(summary["Lücke"], summary["Anzahl"], strict=True))
    assert counts["Maßnahmen ohne Federführung"] == 129
    assert counts["NAP-I-Phasen ohne Maßnahmen"] == 1
    assert counts["Zielgruppen ohne Maßnahmen"] == 0
    assert len(counts) == 9 and all(summary["Erläuterung"].str.endswith("."))
    assert "Maßnahmen ohne Federführung (129)" in [s.value for s in at.subheader]
    assert len(_frames(at)[1]) == 129  # the chosen (first) list
    # every list downloadable (CSV + Excel), plus the summary, the shown list and one workbook with all lists
    assert len(at.get("download_button")) == 2 * 9 + 2 + 2 + 1


def test_gaps_page_phase_one_is_listed(office_page) -> None:
    at = office_page("office_gaps", gap="phases_without_measures")
    no_exceptions(at)
    phase_table = _frames(at)[1]
    assert list(phase_table["Nummer"]) == ["I"]
    assert phase_table["Maßnahmen"].tolist() == [0]


def test_gaps_page_choose_one_gap_and_threshold(office_page) -> None:
    at = office_page("office_gaps", gap="actors_with_many_leads")
    no_exceptions(at)
    headings = [s.value for s in at.subheader]
    assert any(h.startswith("Akteur*innen mit vielen Federführungen (") for h in headings)
    before = len(_frames(at)[1])
    at.slider(key="office_min_leads").set_value(1).run()
    no_exceptions(at)
    assert len(_frames(at)[1]) > before
    assert _query(at, "min_leads") == "1"
    at.selectbox(key="office_gap").set_value("goals_without_actor").run()
    assert "Ziele ohne Akteur*in (31)" in [s.value for s in at.subheader]
    assert _query(at, "gap") == "goals_without_actor"


def test_gaps_page_field_filter(office_page) -> None:
    at = office_page("office_gaps", field="SB")
    no_exceptions(at)
    table = _frames(at)[1]
    assert set(table["Handlungsfeld"]) == {"SB"}
    assert 0 < len(table) < 129


def test_gaps_workbook_has_one_sheet_per_list(office_store_path) -> None:
    from kik_graph import gaps as gaps_module
    from kik_graph.store import OxigraphStore
    from kik_graph.ui.office_gaps_view import workbook

    store = OxigraphStore(office_store_path, read_only=True)
    book = openpyxl.load_workbook(io.BytesIO(workbook(gaps_module.all_gaps(store), "de")))
    assert len(book.sheetnames) == 10 and book.sheetnames[0] == "Übersicht"
    assert book.worksheets[1].max_row == 130  # header + 129 measures without a lead


def test_actor_measures_match_the_named_query(office_page, office_store_path) -> None:
    from kik_graph.namespaces import KIKD
    from kik_graph.params import run_named
    from kik_graph.ui import office_data
    from kik_graph.ui.common import get_store

    office_page("office_who")  # make sure the app's store is ours
    version = office_data.version()
    for key in ("organisation/vhs-kempten", "gremium/runder-tisch-der-bildungstraeger", "organisation/stadt-kempten",
                "akteurskategorie/bildungstraeger", "gremium/integrationsbeirat", "organisation/amt-fuer-integration"):
        iri = str(KIKD[key])
        expected = {(r["notation"], r["viaLabel"]) for r in run_named(get_store(), "measures-for-actor",
                                                                        {"actor": iri}).as_strings()}
        got = set(zip(office_data.actor_measures(version, iri)["notation"],
                      office_data.actor_measures(version, iri)["viaLabel"], strict=True))
        assert got == expected, key


# ------------------------------------------------------------------------------------------------ app + downloads
def test_app_entry_shows_the_overview_first_to_office_staff(office_store_path) -> None:
    import time

    from kik_graph.auth.sessions import Session
    from kik_graph.ui.auth_ui import SESSION_KEY

    at = AppTest.from_file(str(APP), default_timeout=60)
    now = time.time()
    at.session_state[SESSION_KEY] = Session("vera", "viewer", "local", now, now)
    at.run()
    no_exceptions(at)
    assert at.title[0].value == "Überblick"
    visitor = AppTest.from_file(str(APP), default_timeout=60).run()
    no_exceptions(visitor)
    assert visitor.title[0].value != "Überblick"  # visitors see the public directory, not the office pages


def test_excel_and_csv_downloads_neutralise_formulas() -> None:
    frame = pd.DataFrame({"=Spalte": ["=HYPERLINK(\"http://x\")", "+1", "normal", "@SUM(A1)"], "n": [1, 2, 3, 4]})
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame, "test")))
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["'=Spalte", "n"]
    assert [v[0] for v in values[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "normal", "'@SUM(A1)"]
    assert all(not str(v[0]).startswith(("=", "+", "@")) for v in values)
    csv_text = to_csv(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "\n=" not in csv_text


def _query(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def test_svg_charts_escape_text() -> None:
    from kik_graph.ui.office_charts import svg_bars

    svg = svg_bars([{"label": "<script>alert(1)</script>\n&amp", "tooltip": "<img src=x\n\nonerror=alert(2)>", "n": 3}],
                   title='"><b>', series=[("n", "#000")], y_title="<i>")
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "&amp;amp" in svg
    assert "\n\n" not in svg and svg.count("\n") == 1  # one HTML block for Markdown


def test_office_pages_need_a_login(office_page) -> None:
    for module in ("office_overview", "office_who", "office_gaps", "office_network", "office_sparql"):
        at = office_page(module, role=None, measure="SB-7.2")
        assert at.error, module  # "no access" message, nothing of the page
        assert not at.dataframe and not at.metric and not at.get("iframe"), module


def test_office_catalogue_is_german_first_and_complete_in_english() -> None:
    import tomllib

    from kik_graph.i18n import _DIR, catalogue

    data = tomllib.loads((_DIR / "office.toml").read_text(encoding="utf-8"))
    keys = [k for k in catalogue() if k.startswith("office.")]
    assert len(keys) > 150
    for key in keys:
        texts = catalogue()[key]
        assert list(texts)[:2] == ["de", "en"], key  # German first, English second
        assert texts["de"].strip() and texts["en"].strip(), key
    assert "office" in data


def test_downloads_survive_noncharacters_and_carriage_returns() -> None:
    import csv

    frame = pd.DataFrame({"a": ["Beratung\ufffe\uffff", "Zeile\r=2+5", "x\ny"], "b": ["1", "2", "3"]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame))).active
    assert sheet["A2"].value == "Beratung"
    rows = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig"), newline="")))
    assert rows == [["a", "b"], ["Beratung", "1"], ["Zeile\r=2+5", "2"], ["x\ny", "3"]]


def test_warm_up_thread_ends_quietly_when_its_session_stops(monkeypatch, caplog):
    # the warm-up runs in a thread with the session's script context; when that session (or the server) stops,
    # Streamlit raises StopException (a BaseException) there – it must not end the thread with a traceback
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from kik_graph.ui import office_light

    def stopped():
        raise StopException()

    monkeypatch.setattr(office_light, "version", stopped)
    with caplog.at_level("DEBUG"):
        office_light._warm_all(0)
    assert not [r for r in caplog.records if r.name.startswith("kik_graph") and (r.levelname == "ERROR" or r.exc_info)]
