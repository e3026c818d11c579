"""Open data commands: ``export`` (linked open data + catalogue), ``publish`` (SPARQL endpoint), ``tables``."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from kik_graph.paths import PathKind, checked_path, make_dir
from kik_graph.terms import InvalidInput, iri


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} ist kein Datum (JJJJ-MM-TT).") from None


def _source_store(args: argparse.Namespace):
    from kik_graph.commands.graph import open_from_args

    return open_from_args(args)


def _out_dir(value: str) -> Path:
    """The checked ``--out`` directory, created (kik_graph.paths refuses unusable paths with a clear message)."""
    return make_dir(checked_path(value, "--out", PathKind.OUTPUT_DIR), "--out")


def _export(args: argparse.Namespace) -> int:
    from kik_graph.export.bundle import export_all
    from kik_graph.export.rdf import normalise_base

    normalise_base(args.base)  # bad IRIs are refused before the output directory is created
    normalise_base(args.download_url, field="--download-url")
    if args.sparql_endpoint is not None:
        args.sparql_endpoint = str(iri(args.sparql_endpoint, field="--sparql-endpoint"))
    out = _out_dir(args.out)
    store = _source_store(args)
    result = export_all(store, out, base=args.base, download_url=args.download_url, issued=args.issued,
                        modified=args.modified, sparql_endpoint=args.sparql_endpoint, validate=not args.no_check,
                        progress=_say)
    privacy = result.privacy
    print(f"Export nach {out}: {result.triples} Tripel, Basis-IRI {result.base}")
    print(f"Datenschutzfilter: {privacy.removed_triples} Tripel zurückgehalten "
          f"({privacy.removed_resources} nicht öffentliche Ressourcen, {privacy.removed_by_predicate} interne Angaben)")
    cpsv_report = result.cpsv_report
    print(f"Angebote: {len(cpsv_report.public_services)} als cpsv:PublicService (zuständige Behörde angegeben), "
          f"{len(cpsv_report.other_services)} nur als schema:Service; HSDS: {result.services} mit erfasstem Status, "
          f"{result.hsds_without_status} ohne (nicht in hsds.json)")
    for key, path in sorted(result.files.items()):
        print(f"  {path.name:<24} {path.stat().st_size:>10} Bytes  ({key})")
    if result.catalog_results is not None:
        violations = result.catalog_violations
        if violations:
            print(f"Katalog: {len(violations)} Verstöße gegen DCAT-AP.de 3.0:", file=sys.stderr)
            for v in violations:
                print(f"  {v}", file=sys.stderr)
            return 1
        print("Katalog: gültig nach DCAT-AP 3.0.0 + DCAT-AP.de 3.0 (offizielle Shapes).")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from kik_graph.publish import publish
    from kik_graph.store.sparql_store import SparqlEndpointStore

    password = args.password if args.password is not None else os.environ.get("KIK_GRAPH_PASSWORD")
    user = args.user if args.user is not None else os.environ.get("KIK_GRAPH_USER")
    if user and not password:
        raise InvalidInput("--user ohne Passwort: --password angeben oder KIK_GRAPH_PASSWORD setzen.")
    if args.graph is not None:
        iri(args.graph, field="--graph")  # bad input is reported before any store or endpoint is touched
    timeout = args.timeout
    target = SparqlEndpointStore(args.target_endpoint, update_endpoint=args.update_endpoint, user=user,
                                 password=password, auth=args.auth, graph_store=args.graph_store or "auto",
                                 **({"timeout": timeout} if timeout else {}),
                                 **({"update_timeout": args.update_timeout} if args.update_timeout else {}))
    source = _source_store(args)
    result = publish(source, target, graph=args.graph, base=args.base, vocabulary=not args.no_vocabulary, say=_say)
    for published in result.graphs:
        print(f"<{published.graph}>: {published.triples} Tripel veröffentlicht und geprüft "
              f"({published.seconds:.1f} s)")
    print(f"Datenschutzfilter: {result.privacy.removed_triples} Tripel zurückgehalten.")
    return 0


def _tables(args: argparse.Namespace) -> int:
    from kik_graph.export.rdf import normalise_base
    from kik_graph.export.tables import write_tables

    base = normalise_base(args.base)  # bad IRIs are refused before the output directory is created
    out = _out_dir(args.out)
    paths = write_tables(_source_store(args), out, say=_say, base=base)
    for path in paths:
        print(f"  {path}")
    return 0


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} ist keine Zahl.") from None
    if number <= 0:
        raise argparse.ArgumentTypeError("muss größer als 0 sein.")
    return number


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``export``, ``publish`` and ``tables``."""
    p = sub.add_parser("export", help="öffentliche Daten als Linked Open Data (Turtle, JSON-LD, N-Triples, RDF/XML, "
                                      "DCAT-AP.de-Katalog, VoID, HSDS) schreiben")
    p.add_argument("--out", required=True, metavar="DIR", help="Zielverzeichnis")
    p.add_argument("--base", metavar="IRI", help="Basis-IRI der Ressourcen (Standard: https://w3id.org/kik-graph/id/)")
    p.add_argument("--download-url", metavar="URL",
                   help="Adresse, unter der die Dateien veröffentlicht werden (Standard: https://w3id.org/kik-graph/data/)")
    p.add_argument("--issued", type=_date, metavar="JJJJ-MM-TT", help="Datum der ersten Veröffentlichung")
    p.add_argument("--modified", type=_date, metavar="JJJJ-MM-TT", help="Änderungsdatum (Standard: heute)")
    p.add_argument("--sparql-endpoint", metavar="URL", help="öffentlicher SPARQL-Endpunkt für die VoID-Beschreibung")
    p.add_argument("--no-check", action="store_true", help="Katalog nicht gegen die offiziellen Shapes prüfen")
    p.set_defaults(handler=_export)

    p = sub.add_parser("publish", help="öffentliche Daten atomar in einen SPARQL-1.1-Endpunkt schreiben")
    p.add_argument("--endpoint", dest="target_endpoint", required=True, metavar="URL", help="SPARQL-Abfrage-Endpunkt")
    p.add_argument("--update-endpoint", metavar="URL", help="SPARQL-Update-Endpunkt (Standard: wie --endpoint)")
    p.add_argument("--graph", metavar="IRI", help="Zielgraph (Standard: https://w3id.org/kik-graph/graph/kik)")
    p.add_argument("--user", help="Benutzer (oder KIK_GRAPH_USER)")
    p.add_argument("--password", help="Passwort (besser: KIK_GRAPH_PASSWORD, sonst in der Prozessliste sichtbar)")
    p.add_argument("--auth", choices=("basic", "digest"), help="Anmeldeverfahren (Standard: digest für …-auth, "
                                                                 "sonst basic)")
    p.add_argument("--graph-store", metavar="URL", help="Graph-Store-Protokoll-Adresse für schnelles Hochladen "
                                                        "('none' = nur SPARQL; Standard: für Virtuoso automatisch)")
    p.add_argument("--base", metavar="IRI", help="Basis-IRI umschreiben (Standard: unverändert, wie die App sie braucht)")
    p.add_argument("--no-vocabulary", action="store_true", help="das Vokabular nicht mitveröffentlichen")
    p.add_argument("--timeout", type=_positive, metavar="SEK", help="Zeitlimit je Abfrage (Standard 30)")
    p.add_argument("--update-timeout", type=_positive, metavar="SEK", help="Zeitlimit je Update (Standard 300)")
    p.set_defaults(handler=_publish)

    p = sub.add_parser("tables", help="Haupttabellen für das Amt als CSV und Excel schreiben")
    p.add_argument("--out", required=True, metavar="DIR", help="Zielverzeichnis")
    p.add_argument("--base", metavar="IRI", help="Basis-IRI der Ressourcen in den IRI-Spalten, wie bei export --base "
                                                 "(Standard: https://w3id.org/kik-graph/id/)")
    p.set_defaults(handler=_tables)
