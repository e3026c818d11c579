"""The KIK graph is complete and faithful to the source text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kik_graph.config import PATHS
from kik_graph.graphdata import load_data
from kik_graph.namespaces import KIK, KIKD, RDF, SKOS

SEED = PATHS.root.parent / "shared" / "seeds" / "001_0bbeaf4ba510cd7c.txt"
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"


@pytest.fixture(scope="module")
def data():
    return load_data()


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.exists():
        pytest.fail(f"Quelltext fehlt: {SEED} (../shared/seeds muss neben dem Projekt liegen)")
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("**", "").replace("<p>", " ").replace("</p>", " ").replace("|", " ")
    text = re.sub(r"(?<=\S)[" + SUPERSCRIPTS + "]+", "", text)
    return re.sub(r"\s+", " ", text)


def instances(graph, cls) -> set:
    return set(graph.subjects(RDF.type, cls))


@pytest.mark.parametrize(("cls", "expected"), [
    (KIK.FieldOfAction, 6), (KIK.Goal, 43), (KIK.Measure, 144), (KIK.District, 47),
    (KIK.CrossCuttingTheme, 4), (KIK.NapPhase, 5),
])
def test_counts(data, cls, expected):
    assert len(instances(data, cls)) == expected


def test_annex_lists_86_entries_and_notes_the_85_of_the_text(data):
    assert len(set(data.subjects(KIK.annexLabel, None))) == 86
    note = data.value(KIKD["kennzahl/beteiligte-institutionen"], KIK.note)
    assert "86" in str(note) and "85" in str(note)


def test_field_codes_and_goal_measure_numbering(data):
    codes = {str(data.value(f, KIK.code)) for f in instances(data, KIK.FieldOfAction)}
    assert codes == {"SB", "AA", "GP", "BE", "GT", "IO"}
    per_field = {"SB": (8, 30), "AA": (8, 27), "GP": (6, 19), "BE": (5, 18), "GT": (8, 24), "IO": (8, 26)}
    for code, (goals, measures) in per_field.items():
        field = KIKD[f"handlungsfeld/{code}"]
        assert len(set(data.subjects(KIK.field, field)) & instances(data, KIK.Goal)) == goals, code
        assert len(set(data.subjects(KIK.field, field)) & instances(data, KIK.Measure)) == measures, code
    for measure in instances(data, KIK.Measure):
        goal = data.value(measure, KIK.goal)
        notation = str(data.value(measure, SKOS.notation))
        assert str(measure).endswith("/massnahme/" + notation)
        assert notation == f"{data.value(data.value(goal, KIK.field), KIK.code)}-{data.value(goal, KIK.number)}.{data.value(measure, KIK.number)}"


def test_missing_measure_io_6_4_is_a_visible_gap_not_invented(data):
    assert (KIKD["massnahme/IO-6.4"], None, None) not in data
    assert (KIKD["massnahme/IO-6.5"], RDF.type, KIK.Measure) in data
    notes = " ".join(str(n) for n in data.objects(KIKD["ziel/IO-Z6"], KIK.note))
    assert "6.4" in notes


def test_every_goal_and_measure_text_is_verbatim_in_the_kik(data, seed_text):
    missing = []
    for cls in (KIK.Goal, KIK.Measure):
        for node in instances(data, cls):
            text = str(data.value(node, KIK.text))
            if text not in seed_text:
                missing.append((str(node), text[:80]))
    assert not missing, missing


@pytest.mark.parametrize(("measure", "text"), [
    ("SB-7.2", "Der Runde Tisch der Bildungsträger stimmt regelmäßig bedarfsorientierend die Angebote der formalen Sprachkurse ab."),
    ("GP-2.2", "Bereits bestehende Arbeitsgemeinschaften erarbeiten Handlungsempfehlungen und sensibilisieren das Netzwerk, z.B. das TAFF-Forum."),
    ("IO-6.5", "Es werden toleranz- und demokratiefördernde Projekte durchgeführt."),
])
def test_spot_check_verbatim_measures(data, measure, text):
    assert str(data.value(KIKD[f"massnahme/{measure}"], KIK.text)) == text


def test_field_introductions_are_from_the_kik(data, seed_text):
    for field in instances(data, KIK.FieldOfAction):
        intro = str(data.value(field, KIK.introduction))
        first_sentence = intro.split(". ")[0]
        assert first_sentence in seed_text, first_sentence


def test_every_resource_has_exactly_one_german_preflabel_and_a_source(data):
    typed = {s for s in data.subjects(RDF.type, None) if isinstance(s, URIRef)}
    for node in typed:
        labels = [o for o in data.objects(node, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "de"]
        assert len(labels) == 1, node
    sourced = KIK.FieldOfAction, KIK.Goal, KIK.Measure, KIK.Organisation, KIK.Responsibility, KIK.PhaseAssignment
    for cls in sourced:
        for node in instances(data, cls):
            assert data.value(node, URIRef("http://purl.org/dc/terms/source")) is not None, node


def test_phase_one_has_no_field_and_says_so(data):
    phase1 = KIKD["nap-phase/1"]
    assert not set(data.subjects(KIK.phase, phase1))
    assert data.value(phase1, KIK.note) is not None


def test_phase_assignments_carry_evidence_and_type(data):
    assignments = instances(data, KIK.PhaseAssignment)
    assert assignments
    for a in assignments:
        assert data.value(a, KIK.evidenceType) in (KIK.StatedInSource, KIK.Inferred)
        assert str(data.value(a, KIK.evidence)).strip()
    stated = {(str(data.value(a, KIK.subject)).rsplit("/", 1)[-1], str(data.value(a, KIK.phase)).rsplit("/", 1)[-1])
              for a in assignments if data.value(a, KIK.evidenceType) == KIK.StatedInSource}
    assert {("AA", "2"), ("AA", "3"), ("SB", "3"), ("BE", "3"), ("GT", "5"), ("IO", "5")} <= stated


def test_every_field_lists_its_actors_including_city_offices(data):
    sb = set(data.objects(KIKD["handlungsfeld/SB"], KIK.listedActor))
    assert KIKD["organisation/stadtbibliothek"] in sb
    assert KIKD["organisation/mehrgenerationenhaus"] in sb
    io = set(data.objects(KIKD["handlungsfeld/IO"], KIK.listedActor))
    assert {KIKD["organisation/gleichstellungsstelle"], KIKD["organisation/personalamt"]} <= io
    sizes = {c: len(set(data.objects(KIKD[f"handlungsfeld/{c}"], KIK.listedActor))) for c in ("SB", "AA", "GP", "BE", "GT", "IO")}
    assert all(n >= 20 for n in sizes.values()), sizes


def test_no_personal_names_in_the_data():
    from tests.fixtures.export import personal_names

    names = personal_names()
    assert len(names) > 30
    for path in Path(PATHS.graph_data).glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        found = [n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)]
        assert not found, (path.name, found)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_thematic_sub_headings_are_the_kiks(data, seed_text):
    """The KIK gives a thematic sub-heading above the first goal of five fields; the graph keeps them verbatim."""
    headings = {str(goal).rsplit("/", 1)[-1]: str(h) for goal, h in data.subject_objects(KIK.sectionHeading)}
    assert headings == {"SB-Z1": "Informelle Bildung", "BE-Z1": "Netzwerkaustausch", "GP-Z1": "Gesundheitsversorgung",
                        "GT-Z1": "Begegnungsstätten und Zusammenleben", "IO-Z1": "Verwaltungen und Institutionen"}
    assert all(h in seed_text for h in headings.values())


def test_cross_cutting_themes_carry_their_kik_description_verbatim(data, seed_text):
    """Sentence by sentence; a sentence that runs across a page break of the source (a footnote in between) is
    found in two halves."""
    for theme in instances(data, KIK.CrossCuttingTheme):
        for sentence in re.split(r"(?<=[.!?])\s+", _spaces(str(data.value(theme, SKOS.definition)))):
            words = sentence.split(" ")
            split = any(" ".join(words[:k]) in seed_text and " ".join(words[k:]) in seed_text
                        for k in range(1, len(words)))
            assert sentence in seed_text or split, (theme, sentence)
        assert data.value(theme, URIRef("http://purl.org/dc/terms/source")) is not None


def test_key_figures_state_value_date_and_source_as_the_kik_does(data, seed_text):
    """Each key figure's value is the number its verbatim KIK sentence states; each has a date and a source."""
    figures = instances(data, KIK.KeyFigure)
    assert len(figures) >= 10
    for figure in figures:
        evidence = str(data.value(figure, KIK.evidence))
        assert _spaces(evidence) in seed_text, evidence[:80]
        value = float(data.value(figure, RDF.value))
        written = re.sub(r"(?<=\d)[. ](?=\d{3}\b)", "", evidence).replace(",", ".")
        assert re.search(rf"(?<![\d.]){re.escape(f'{value:g}')}(?![\d])", written), (figure, value, evidence)
        assert data.value(figure, URIRef("http://purl.org/dc/terms/date")) is not None, figure
        assert data.value(figure, URIRef("http://purl.org/dc/terms/source")) is not None, figure
    dated = {str(data.value(f, URIRef("http://purl.org/dc/terms/date"))) for f in figures}
    assert "2020-12-31" in dated


def test_annex_institutions_are_typed_and_linked_to_parents_and_categories(data):
    """Every organisation of the Anhang has an organisation type; units name their parent organisation (city
    offices → Stadt Kempten, Diakonie units → Diakonie) and institutions their actor categories."""
    org = "http://www.w3.org/ns/org#"
    annex = set(data.subjects(KIK.annexLabel, None))
    organisations = {s for s in annex if (s, RDF.type, KIK.Organisation) in data}
    assert len(organisations) >= 80
    untyped = [str(s) for s in organisations if data.value(s, KIK.organisationType) is None]
    assert not untyped, untyped
    parents = {str(s).rsplit("/", 1)[-1]: str(p).rsplit("/", 1)[-1] for s in annex
               for p in data.objects(s, URIRef(org + "unitOf"))}
    assert list(parents.values()).count("stadt-kempten") >= 10 and list(parents.values()).count("diakonie-kempten-allgaeu") >= 5
    for unit, parent in parents.items():
        if parent == "stadt-kempten":
            assert data.value(KIKD[f"organisation/{unit}"], KIK.organisationType) in {
                KIKD["organisationstyp/staedtische-dienststelle"], KIKD["organisationstyp/behoerde"]}, unit
    vhs = KIKD["organisation/vhs-kempten"]
    assert KIKD["akteurskategorie/bildungstraeger"] in set(data.objects(vhs, KIK.inCategory))
    assert data.value(vhs, KIK.organisationType) == KIKD["organisationstyp/bildungstraeger"]
    providers = {s for s in organisations if data.value(s, KIK.organisationType) == KIKD["organisationstyp/bildungstraeger"]}
    assert providers and providers <= set(data.subjects(KIK.inCategory, KIKD["akteurskategorie/bildungstraeger"]))
