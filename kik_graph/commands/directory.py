"""Directory commands: ``kik-graph search …`` and ``kik-graph directory …`` (categories, show, completeness,
failed searches, feedback)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from kik_graph.directory import feedback as feedback_mod
from kik_graph.directory import searchlog
from kik_graph.directory.model import COMPLETENESS_FIELDS, Directory, missing_fields
from kik_graph.directory.search import DEFAULT_LIMIT, MAX_LIMIT, Filters, explanations, get_index, run
from kik_graph.i18n import LANGUAGES, t
from kik_graph.output import FORMATS, render
from kik_graph.terms import InvalidInput, shorten

_SEARCH_FORMATS = ("table", "json")


def _open(args: argparse.Namespace):
    from kik_graph.commands.graph import open_from_args

    return open_from_args(args)


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} ist keine ganze Zahl") from None
    if not 1 <= number <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"erlaubt sind 1 bis {MAX_LIMIT}")
    return number


def hit_record(hit, directory: Directory, lang: str = "de") -> dict:
    """One search hit as a JSON-ready dict (the fields of ``kik-graph search --format json``)."""
    service = hit.service
    return {
        "iri": service.iri,
        "slug": service.slug,
        "label": service.name,
        "provider": "; ".join(directory.provider_names(service, lang)),
        "categories": [directory.label(c, lang) for c in service.categories],
        "score": hit.score,
        "matched": explanations(hit, directory),
        "telephone": service.telephone,
        "email": service.email,
        "website": service.website,
    }


def _search(args: argparse.Namespace) -> int:
    if args.lang not in LANGUAGES:
        raise InvalidInput(f"--lang: {shorten(args.lang)!r} wird nicht unterstützt. Erlaubt: {', '.join(LANGUAGES)}.")
    store = _open(args)
    index = get_index(store)
    filters = Filters.resolve(index.directory, category=args.category, target_group=args.target_group,
                              language=args.language, district=args.district, free=args.free,
                              open_now=args.open_now, include_ended=args.include_ended)
    text = " ".join(args.text)
    result = run(index, text, lang=args.lang, filters=filters, limit=args.limit)
    if result.message in ("directory.search.empty", "directory.search.only_stopwords"):
        raise InvalidInput(t(result.message, "de"))
    if result.failed and not args.no_log:
        searchlog.record_failed(store, result.query, args.lang)
    records = [hit_record(h, index.directory, args.lang) for h in result.hits]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        rows = [{"Rang": str(n), "Angebot": r["label"], "Anbieter": r["provider"], "Score": f"{r['score']:.2f}",
                 "Warum": "; ".join(r["matched"][:2])} for n, r in enumerate(records, 1)]
        print(render(rows, ["Rang", "Angebot", "Anbieter", "Score", "Warum"], "table", max_cell=70))
    if result.message and not result.hits:
        print(t(result.message, "de"), file=sys.stderr)
    elif result.total > len(result.hits):
        print(f"{result.total} Treffer insgesamt, {len(result.hits)} gezeigt (--limit).", file=sys.stderr)
    return 0


def _categories(args: argparse.Namespace) -> int:
    index = get_index(_open(args))
    d = index.directory
    rows = [{"Kennung": c.slug, "Kategorie": c.label(args.lang)[0],
             "Angebote": str(len(index.category_docs.get(c.iri, ())))} for c in d.sorted_categories()]
    print(render(rows, ["Kennung", "Kategorie", "Angebote"], args.format))
    return 0


def _show(args: argparse.Namespace) -> int:
    index = get_index(_open(args))
    d = index.directory
    service = d.service(args.service)
    if service is None:
        raise InvalidInput(f"Angebot {shorten(args.service)!r} gibt es nicht (kik-graph search zeigt Kennungen).")
    unknown = t("directory.unknown", "de")
    record = {
        "iri": service.iri, "Name": service.name, "Beschreibung": service.description,
        "Anbieter": "; ".join(d.provider_names(service)),
        "Kategorien": ", ".join(d.label(c) for c in service.categories),
        "Zielgruppen": ", ".join(d.label(g) for g in service.target_groups) or unknown,
        "Telefon": service.telephone or unknown, "E-Mail": service.email or unknown,
        "Website": service.website or unknown,
        "Anschrift": "; ".join(f"{a.one_line()} ({'Besuchsadresse' if a.kind == 'visiting' else 'Anschrift des Herausgebers'})"
                               for a in service.addresses) or unknown,
        "Öffnungszeiten": ", ".join(service.opening_hours) or unknown,
        "Sprachen": ", ".join(service.languages) or unknown,
        "Maßnahmen und Ziele": ", ".join(d.notations.get(i, i) + (" (redaktionell)" if i in service.editorial_links else "")
                                         for i in [*service.measures, *service.goals]),
        "Fundstelle": service.source_locator,
    }
    if args.format == "json":
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        width = max(len(k) for k in record)
        for key, value in record.items():
            print(f"{key.ljust(width)}  {value}")
    return 0


def _completeness(args: argparse.Namespace) -> int:
    d = get_index(_open(args), public=False).directory  # for the office: non-public services too
    rows = []
    for service in d.services:
        missing = missing_fields(service)
        rows.append({"Angebot": service.name, "Kennung": service.slug, "fehlend": str(len(missing)),
                     "Felder": ", ".join(missing)})
    rows.sort(key=lambda r: (-int(r["fehlend"]), r["Angebot"]))
    print(render(rows, ["Angebot", "Kennung", "fehlend", "Felder"], args.format, max_cell=90))
    if args.format == "table":
        print(f"Geprüfte Felder: {', '.join(COMPLETENESS_FIELDS)}", file=sys.stderr)
    return 0


def _failed(args: argparse.Namespace) -> int:
    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise InvalidInput(f"--since: {shorten(args.since)!r} ist kein Datum (JJJJ-MM-TT).") from None
    rows = [{"Suchtext": f.text, "Sprache": f.lang, "Anzahl": str(f.count), "Tage": str(f.days),
             "zuletzt": f.last_day.isoformat() if f.last_day else ""}
            for f in searchlog.failed_searches(_open(args), since=since)]
    print(render(rows, ["Suchtext", "Sprache", "Anzahl", "Tage", "zuletzt"], args.format))
    return 0


def _feedback(args: argparse.Namespace) -> int:
    rows = [{"Datum": f.day.isoformat() if f.day else "", "Angebot": f.service_label or f.service, "Feld": f.field,
             "Text": f.text, "Kennung": f.iri.rsplit("/", 1)[-1]} for f in feedback_mod.list_feedback(_open(args))]
    print(render(rows, ["Datum", "Angebot", "Feld", "Text", "Kennung"], args.format, max_cell=80))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``search`` and ``directory``."""
    p = sub.add_parser("search", help="im Angebotsverzeichnis suchen (verzeiht Tippfehler, alle Sprachen der Oberfläche)")
    p.add_argument("text", nargs="*", help="Suchtext, z.B. „Wo kann ich Deutsch lernen?“")
    p.add_argument("--lang", default="de", help=f"Sprache der Oberfläche/Ausgabe ({', '.join(LANGUAGES)}); Standard de")
    p.add_argument("--limit", type=_limit, default=DEFAULT_LIMIT, help=f"höchstens N Treffer (1–{MAX_LIMIT}, Standard {DEFAULT_LIMIT})")
    p.add_argument("--format", choices=_SEARCH_FORMATS, default="table")
    p.add_argument("--category", help="Kategorie (Kennung wie „sprache“ oder Bezeichnung)")
    p.add_argument("--target-group", help="Zielgruppe (Kennung wie „eltern“ oder Bezeichnung)")
    p.add_argument("--language", help="gesprochene Sprache als ISO-639-Code (z.B. ar, tr)")
    p.add_argument("--district", help="Stadtbezirk (Nummer wie 10 oder Name)")
    p.add_argument("--free", action="store_true", help="nur kostenlose Angebote")
    p.add_argument("--open-now", action="store_true", help="nur jetzt geöffnete Angebote (wo Öffnungszeiten bekannt sind)")
    p.add_argument("--include-ended", action="store_true", help="auch beendete Angebote zeigen")
    p.add_argument("--no-log", action="store_true", help="eine erfolglose Suche nicht (anonym) für das Amt zählen")
    p.set_defaults(handler=_search)

    d = sub.add_parser("directory", help="Angebotsverzeichnis: Kategorien, Angebot, Vollständigkeit, erfolglose Suchen, Rückmeldungen")
    dsub = d.add_subparsers(dest="directory_command", metavar="AKTION", required=True)
    q = dsub.add_parser("categories", help="Kategorien mit Anzahl der Angebote")
    q.add_argument("--lang", default="de", choices=list(LANGUAGES))
    q.add_argument("--format", choices=FORMATS, default="table")
    q.set_defaults(handler=_categories)
    q = dsub.add_parser("show", help="ein Angebot mit allen Angaben")
    q.add_argument("service", help="Kennung (z.B. taff) oder IRI")
    q.add_argument("--format", choices=_SEARCH_FORMATS, default="table")
    q.set_defaults(handler=_show)
    q = dsub.add_parser("completeness", help="Vollständigkeitsliste: welche Angaben je Angebot fehlen")
    q.add_argument("--format", choices=FORMATS, default="table")
    q.set_defaults(handler=_completeness)
    q = dsub.add_parser("failed-searches", help="erfolglose Suchen (anonym gezählt)")
    q.add_argument("--since", help="nur ab diesem Tag (JJJJ-MM-TT)")
    q.add_argument("--format", choices=FORMATS, default="table")
    q.set_defaults(handler=_failed)
    q = dsub.add_parser("feedback", help="Rückmeldungen „Angabe falsch / fehlt“")
    q.add_argument("--format", choices=FORMATS, default="table")
    q.set_defaults(handler=_feedback)
