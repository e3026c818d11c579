"""Editing commands: assign, unassign, status, indicator, institution, verify, history, revert, import, writeback,
report and user management.

Who made a change: ``--as USER``, else ``$KIK_GRAPH_USER``, else the operating-system user. The CLI trusts the
person at the terminal (whoever can run it can open the store anyway); role checks apply in the app.
Exit codes: 0 ok, 1 the edit/import was refused (invalid, conflict – nothing changed), 2 wrong input, 3 store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import getpass
import os
import sys
from pathlib import Path

from kik_graph.commands.graph import open_from_args
from kik_graph.editing.errors import EditRejected
from kik_graph.terms import InvalidInput, clean_text, shorten

EXIT_REFUSED = 1


def who(args: argparse.Namespace) -> str:
    """The account a CLI change is attributed to."""
    from kik_graph.editing.vocab import check_account

    name = getattr(args, "as_user", None) or os.environ.get("KIK_GRAPH_USER") or _os_user()
    return check_account(name)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unbekannt"


def _refusals(handler):
    @functools.wraps(handler)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except EditRejected as exc:
            print(exc.text(), file=sys.stderr)
            return EXIT_REFUSED
    return wrapper


def _done(result, what: str) -> int:
    if result.change is None:
        print(f"{what}: keine Änderung (der Stand war schon so).")
    else:
        print(f"{what}: gespeichert (Änderung {result.change.rsplit('/', 1)[-1]}).")
    return 0


# --------------------------------------------------------------------------- edits

@_refusals
def _assign(args: argparse.Namespace) -> int:
    from kik_graph.editing import operations as op

    store = open_from_args(args)
    return _done(op.assign(store, who(args), args.measure, args.actor, args.role, args.note), "Zuordnung")


@_refusals
def _unassign(args: argparse.Namespace) -> int:
    from kik_graph.editing import operations as op

    store = open_from_args(args)
    return _done(op.unassign(store, who(args), args.measure, args.actor, args.role), "Zuordnung entfernt")


@_refusals
def _status(args: argparse.Namespace) -> int:
    from kik_graph.editing import operations as op

    store = open_from_args(args)
    return _done(op.set_status(store, who(args), args.measure, args.set, args.date, args.note), "Umsetzungsstand")


@_refusals
def _indicator(args: argparse.Namespace) -> int:
    from kik_graph.editing import operations as op
    from kik_graph.editing.transaction import commit

    store = open_from_args(args)
    if args.delete:
        goal = op.resolve_goal(store, args.goal)
        name = clean_text(args.name or "", field="Name", max_length=200)  # before it is bound in a query
        if not name:
            raise InvalidInput("--name: fehlt (Name der Kenngröße, die entfernt werden soll).")
        node = op.find_indicator(store, goal, name)
        if node is None:
            raise InvalidInput(f"Kenngröße {shorten(name)!r} gibt es für {shorten(args.goal)} nicht.")
        return _done(commit(store, op.build_delete_indicator(store, node), who(args)), "Kenngröße entfernt")
    data = op.IndicatorInput(goal=args.goal, name=args.name, unit=args.unit or "", baseline=args.baseline,
                             target=args.target, current=args.current, date=args.date, source=args.source or "")
    return _done(op.save_indicator(store, who(args), data), "Kenngröße")


@_refusals
def _institution(args: argparse.Namespace) -> int:
    from kik_graph.editing import directory as ed

    store = open_from_args(args)
    if args.iri:
        current = ed.institution_fields(store, ed.resolve("iri", args.iri, store))
        data = ed.InstitutionInput(
            name=args.name or current.name, name_en=args.name_en if args.name_en is not None else current.name_en,
            alt_names=args.alt_name or current.alt_names,
            organisation_type=args.type if args.type is not None else current.organisation_type,
            parent=args.parent if args.parent is not None else current.parent,
            categories=args.category or current.categories, note=args.note if args.note is not None else current.note,
            source_locator=args.source_locator or current.source_locator)
    else:
        if not args.name:
            raise InvalidInput("--name fehlt (neue Einrichtung) – oder --iri zum Bearbeiten angeben.")
        data = ed.InstitutionInput(name=args.name, name_en=args.name_en or "", alt_names=args.alt_name or [],
                                   organisation_type=args.type or "", parent=args.parent or "",
                                   categories=args.category or [], note=args.note or "",
                                   source_locator=args.source_locator or "")
    return _done(ed.save_institution(store, who(args), data, institution=args.iri), "Einrichtung")


@_refusals
def _verify(args: argparse.Namespace) -> int:
    from kik_graph.editing import directory as ed

    store = open_from_args(args)
    return _done(ed.verify_service(store, who(args), args.service), "Angebot geprüft")


# --------------------------------------------------------------------------- history and revert

def _history(args: argparse.Namespace) -> int:
    from kik_graph.editing import history
    from kik_graph.editing.validation import short
    from kik_graph.output import render
    from kik_graph.params import resolve

    store = open_from_args(args)
    if args.resource:
        value = args.resource.strip()
        kind = "measure" if not value.startswith(("http://", "https://")) and "-" in value and "." in value else "iri"
        node = resolve(kind, value, store, name="Ressource")
        records = history.resource_history(store, node)
        if kind == "measure":  # a measure's history: its responsibilities and status as well
            from kik_graph.editing.vocab import status_iri

            records += [r for r in history.resource_history(store, status_iri(node)) if r not in records]
            records += [r for r in history.changes_since(store) if any(
                str(x).startswith(str(node).replace("/massnahme/", "/zustaendigkeit/") + "-") for x in r.resources)
                and r not in records]
            records.sort(key=lambda r: history.parse_datetime(r.time), reverse=True)
    else:
        since = _since(args.since) if args.since else None
        records = history.changes_since(store, since)
    records = records[: args.limit]
    rows = [{"Änderung": r.change.rsplit("/", 1)[-1], "Zeit": r.when, "Konto": r.account, "Art": r.kind,
             "Beschreibung": r.summary + (" (rückgängig gemacht)" if r.reverted_by else ""),
             "Ressourcen": ", ".join(short(x) for x in r.resources)} for r in records]
    print(render(rows, ["Änderung", "Zeit", "Konto", "Art", "Beschreibung", "Ressourcen"], args.format))
    if args.details:
        for r in records:
            print(f"\n{r.change} – {r.summary}")
            for rev in r.revisions:
                print(f"  {short(rev.resource)}")
                print("\n".join(f"    - {line}" for line in rev.removed))
                print("\n".join(f"    + {line}" for line in rev.added))
    return 0


def _change_iri(value: str) -> str:
    import re

    from kik_graph.namespaces import KIKD

    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", value):  # ids look like 20241122T101500123456-ab12cd34
        raise InvalidInput(f"Änderung: {shorten(value)!r} ist keine Kennung einer Änderung (siehe kik-graph history).")
    return str(KIKD[f"aenderung/{value}"])


@_refusals
def _revert(args: argparse.Namespace) -> int:
    from kik_graph.editing import operations as op

    store = open_from_args(args)
    return _done(op.revert(store, who(args), _change_iri(args.change)), "Rückgängig gemacht")


# --------------------------------------------------------------------------- import

@_refusals
def _import(args: argparse.Namespace) -> int:
    from kik_graph import imports
    from kik_graph.imports.tables import MAX_BYTES

    if args.template:
        store = open_from_args(args) if args.with_data else None
        data = imports.template(args.template, args.format, store=store)
        if args.output:
            Path(args.output).write_bytes(data)
            print(f"Vorlage geschrieben: {args.output}")
        elif args.format == "xlsx":
            raise InvalidInput("XLSX-Vorlagen bitte mit -o DATEI schreiben.")
        else:
            sys.stdout.write(data.decode("utf-8-sig"))
        return 0
    if not args.kind or not args.file:
        raise InvalidInput("Aufruf: kik-graph import KIND DATEI (KIND: services, responsibilities, statuses, "
                           "indicators) oder kik-graph import --template KIND.")
    path = Path(args.file)
    try:
        if not path.is_file():  # a directory, a device (/dev/zero would never end), a FIFO …
            raise InvalidInput(f"{shorten(str(path))}: keine Datei.")
        if path.stat().st_size > MAX_BYTES:  # refused before it is read into memory
            raise InvalidInput(f"{shorten(str(path))}: zu groß ({path.stat().st_size // 1024} KB, "
                               f"erlaubt sind {MAX_BYTES // 1024} KB).")
        data = path.read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        if isinstance(exc, InvalidInput):
            raise
        reason = getattr(exc, "strerror", None) or "ungültiger Dateiname"
        raise InvalidInput(f"{shorten(str(path))}: Datei kann nicht gelesen werden ({reason}).") from exc
    store = open_from_args(args)
    tx, result = imports.run_import(store, who(args), args.kind, data, path.name, dry_run=args.dry_run)
    changed = sum(1 for c in tx.changes if not c.is_noop)
    if args.dry_run:
        print(f"Prüfung erfolgreich: {changed} Ressource(n) würden geändert (nichts gespeichert).")
        return 0
    return _done(result, f"Import ({changed} Ressource(n))")


# --------------------------------------------------------------------------- write-back

def _writeback(args: argparse.Namespace) -> int:
    from kik_graph.store import open_store
    from kik_graph.writeback import writeback

    store = open_store(Path(args.store) if args.store else None, endpoint=args.endpoint, refresh=False)
    result = writeback(store, Path(args.directory) if args.directory else None, check=args.check)
    print(result.text())
    if args.check and result.written:
        return EXIT_REFUSED
    return 0


# --------------------------------------------------------------------------- report

def _since(value: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    from kik_graph.editing.vocab import parse_date

    day = parse_date(value, field="--since")
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo("Europe/Berlin"))


def _report(args: argparse.Namespace) -> int:
    from kik_graph.report import build_report, last_report_time, record_report

    store = open_from_args(args)
    since = _since(args.since) if args.since else last_report_time(store)
    data = build_report(store, args.format, since=since, use_last=False, include_notes=args.notes)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"Bericht geschrieben: {args.output}", file=sys.stderr)
    elif args.format == "pdf":
        raise InvalidInput("PDF bitte mit -o DATEI schreiben.")
    else:
        sys.stdout.write(data.decode("utf-8"))
    if args.issue:
        record_report(store, since=since)
        print("Als herausgegeben vermerkt: der nächste Bericht führt Änderungen ab jetzt auf.", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- users

def _read_password(args: argparse.Namespace, prompt: str = "Passwort: ") -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Passwort wiederholen: ") != first:
        raise InvalidInput("Die Passwörter stimmen nicht überein.")
    return first


def _user(args: argparse.Namespace) -> int:
    from kik_graph.auth import accounts
    from kik_graph.auth.passwords import WeakPassword
    from kik_graph.output import render

    path = Path(args.file) if args.file else None
    try:
        if args.action == "list":
            data = accounts.load(path)
            rows = [{"Kennung": a.id, "Rolle": a.role, "Passwort": "ja" if a.password else "nein (nur OIDC)",
                     "E-Mail": a.email} for a in sorted(data.accounts.values(), key=lambda a: a.id)]
            print(render(rows, ["Kennung", "Rolle", "Passwort", "E-Mail"], "table"))
            return 0
        if not args.id:
            raise InvalidInput("Kennung des Kontos fehlt.")
        if args.action == "add":
            password = "" if args.no_password else _read_password(args)
            accounts.add_user(args.id, args.role, password, email=args.email or "", path=path)
            print(f"Konto {args.id} ({args.role}) angelegt in {path or accounts.users_path()}.")
        elif args.action == "remove":
            accounts.remove_user(args.id, path=path)
            print(f"Konto {args.id} entfernt.")
        elif args.action == "passwd":
            accounts.set_password(args.id, _read_password(args, "Neues Passwort: "), path=path)
            print(f"Passwort für {args.id} geändert.")
        elif args.action == "role":
            accounts.set_role(args.id, args.role, path=path)
            print(f"Rolle von {args.id}: {args.role}.")
    except WeakPassword as exc:
        raise InvalidInput(str(exc)) from exc
    return 0


# --------------------------------------------------------------------------- registration

def register(sub: argparse._SubParsersAction) -> None:
    """Add the editing subcommands."""
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--as", dest="as_user", metavar="KONTO",
                       help="Konto, dem die Änderung zugeschrieben wird (Standard: $KIK_GRAPH_USER oder OS-Benutzer)")

    p = sub.add_parser("assign", help="Akteur*in einer Maßnahme zuordnen (federführend/beteiligt)")
    p.add_argument("--measure", required=True, help="Maßnahme, z.B. SB-1.1")
    p.add_argument("--actor", required=True, help="IRI oder genaue Bezeichnung der Akteur*in")
    p.add_argument("--role", required=True, help="lead/federführend oder partner/beteiligt")
    p.add_argument("--note", help="interne Notiz (leer = Notiz löschen)")
    common(p)
    p.set_defaults(handler=_assign)

    p = sub.add_parser("unassign", help="Zuordnung einer Akteur*in zu einer Maßnahme entfernen")
    p.add_argument("--measure", required=True)
    p.add_argument("--actor", required=True)
    p.add_argument("--role", help="nur entfernen, wenn die Rolle passt")
    common(p)
    p.set_defaults(handler=_unassign)

    p = sub.add_parser("status", help="Umsetzungsstand einer Maßnahme setzen")
    p.add_argument("--measure", required=True)
    p.add_argument("--set", required=True, help="offen, geplant, in Umsetzung, umgesetzt, dauerhaft, zurückgestellt")
    p.add_argument("--date", help="Stand vom (Standard: heute)")
    p.add_argument("--note", help="interne Notiz")
    common(p)
    p.set_defaults(handler=_status)

    p = sub.add_parser("indicator", help="Kenngröße eines Ziels anlegen, ändern oder entfernen")
    p.add_argument("--goal", required=True, help="Ziel, z.B. SB-Z1")
    p.add_argument("--name", required=True)
    p.add_argument("--unit")
    p.add_argument("--baseline")
    p.add_argument("--target")
    p.add_argument("--current")
    p.add_argument("--date", help="Stichtag des aktuellen Werts")
    p.add_argument("--source", help="Datenquelle (Text)")
    p.add_argument("--delete", action="store_true", help="die Kenngröße entfernen")
    common(p)
    p.set_defaults(handler=_indicator)

    p = sub.add_parser("institution", help="Einrichtung anlegen (--name) oder bearbeiten (--iri)")
    p.add_argument("--iri", help="vorhandene Einrichtung bearbeiten")
    p.add_argument("--name")
    p.add_argument("--name-en")
    p.add_argument("--alt-name", action="append", help="weitere Bezeichnung (mehrfach)")
    p.add_argument("--type", help="Organisationstyp (IRI oder Bezeichnung)")
    p.add_argument("--parent", help="übergeordnete Einrichtung (IRI oder Bezeichnung)")
    p.add_argument("--category", action="append", help="Akteurskategorie (mehrfach)")
    p.add_argument("--note", help="Hinweis für Nutzer*innen")
    p.add_argument("--source-locator", help="Fundstelle")
    common(p)
    p.set_defaults(handler=_institution)

    p = sub.add_parser("verify", help="ein Angebot als heute geprüft markieren")
    p.add_argument("service", help="Kennung oder IRI des Angebots")
    common(p)
    p.set_defaults(handler=_verify)

    p = sub.add_parser("history", help="Änderungsverlauf (gesamt oder einer Ressource)")
    p.add_argument("resource", nargs="?", help="Maßnahme (SB-1.1) oder IRI")
    p.add_argument("--since", help="nur Änderungen ab Datum")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--details", action="store_true", help="entfernte (-) und hinzugefügte (+) Aussagen zeigen")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_history)

    p = sub.add_parser("revert", help="eine aufgezeichnete Änderung rückgängig machen")
    p.add_argument("change", help="Kennung der Änderung (aus kik-graph history) oder IRI")
    common(p)
    p.set_defaults(handler=_revert)

    p = sub.add_parser("import", help="Angebote, Zuständigkeiten, Umsetzungsstände oder Kenngrößen aus CSV/XLSX "
                                      "importieren (alles oder nichts)")
    p.add_argument("kind", nargs="?", choices=("services", "responsibilities", "statuses", "indicators"))
    p.add_argument("file", nargs="?")
    p.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")
    p.add_argument("--template", choices=("services", "responsibilities", "statuses", "indicators"),
                   help="Vorlage ausgeben statt zu importieren")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="Format der Vorlage")
    p.add_argument("--with-data", action="store_true", help="Vorlage mit den aktuellen Daten füllen")
    p.add_argument("-o", "--output", help="Vorlage in diese Datei schreiben")
    common(p)
    p.set_defaults(handler=_import)

    p = sub.add_parser("writeback", help="Daten des Speichers als sortiertes Turtle nach graph_data/ schreiben")
    p.add_argument("--check", action="store_true", help="nur zeigen, welche Dateien sich ändern würden (Exit 1)")
    p.add_argument("--directory", help=argparse.SUPPRESS)
    p.set_defaults(handler=_writeback)

    p = sub.add_parser("report", help="Sachstandsbericht (Markdown, HTML oder PDF)")
    p.add_argument("--format", choices=("md", "html", "pdf"), default="md")
    p.add_argument("--since", help="Änderungen ab Datum (Standard: seit dem letzten herausgegebenen Bericht)")
    p.add_argument("-o", "--output", help="in Datei schreiben (für PDF nötig)")
    p.add_argument("--notes", action="store_true", help="interne Notizen aufnehmen (nur für den internen Gebrauch)")
    p.add_argument("--issue", action="store_true", help="als herausgegeben vermerken (Beginn des nächsten Zeitraums)")
    p.set_defaults(handler=_report)

    p = sub.add_parser("user", help="lokale Konten verwalten (add, remove, passwd, role, list)")
    p.add_argument("action", choices=("add", "remove", "passwd", "role", "list"))
    p.add_argument("id", nargs="?", help="Kennung des Kontos")
    p.add_argument("--role", choices=("viewer", "editor", "admin"), default="viewer")
    p.add_argument("--email", help="E-Mail für die Anmeldung über OIDC")
    p.add_argument("--no-password", action="store_true", help="Konto nur für OIDC (braucht --email)")
    p.add_argument("--password-stdin", action="store_true", help="Passwort aus der Standardeingabe lesen")
    p.add_argument("--file", help="Kontodatei (Standard: $KIK_GRAPH_USERS oder var/users.toml)")
    p.set_defaults(handler=_user)
