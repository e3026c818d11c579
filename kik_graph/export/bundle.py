"""One export run: privacy filter → RDF files → vocabulary → HSDS → catalogue and VoID."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from kik_graph.export import cpsv, dcat
from kik_graph.export.files import write_atomic
from kik_graph.export.privacy import PrivacyReport, public_graph
from kik_graph.export.rdf import (
    DEFAULT_DOWNLOAD_URL,
    INTERNAL_BASE,
    bind_prefixes,
    normalise_base,
    serialise_turtle,
    write_dataset,
)
from kik_graph.namespaces import GRAPH_ONTOLOGY
from kik_graph.store.base import GraphStore

CATALOG_FILE = "catalog.ttl"
VOID_FILE = "void.ttl"
VOCABULARY_FILE = "kik-vocabulary.ttl"


@dataclass
class ExportResult:
    """What an export wrote and what the privacy filter withheld."""

    out_dir: Path
    base: str
    files: dict[str, Path] = field(default_factory=dict)
    privacy: PrivacyReport = field(default_factory=PrivacyReport)
    triples: int = 0
    services: int = 0
    #: services without a recorded status, left out of the HSDS file (HSDS requires a status)
    hsds_without_status: int = 0
    cpsv_report: cpsv.CpsvReport = field(default_factory=cpsv.CpsvReport)
    catalog_results: list[dcat.ShapeResult] | None = None

    @property
    def catalog_violations(self) -> list[dcat.ShapeResult]:
        """Violations of the official DCAT-AP.de shapes (empty when valid or not checked)."""
        return [r for r in self.catalog_results or [] if r.severity == "Violation"]


def export_all(store: GraphStore, out_dir: Path, *, base: str | None = None, download_url: str | None = None,
               issued: date | None = None, modified: date | None = None, sparql_endpoint: str | None = None,
               validate: bool = False, progress: Callable[[str], None] | None = None) -> ExportResult:
    """Write the complete public export of ``store`` into ``out_dir``.

    ``validate`` additionally checks the catalogue against the official shapes (if they are available).
    """
    say = progress or (lambda _msg: None)
    base = normalise_base(base)
    download_url = normalise_base(download_url or DEFAULT_DOWNLOAD_URL, field="--download-url")
    today = date.today()
    result = ExportResult(out_dir=out_dir, base=base)

    say("Öffentliche Daten auslesen (Datenschutzfilter) …")
    public = public_graph(store, result.privacy)
    # CPSV-AP profile: cpsv:PublicService only with a public competent authority (kik_graph/export/cpsv.py)
    ontology = store.graph(str(GRAPH_ONTOLOGY))
    result.cpsv_report = cpsv.apply_profile(public, ontology)
    result.triples = len(public)

    say(f"RDF schreiben ({len(public)} Tripel) …")
    result.files.update(write_dataset(public, out_dir, base=base, download_url=download_url))

    vocabulary = Graph()
    bind_prefixes(vocabulary, base)
    vocabulary += ontology
    vocab_path = out_dir / VOCABULARY_FILE
    write_atomic(vocab_path, serialise_turtle(vocabulary))
    result.files["vocabulary"] = vocab_path

    extra: dict[str, tuple[Path, str, str, str]] = {}
    from kik_graph.export import hsds

    directory = hsds.build_hsds_result(public, base=base)
    result.services = len(directory.tables["services"])
    result.hsds_without_status = len(directory.without_status)
    if result.hsds_without_status:
        say(f"HSDS: {result.hsds_without_status} Angebote ohne erfassten Status nicht aufgenommen (HSDS verlangt "
            "einen Status; fehlt in der Vollständigkeitsliste des Verzeichnisses, Feld „Status“).")
    if result.services:
        say(f"Angebotsverzeichnis als HSDS schreiben ({result.services} Angebote) …")
        hsds_path = hsds.write_hsds(directory.tables, out_dir)
        result.files["hsds"] = hsds_path
        extra["hsds"] = (hsds_path, "Angebotsverzeichnis (Open Referral HSDS 3.0, JSON)", "application/json", "JSON")
    else:
        stale = out_dir / hsds.HSDS_FILE
        if stale.exists():  # an older export's file would describe services that are no longer exportable
            stale.unlink()

    say("Katalog (DCAT-AP.de) und VoID schreiben …")
    issued = issued or _earlier_issued(out_dir / CATALOG_FILE)
    options = dcat.CatalogOptions(base=base, download_url=download_url, issued=issued or modified or today,
                                  modified=modified or today, sparql_endpoint=sparql_endpoint)
    catalog = dcat.build_catalog(public, result.files, options, extra)
    catalog_path = out_dir / CATALOG_FILE
    write_atomic(catalog_path, serialise_turtle(catalog))
    result.files["catalog"] = catalog_path
    void_path = out_dir / VOID_FILE
    write_atomic(void_path, serialise_turtle(dcat.build_void(public, result.files, options)))
    result.files["void"] = void_path

    if validate and (dcat.reference_dir() / "shapes").is_dir():
        say("Katalog gegen die offiziellen DCAT-AP.de-Shapes prüfen …")
        result.catalog_results = dcat.validate_catalog(catalog)
    return result


def _earlier_issued(catalog_path: Path) -> date | None:
    """The first-publication date (``dct:issued`` of the catalogue) of an earlier export into the same folder, so
    that a re-export does not claim a new first publication; None without a readable earlier catalogue."""
    if not catalog_path.is_file():
        return None
    try:
        earlier = Graph().parse(catalog_path, format="turtle")
    except Exception:  # noqa: BLE001 – an unreadable old file is simply not used
        return None
    values = sorted(o.toPython() for s in earlier.subjects(RDF.type, DCAT.Catalog)
                    for o in earlier.objects(s, DCTERMS.issued) if isinstance(o.toPython(), date))
    return values[0] if values else None


__all__ = ["export_all", "ExportResult", "INTERNAL_BASE", "CATALOG_FILE", "VOID_FILE", "VOCABULARY_FILE"]
