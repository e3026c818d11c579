"""The catalogue (``catalog.ttl``, DCAT-AP.de 3.0) and the VoID description (``void.ttl``) of an export.

Every statement here is either about the export itself (formats, sizes, checksums, dates of this run), taken from
the public graph (temporal coverage = the dates the data carries), or stated in the KIK imprint (publisher,
contact point). The controlled-vocabulary concepts used (themes, language, frequency, publisher type) are described
in the catalogue with their official labels so that the catalogue validates on its own.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VOID, XSD

from kik_graph.config import PROJECT_ROOT
from kik_graph.export.rdf import RDF_FORMATS, rebase_term
from kik_graph.namespaces import KIK, KIKD

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
IANA = "https://www.iana.org/assignments/media-types/"

LICENCE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
LICENCE_ATTRIBUTION = "Stadt Kempten (Allgäu), Kommunales Integrationskonzept Kempten (KIK) 2021"
MUNICIPALITY_KEY = "09763000"
SPATIAL = URIRef(f"http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{MUNICIPALITY_KEY}")
GEOCODING_LEVEL = URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/municipality")

#: Publisher and contact point exactly as the KIK imprint (Impressum, S. 97) states them.
PUBLISHER_NAME = "Stadt Kempten (Allgäu)"
CONTACT_NAME = "Stadt Kempten (Allgäu), Amt für Integration"
CONTACT_EMAIL = "mailto:integration@kempten.de"
CONTACT_PHONE = "tel:+49-831-2525-5311"
CONTACT_URL = "https://www.kempten.de"

#: Controlled-vocabulary concepts the catalogue uses, with their official labels.
CONCEPTS: dict[URIRef, tuple[URIRef, dict[str, str]]] = {
    EU_THEME["SOCI"]: (URIRef("http://publications.europa.eu/resource/authority/data-theme"),
                       {"de": "Bevölkerung und Gesellschaft", "en": "Population and society"}),
    EU_THEME["GOVE"]: (URIRef("http://publications.europa.eu/resource/authority/data-theme"),
                       {"de": "Regierung und öffentlicher Sektor", "en": "Government and public sector"}),
    EU_LANGUAGE["DEU"]: (URIRef("http://publications.europa.eu/resource/authority/language"),
                         {"de": "Deutsch", "en": "German"}),
    EU_FREQUENCY["IRREG"]: (URIRef("http://publications.europa.eu/resource/authority/frequency"),
                            {"de": "unregelmäßig", "en": "irregular"}),
    ADMS_PUBLISHER_TYPE["LocalAuthority"]: (URIRef("http://purl.org/adms/publishertype/1.0"),
                                            {"en": "Local Authority"}),
    GEOCODING_LEVEL: (URIRef("http://dcat-ap.de/def/politicalGeocoding/Level"), {"de": "Gemeinde"}),
}

KEYWORDS_DE = ("Integration", "Integrationskonzept", "Kempten", "Migration", "Teilhabe", "Handlungsfeld",
               "Maßnahme", "Angebotsverzeichnis")
KEYWORDS_EN = ("integration", "integration strategy", "migration", "participation", "service directory")

TITLE_DE = "Kommunales Integrationskonzept Kempten (KIK) – Wissensgraph"
TITLE_EN = "Municipal Integration Concept Kempten (KIK) – knowledge graph"
DESCRIPTION_DE = ("Die Handlungsfelder, Ziele und Maßnahmen des Kommunalen Integrationskonzepts Kempten (KIK) 2021 "
                  "im Wortlaut, mit den im KIK genannten Akteur*innen und Zuständigkeiten, Zielgruppen, den Phasen "
                  "des Nationalen Aktionsplans Integration, den Stadtbezirken und Kennzahlen sowie dem "
                  "Angebotsverzeichnis, als Linked Open Data.")
DESCRIPTION_EN = ("The fields of action, goals and measures of the Municipal Integration Concept Kempten (KIK) 2021 "
                  "verbatim, with the actors and responsibilities named in the KIK, target groups, the phases of the "
                  "National Action Plan on Integration, the city districts and key figures, and the service "
                  "directory, as linked open data.")


@dataclass(frozen=True)
class CatalogOptions:
    """Settings of one export run that end up in the catalogue."""

    base: str
    download_url: str
    issued: date
    modified: date
    sparql_endpoint: str | None = None


def dataset_iri(base: str) -> URIRef:
    """IRI of the dataset (stable for a base)."""
    return URIRef(base + "datensatz/kik")


def catalog_iri(base: str) -> URIRef:
    """IRI of the catalogue."""
    return URIRef(base + "katalog/kik")


def distribution_iri(base: str, key: str) -> URIRef:
    """IRI of one distribution."""
    return URIRef(base + f"distribution/kik-{key}")


def temporal_coverage(public: Graph) -> tuple[date, date] | None:
    """Earliest and latest ``dcterms:date`` in the public data (the dates the statements refer to)."""
    dates = [o.toPython() for o in public.objects(None, DCTERMS.date) if isinstance(o, Literal)
             and o.datatype == XSD.date]
    dates = [d for d in dates if isinstance(d, date)]
    return (min(dates), max(dates)) if dates else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _describe_concepts(g: Graph) -> None:
    for concept, (scheme, labels) in CONCEPTS.items():
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.inScheme, scheme))
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        for lang, label in labels.items():
            g.add((concept, SKOS.prefLabel, Literal(label, lang=lang)))


def build_catalog(public: Graph, files: dict[str, Path], options: CatalogOptions,
                  extra: dict[str, tuple[Path, str, str, str]] | None = None) -> Graph:
    """The DCAT-AP.de catalogue: catalogue, dataset, one distribution per file.

    ``files`` maps the RDF format keys to written files; ``extra`` maps further keys to
    ``(path, title, media type, EU file type)`` (e.g. the HSDS JSON).
    """
    base = options.base
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("dcatde", DCATDE), ("dcatap", DCATAP), ("foaf", FOAF),
                       ("vcard", VCARD), ("spdx", SPDX), ("skos", SKOS), ("xsd", XSD)):
        g.bind(prefix, ns)
    catalog, dataset = catalog_iri(base), dataset_iri(base)
    publisher = rebase_term(KIKD["organisation/stadt-kempten"], str(KIKD), base)
    contact = URIRef(base + "kontakt/amt-fuer-integration")

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(PUBLISHER_NAME, lang="de")))
    g.add((publisher, DCTERMS.type, ADMS_PUBLISHER_TYPE["LocalAuthority"]))

    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(CONTACT_NAME, lang="de")))
    g.add((contact, VCARD.hasEmail, URIRef(CONTACT_EMAIL)))
    g.add((contact, VCARD.hasTelephone, URIRef(CONTACT_PHONE)))
    g.add((contact, VCARD.hasURL, URIRef(CONTACT_URL)))

    g.add((LICENCE, RDF.type, DCTERMS.LicenseDocument))
    g.add((SPATIAL, RDF.type, DCTERMS.Location))
    g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    _describe_concepts(g)

    issued = Literal(options.issued.isoformat(), datatype=XSD.date)
    modified = Literal(options.modified.isoformat(), datatype=XSD.date)

    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("Offene Daten zum Kommunalen Integrationskonzept Kempten", lang="de")))
    g.add((catalog, DCTERMS.title, Literal("Open data of the Municipal Integration Concept Kempten", lang="en")))
    g.add((catalog, DCTERMS.description, Literal(
        "Katalog der offenen Daten des Wissensgraphen zum Kommunalen Integrationskonzept Kempten (KIK).", lang="de")))
    g.add((catalog, DCTERMS.description, Literal(
        "Catalogue of the open data of the knowledge graph of the Municipal Integration Concept Kempten (KIK).",
        lang="en")))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCTERMS.language, EU_LANGUAGE["DEU"]))
    g.add((catalog, DCTERMS.license, LICENCE))
    g.add((catalog, DCTERMS.issued, issued))
    g.add((catalog, DCTERMS.modified, modified))
    g.add((catalog, DCTERMS.spatial, SPATIAL))
    g.add((catalog, FOAF.homepage, URIRef(options.download_url)))
    g.add((catalog, DCAT.themeTaxonomy, URIRef("http://publications.europa.eu/resource/authority/data-theme")))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(TITLE_DE, lang="de")))
    g.add((dataset, DCTERMS.title, Literal(TITLE_EN, lang="en")))
    g.add((dataset, DCTERMS.description, Literal(DESCRIPTION_DE, lang="de")))
    g.add((dataset, DCTERMS.description, Literal(DESCRIPTION_EN, lang="en")))
    g.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCTERMS.issued, issued))
    g.add((dataset, DCTERMS.modified, modified))
    g.add((dataset, DCTERMS.language, EU_LANGUAGE["DEU"]))
    g.add((dataset, DCTERMS.accrualPeriodicity, EU_FREQUENCY["IRREG"]))
    g.add((dataset, DCTERMS.spatial, SPATIAL))
    g.add((dataset, DCATDE.politicalGeocodingLevelURI, GEOCODING_LEVEL))
    g.add((dataset, DCAT.theme, EU_THEME["SOCI"]))
    g.add((dataset, DCAT.theme, EU_THEME["GOVE"]))
    g.add((dataset, DCAT.landingPage, URIRef(options.download_url)))
    for word in KEYWORDS_DE:
        g.add((dataset, DCAT.keyword, Literal(word, lang="de")))
    for word in KEYWORDS_EN:
        g.add((dataset, DCAT.keyword, Literal(word, lang="en")))
    coverage = temporal_coverage(public)
    if coverage:
        period = URIRef(base + "zeitraum/kik")
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(coverage[0].isoformat(), datatype=XSD.date)))
        g.add((period, DCAT.endDate, Literal(coverage[1].isoformat(), datatype=XSD.date)))
        g.add((dataset, DCTERMS.temporal, period))

    entries = {fmt.key: (files[fmt.key], f"{TITLE_DE} ({fmt.label})", fmt.media_type, fmt.file_type)
               for fmt in RDF_FORMATS if fmt.key in files}
    entries.update(extra or {})
    for key, (path, title, media_type, file_type) in entries.items():
        dist = distribution_iri(base, key)
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="de")))
        g.add((dist, DCAT.accessURL, URIRef(options.download_url)))
        g.add((dist, DCAT.downloadURL, URIRef(options.download_url + path.name)))
        g.add((dist, DCTERMS.format, EU_FILE_TYPE[file_type]))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media_type)))
        g.add((dist, DCTERMS.license, LICENCE))
        g.add((dist, DCATDE.licenseAttributionByText, Literal(LICENCE_ATTRIBUTION, lang="de")))
        g.add((dist, DCTERMS.issued, issued))
        g.add((dist, DCTERMS.modified, modified))
        g.add((dist, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(_sha256(path), datatype=XSD.hexBinary)))
    return g


def build_void(public: Graph, files: dict[str, Path], options: CatalogOptions) -> Graph:
    """A VoID description of the dataset: size, classes, properties, URI space, dumps, vocabularies."""
    g = Graph()
    g.bind("void", VOID)
    g.bind("dct", DCTERMS)
    ds = dataset_iri(options.base)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal(TITLE_DE, lang="de")))
    g.add((ds, DCTERMS.title, Literal(TITLE_EN, lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION_DE, lang="de")))
    g.add((ds, DCTERMS.publisher, rebase_term(KIKD["organisation/stadt-kempten"], str(KIKD), options.base)))
    g.add((ds, DCTERMS.license, LICENCE))
    g.add((ds, DCTERMS.modified, Literal(options.modified.isoformat(), datatype=XSD.date)))
    g.add((ds, VOID.uriSpace, Literal(options.base)))
    g.add((ds, VOID.triples, Literal(len(public))))
    subjects = set(public.subjects())
    g.add((ds, VOID.distinctSubjects, Literal(len(subjects))))
    g.add((ds, VOID.distinctObjects, Literal(len(set(public.objects())))))
    g.add((ds, VOID.entities, Literal(len({s for s in subjects if isinstance(s, URIRef)}))))
    classes = Counter(o for _, o in public.subject_objects(RDF.type))
    properties = Counter(p for p in public.predicates())
    g.add((ds, VOID.classes, Literal(len(classes))))
    g.add((ds, VOID.properties, Literal(len(properties))))
    for cls, count in sorted(classes.items()):
        part = URIRef(f"{ds}#klasse-{_local(cls)}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in sorted(properties.items()):
        part = URIRef(f"{ds}#eigenschaft-{_local(prop)}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count)))
    for fmt in RDF_FORMATS:
        if fmt.key in files:
            g.add((ds, VOID.dataDump, URIRef(options.download_url + files[fmt.key].name)))
    for feature in ("Turtle", "JSON-LD", "N-Triples", "RDF_XML"):
        g.add((ds, VOID.feature, URIRef(f"http://www.w3.org/ns/formats/{feature}")))
    namespaces = {str(KIK), "http://www.w3.org/2004/02/skos/core#", str(DCTERMS), "http://www.w3.org/ns/org#",
                  "https://schema.org/", "http://www.w3.org/ns/prov#"}
    used = {ns for ns in namespaces if any(str(p).startswith(ns) for p in properties)}
    for ns in sorted(used):
        g.add((ds, VOID.vocabulary, URIRef(ns)))
    example = rebase_term(KIKD["massnahme/SB-7.2"], str(KIKD), options.base)
    if (rebase_term(KIKD["massnahme/SB-7.2"], str(KIKD), str(KIKD)), None, None) in public or \
            (example, None, None) in public:
        g.add((ds, VOID.exampleResource, example))
    if options.sparql_endpoint:
        g.add((ds, VOID.sparqlEndpoint, URIRef(options.sparql_endpoint)))
    return g


def _local(term: URIRef) -> str:
    text = str(term)
    for sep in ("#", "/"):
        text = text.rsplit(sep, 1)[-1] if sep in text else text
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text) or "x"


# --------------------------------------------------------------------------- official shapes
def reference_dir() -> Path:
    """Where the official shapes and vocabularies live (``../shared/reference`` or ``KIK_GRAPH_REFERENCE``)."""
    import os

    return Path(os.environ.get("KIK_GRAPH_REFERENCE", PROJECT_ROOT.parent / "shared" / "reference"))


def dcat_ap_de_shapes(reference: Path | None = None) -> Graph:
    """The shapes GovData's validator uses for DCAT-AP.de 3.0 (profile ``v30_de_spec``)."""
    ref = reference or reference_dir()
    shapes = Graph()
    shapes.parse(ref / "shapes" / "dcat-ap-3.0.0" / "dcat-ap-SHACL.ttl", format="turtle")
    for name in ("dcat-ap-de-imports.ttl", "dcat-ap-SHACL-DE.ttl", "dcat-ap-de-deprecated.ttl",
                 "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-controlledvocabularies.ttl"):
        shapes.parse(ref / "shapes" / "dcat-ap-de-3.0" / name, format="turtle")
    return shapes


def reference_vocabularies(reference: Path | None = None) -> Graph:
    """The controlled vocabularies available locally (licences, file types)."""
    ref = reference or reference_dir()
    vocab = Graph()
    for path in sorted((ref / "vocab").glob("*.rdf")):
        vocab.parse(path, format="xml")
    return vocab


@dataclass
class ShapeResult:
    """One SHACL result of an official-shapes validation."""

    severity: str
    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.focus} {self.path}: {self.message}"


def validate_with(data: Graph, shapes: Graph, extra: Graph | None = None) -> list[ShapeResult]:
    """Validate ``data`` (plus ``extra`` vocabularies) against ``shapes``; return every result."""
    from pyshacl import validate
    from rdflib.namespace import SH

    combined = Graph()
    combined += data
    if extra is not None:
        combined += extra
    _, results, _ = validate(combined, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        messages = [m for m in results.objects(result, SH.resultMessage)]
        german = [m for m in messages if getattr(m, "language", None) == "de"]
        out.append(ShapeResult(severity, str(results.value(result, SH.focusNode)),
                               str(results.value(result, SH.resultPath) or ""),
                               str((german or messages or ["?"])[0])))
    return sorted(out, key=lambda r: (r.severity, r.focus, r.path))


def validate_catalog(catalog: Graph, reference: Path | None = None) -> list[ShapeResult]:
    """Validate a catalogue with the official DCAT-AP 3.0.0 + DCAT-AP.de 3.0 shapes and local vocabularies."""
    return validate_with(catalog, dcat_ap_de_shapes(reference), reference_vocabularies(reference))


__all__ = ["build_catalog", "build_void", "validate_catalog", "validate_with", "CatalogOptions", "ShapeResult",
           "dataset_iri", "catalog_iri", "distribution_iri", "temporal_coverage", "reference_dir", "RDFS"]
