"""Hostile input through the remaining app entry points (issue 7): 10 MB strings in the public directory and the
feedback form; the accounts page, the import page (file name and content) and the history page.

For every string a browser can send (APP_CORPUS: no lone surrogates), through the page as the role it needs:
no exception reaches the user, a refusal is a clear message, and nothing is written on a refusal (store triple
counts, the accounts file byte for byte).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kik_graph import imports
from kik_graph.auth import accounts as acc
from kik_graph.auth.passwords import WeakPassword
from kik_graph.directory import feedback
from kik_graph.directory.search import Filters, search
from kik_graph.editing.errors import EditRejected
from kik_graph.i18n import t
from kik_graph.namespaces import GRAPH_KIK
from kik_graph.terms import InvalidInput
from tests.data.hostile_strings import CORPUS, huge
from tests.fixtures.directory import page_text
from tests.fixtures.editing import PASSWORD, all_text
from tests.test_robust_corpus import HUGE, MAX_MESSAGE, assert_corpus_harmless, assert_rejected, unchanged
from tests.test_robust_directory import page_problems

#: What a browser can send (URLs and the websocket protocol carry UTF-8: no lone surrogates).
APP_CORPUS = [(k, v) for k, v in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]
TAFF = "https://w3id.org/kik-graph/id/angebot/taff"
_DIRECTORY_PARAMS = ["q", "cat", "group", "spoken", "district", "free", "service", "lang", "print", "page"]


def _fail_on(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])


def _refused_or_answered(call, value: str) -> str | None:
    """``call(value)``: a short InvalidInput message or a result; returns the message."""
    try:
        call(value)
    except InvalidInput as exc:
        message = str(exc)
        assert message.strip() and len(message) <= MAX_MESSAGE, message[:200]
        return message
    return None


# ------------------------------------------------------------------------------------------------ 10 MB: directory
@HUGE
def test_search_and_filters_refuse_huge_input(store, directory, huge_name: str, huge_unit: str) -> None:
    value = huge(unit=huge_unit)
    with unchanged(store):
        message = assert_rejected(lambda v: search(store, v, limit=10), value)
        assert "zu lang" in message
        for name in ("category", "target_group", "language", "district"):
            _refused_or_answered(lambda v, n=name: search(store, "Beratung", limit=5,
                                                       filters=Filters.resolve(directory, **{n: v})), value)


@HUGE
def test_feedback_refuses_huge_input(fresh_store, huge_name: str, huge_unit: str) -> None:
    value = huge(unit=huge_unit)
    with unchanged(fresh_store):
        assert "zu lang" in assert_rejected(
            lambda v: feedback.submit(fresh_store, TAFF, "other", v, known_services={TAFF}), value)
        for call in (lambda v: feedback.submit(fresh_store, TAFF, v, "Text", known_services={TAFF}),
                     lambda v: feedback.submit(fresh_store, v, "other", "Text", known_services={TAFF}),
                     lambda v: feedback.delete(fresh_store, v)):
            assert_rejected(call, value)


@pytest.mark.slow
@HUGE
def test_directory_page_with_huge_input(directory_page, directory_app_store, huge_name: str, huge_unit: str) -> None:
    """A 10 MB value in the URL, typed into the search box and sent as feedback: answered or refused with a
    message; nothing public written, no feedback stored."""
    store = directory_app_store
    value = huge(unit=huge_unit)
    public = store.triple_count(str(GRAPH_KIK))
    problems = []
    # every URL parameter at once (the URL is read before its content matters; a multibyte URL is 9× larger)
    steps = ["Suchfeld", "Rückmeldung"] if huge_name != "ascii" else ["URL", "Suchfeld", "Rückmeldung"]
    for where in steps:
        if where == "URL":
            at = directory_page(**dict.fromkeys(_DIRECTORY_PARAMS, value))
        elif where == "Suchfeld":
            at = directory_page()
            at.text_input(key="dir_q").input(value)
            at.button[0].click().run()
        else:  # the form takes at most MAX_FEEDBACK_LENGTH characters (max_chars), like a browser
            at = directory_page(service="taff")
            at.selectbox(key="dir_fb_field").select("other")
            at.text_area(key="dir_fb_text").set_value(value)
            [b for b in at.button if b.label == "Meldung senden"][0].click().run()
            if at.exception and "widget state size limit" in at.exception[0].value:
                continue  # over 25 MB (multibyte): Streamlit refuses the message before the page runs
            if "Danke!" not in page_text(at) and not at.error:
                problems.append(f"{where}: weder Dank noch Meldung")
        problems += page_problems(at, where)
        if any(len(str(el.value)) > 100_000 for el in [*at.markdown, *at.error, *at.warning, *at.caption]):
            problems.append(f"{where}: riesige Eingabe wird angezeigt")
    _fail_on(problems)
    assert store.triple_count(str(GRAPH_KIK)) == public
    assert all(len(r.text) <= feedback.MAX_FEEDBACK_LENGTH for r in feedback.list_feedback(store))


# ------------------------------------------------------------------------------------------------ accounts page
def _form_inputs(at, form: str) -> dict[str, object]:
    return {w.label: w for w in at.text_input if w.form_id == form}


def _submit(at, form: str, label: str | None = None) -> None:
    [b for b in at.button if b.form_id == form and (label is None or b.label == label)][0].click().run()


def _account_outcome(at, users: Path, before: bytes, where: str, problems: list[str]) -> bool:
    """No exception; an error box and the accounts file unchanged, or saved (success shown). True = saved."""
    if at.exception:
        problems.append(f"{where}: Exception {at.exception[0].value[:200]}")
        return False
    if at.error:
        if users.read_bytes() != before:
            problems.append(f"{where}: Fehlermeldung, aber Kontodatei geändert")
        if len(at.error[0].value) > MAX_MESSAGE:
            problems.append(f"{where}: Fehlermeldung zu lang")
        return False
    if not at.success:
        problems.append(f"{where}: weder gespeichert noch eine Meldung")
    return True


@pytest.mark.slow
def test_accounts_page_with_the_whole_corpus(page_as, users_file: Path) -> None:
    """Every string as the account id, the e-mail and the password of a new account, and as a new password."""
    at = page_as("edit_users", "admin", account="ada").run()
    assert not at.exception
    add = _form_inputs(at, "users_add")
    id_label, email_label, password_label = list(add)
    problems: list[str] = []
    added = 0
    for i, (kind, value) in enumerate(APP_CORPUS):
        for field, entered in ((id_label, {id_label: value, email_label: "", password_label: PASSWORD}),
                               (email_label, {id_label: f"robust-e{i}", email_label: value, password_label: ""}),
                               (password_label, {id_label: f"robust-p{i}", email_label: "", password_label: value})):
            if at.exception:  # (reported below) a fresh page for the next value
                at = page_as("edit_users", "admin", account="ada").run()
            before = users_file.read_bytes()
            current = _form_inputs(at, "users_add")
            entered = {label: text[: current[label].max_chars] for label, text in entered.items()}
            for label, text in entered.items():
                current[label].set_value(text)
            _submit(at, "users_add")
            saved = _account_outcome(at, users_file, before, f"Neues Konto [{field}] {kind} {value[:30]!r}", problems)
            if saved:
                added += 1
                stored = acc.load(users_file).accounts
                account = stored.get(acc.check_id(entered[id_label]))  # stored as check_id normalises it
                if account is None:
                    problems.append(f"Neues Konto [{field}] {kind} {value[:30]!r}: gemeldet, aber nicht gespeichert")
        if at.exception:
            at = page_as("edit_users", "admin", account="ada").run()
        before = users_file.read_bytes()
        [w for w in at.text_input if w.form_id == "users_change"][0].set_value(value)
        _submit(at, "users_change", t("edit.users.set_password", "de"))
        _account_outcome(at, users_file, before, f"Passwort {kind} {value[:30]!r}", problems)
    _fail_on(problems)
    assert added > 0
    assert set(acc.load(users_file).accounts) >= {"vera", "eddi", "ada"}


def test_an_account_id_with_a_dot_keeps_the_accounts_file_readable(users_file: Path) -> None:
    acc.add_user("max.mustermann", "viewer", PASSWORD)
    assert acc.load().accounts["max.mustermann"].role == "viewer"


def test_accounts_page_with_an_unreadable_accounts_file(page_as, users_file: Path) -> None:
    """A broken accounts file (e.g. edited by hand) is named in a message, not shown as a traceback."""
    users_file.write_text('[users.max.mustermann]\nrole = "viewer"\n', encoding="utf-8")
    at = page_as("edit_users", "admin", account="ada").run()
    assert not at.exception, at.exception[0].value
    assert at.error and "users.toml" in at.error[0].value


def test_account_functions_with_the_whole_corpus(users_file: Path) -> None:
    """What the page calls, with every corpus string (incl. lone surrogates) in every argument."""
    def unchanged_file(call):
        """A refusal leaves the accounts file as it was (an accepted call may write it)."""
        def run(value: str):
            before = users_file.read_bytes()
            try:
                return call(value)
            except Exception:
                if users_file.read_bytes() != before:
                    raise AssertionError("abgelehnt, aber Kontodatei geändert") from None
                raise
        return run

    accept = (InvalidInput, WeakPassword)
    assert_corpus_harmless(unchanged_file(lambda v: acc.add_user(v, "viewer", PASSWORD)), accept=accept)
    assert_corpus_harmless(unchanged_file(lambda v: acc.add_user("robust", v, PASSWORD)), accept=accept)
    assert_corpus_harmless(unchanged_file(lambda v: acc.set_role("eddi", v)), accept=accept)
    assert_corpus_harmless(unchanged_file(lambda v: acc.set_role(v, "viewer")), accept=accept)
    assert_corpus_harmless(unchanged_file(lambda v: acc.set_password(v, PASSWORD)), accept=accept)
    assert_corpus_harmless(unchanged_file(lambda v: acc.remove_user(v)), accept=accept)


# ------------------------------------------------------------------------------------------------ import page
def _status_csv(note: str) -> bytes:
    """A statuses import of one valid row (measure SB-1.1, a known status, today) with ``note`` as its note."""
    from kik_graph.editing.vocab import STATUS_LABELS

    header = imports.template("statuses", "csv").decode("utf-8-sig").strip().split(";")
    row = {"massnahme": "SB-1.1", "status": next(iter(STATUS_LABELS.values())), "datum": "", "notiz": note}
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([header, [row[c] for c in header]])
    return out.getvalue().encode("utf-8")


def _import_outcome(at, store, counts: dict[str, int], where: str, problems: list[str]) -> None:
    if at.exception:
        problems.append(f"{where}: Exception {at.exception[0].value[:200]}")
        return
    if at.error:
        if {g: store.triple_count(g) for g in store.named_graphs()} != counts:
            problems.append(f"{where}: Fehlermeldung, aber geschrieben")
        if len(at.error[0].value) > 3 * MAX_MESSAGE:
            problems.append(f"{where}: Fehlermeldung zu lang")
    elif not (at.success or at.info or "Gespeichert" in all_text(at)):
        problems.append(f"{where}: weder Ergebnis noch Meldung")


@pytest.mark.slow
def test_import_page_file_names_and_contents_with_the_whole_corpus(page_as, app_store) -> None:
    """Every string as the uploaded file's name (checked), as its whole content, and as a note in a valid row
    (imported): a result or a clear refusal, nothing written on a refusal.

    The uploader accepts only names ending in .csv/.xlsx: the browser offers no other files, and Streamlit
    itself refuses any other name, and names with a NUL byte, before the page runs (StreamlitAPIException,
    nothing read). So the names here are the corpus string + ".csv"; the bare strings go to the function the page calls
    (test_import_function_with_names_and_contents_as_uploaded)."""
    at = page_as("edit_import", "editor").run()
    at.selectbox(key="imp_kind").set_value("statuses").run()
    valid = _status_csv("Robust")
    problems: list[str] = []
    counts = lambda: {g: app_store.triple_count(g) for g in app_store.named_graphs()}  # noqa: E731
    for kind, value in APP_CORPUS:
        for where, name, content, button in ((f"Dateiname {kind} {value[:30]!r}", value + ".csv", valid, "imp_check"),
                                             (f"Inhalt {kind} {value[:30]!r}", "daten.csv", value.encode(),
                                              "imp_check"),
                                             (f"Notiz {kind} {value[:30]!r}", "daten.csv",
                                              _status_csv(value), "imp_run")):
            if at.exception:  # (reported below) a fresh page for the next value
                at = page_as("edit_import", "editor").run()
                at.selectbox(key="imp_kind").set_value("statuses").run()
            before = counts()
            at.file_uploader(key="imp_file").upload(name, content, "text/csv").run()
            if "\x00" in name:  # no file system has such names; Streamlit refuses them before the page runs
                if not at.exception or "null bytes" not in at.exception[0].value or counts() != before:
                    problems.append(f"{where}: Name mit NUL nicht von Streamlit abgelehnt")
                continue
            if at.exception:
                problems.append(f"{where}: Exception beim Hochladen {at.exception[0].value[:200]}")
                continue
            at.button(key=button).click().run()
            _import_outcome(at, app_store, before, where, problems)
            if button == "imp_check" and counts() != before:
                problems.append(f"{where}: die Prüfung hat geschrieben")
    _fail_on(problems)


def test_import_function_with_names_and_contents_as_uploaded(edit_store) -> None:
    """What the page calls (imports.run_import) with the name and the bytes exactly as an upload gives them."""
    valid = _status_csv("Robust")
    accept = (EditRejected,)
    with unchanged(edit_store):
        for kind in ("statuses", "responsibilities", "indicators", "services"):
            assert_corpus_harmless(lambda v, k=kind: imports.run_import(edit_store, "robust", k, valid, v,
                                                                        dry_run=True), accept=accept,
                                   corpus=APP_CORPUS)
            assert_corpus_harmless(lambda v, k=kind: imports.run_import(edit_store, "robust", k, v.encode(),
                                                                        "daten.csv", dry_run=True),
                                   accept=accept, corpus=APP_CORPUS)


# ------------------------------------------------------------------------------------------------ history page
@pytest.mark.slow
def test_history_page_filter_with_the_whole_corpus(page_as, app_store) -> None:
    """Every string typed into the history filter: a list, 'no changes' or a clear refusal; nothing written."""
    at = page_as("edit_history", "editor").run()
    assert not at.exception
    problems: list[str] = []
    with unchanged(app_store):
        for kind, value in APP_CORPUS:
            at.text_input(key="hist_filter").set_value(value).run()
            where = f"Verlauf {kind} {value[:30]!r}"
            if at.exception:
                problems.append(f"{where}: Exception {at.exception[0].value[:200]}")
            elif not (at.error or at.info or at.expander):
                problems.append(f"{where}: weder Änderungen noch eine Meldung")
            elif at.error and len(at.error[0].value) > MAX_MESSAGE:
                problems.append(f"{where}: Fehlermeldung zu lang")
    _fail_on(problems)
