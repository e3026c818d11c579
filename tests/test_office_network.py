"""AppTests of the network page: every view renders an offline vis-network page, widgets change it."""

from __future__ import annotations

import re

from tests.fixtures.office import no_exceptions, texts


def _html(at) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return frames[0].proto.srcdoc


def _query(at, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_structure_view_is_the_default(office_page) -> None:
    at = office_page("office_network")
    no_exceptions(at)
    page = _html(at)
    assert "new vis.Network" in page
    assert not re.search(r"cdnjs|jsdelivr|unpkg|googleapis", page)
    nodes = int(re.search(r"(\d+) Knoten", texts(at)).group(1))
    assert 340 <= nodes <= 400  # 6 fields + 43 goals + 144 measures + every actor
    bridges = at.dataframe[0].value
    assert bridges.columns[0] == "Bezeichnung"
    assert len(bridges) == 10 and (bridges["Betweenness (Brückenfunktion)"] > 0).all()
    assert "Handlungsfeld" in page and "Maßnahme" in page  # translated legend


def test_views_from_the_url(office_page) -> None:
    at = office_page("office_network", view="governance", colour="community", size="eigenvector")
    no_exceptions(at)
    assert "Steuerungsgruppe des KIK" in set(at.dataframe[0].value["Bezeichnung"])
    assert "Gemeinschaft 1 (" in _html(at)
    at = office_page("office_network", view="collaboration")
    no_exceptions(at)
    assert "Zusammenarbeit" in _html(at)


def test_focus_view_with_depth_control(office_page) -> None:
    at = office_page("office_network", view="focus", focus="massnahme/SB-7.2")
    no_exceptions(at)
    small = int(re.search(r"(\d+) Knoten", texts(at)).group(1))
    assert "Runder Tisch der Bildungsträger Kempten &amp; Oberallgäu" in _html(at) or \
        "Runder Tisch der Bildungstr\u00e4ger Kempten \\u0026amp; Oberallg\u00e4u" in _html(at)
    at.slider(key="office_depth").set_value(2).run()
    no_exceptions(at)
    assert int(re.search(r"(\d+) Knoten", texts(at)).group(1)) > small
    assert _query(at, "depth") == "2"
    at.selectbox(key="office_focus").set_value("gremium/integrationsbeirat").run()
    no_exceptions(at)
    assert _query(at, "focus") == "gremium/integrationsbeirat"


def test_filters_and_switches_change_the_view(office_page) -> None:
    at = office_page("office_network")
    full = int(re.search(r"(\d+) Knoten", texts(at)).group(1))
    at.multiselect(key="office_fields").set_value(["SB"]).run()
    no_exceptions(at)
    assert int(re.search(r"(\d+) Knoten", texts(at)).group(1)) < full
    assert _query(at, "fields") == "SB"
    at.multiselect(key="office_types").set_value(["Organisation"]).run()
    no_exceptions(at)
    legend = _html(at).split('<div id="kik-legend"', 1)[1].split("</div>", 1)[0]
    assert "Einrichtung" in legend and not any(k in legend for k in ("Gremium", "Akteurskategorie", "Funktion"))
    before = _html(at)
    at.selectbox(key="office_colour").set_value("community").run()
    no_exceptions(at)
    assert _html(at) != before and "Gemeinschaft" in _html(at)
    at.radio(key="office_view").set_value("collaboration").run()
    no_exceptions(at)
    assert _query(at, "view") == "collaboration"


def test_network_page_in_english(office_page) -> None:
    at = office_page("office_network", lang="en", view="governance")
    no_exceptions(at)
    assert at.title[0].value == "Network"
    assert "Bridging actors" in [s.value for s in at.subheader]
    assert 'lang="en"' in _html(at)
