"""The load-test client: it drives a real app over Streamlit's websocket, counts failing pages as errors and
refuses every host that is not loopback."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from streamlit.proto.Exception_pb2 import Exception as ExceptionProto
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from kik_graph.loadtest import (
    Action,
    LoadTestConfig,
    NotLoopback,
    RunObserver,
    build_actions,
    check_loopback,
    parse_mix,
    rerun_message,
    run_load_test,
)
from kik_graph.loadtest.__main__ import main as loadtest_main
from kik_graph.loadtest.actions import assign_kinds, effective_mix
from kik_graph.loadtest.report import percentile, summary, table
from kik_graph.loadtest.server import running_app
from kik_graph.ui.navigation import discover_pages

pytestmark = pytest.mark.slow


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    """The real app on a free loopback port with its own store (built by the app on first use)."""
    with running_app(store=tmp_path_factory.mktemp("loadtest") / "store", viewer_account=True) as running:
        yield running


BOOM_APP = """
import streamlit as st

st.title("Testseite")
if st.query_params.get("boom"):
    raise RuntimeError("absichtlich kaputt")
st.write("alles gut")
"""


@pytest.fixture(scope="module")
def boom_app(tmp_path_factory: pytest.TempPathFactory):
    """A one-page app that raises when the URL has ``boom=1``."""
    script = tmp_path_factory.mktemp("boom") / "boom_app.py"
    script.write_text(textwrap.dedent(BOOM_APP), encoding="utf-8")
    with running_app(script) as running:
        yield running


def _forward(**kwargs) -> bytes:
    msg = ForwardMsg(**kwargs)
    return msg.SerializeToString()


def _exception_delta(message: str, *, warning: bool = False) -> bytes:
    msg = ForwardMsg()
    msg.delta.new_element.exception.CopyFrom(ExceptionProto(type="ValueError", message=message, is_warning=warning))
    return msg.SerializeToString()


FINISHED = ForwardMsg.ScriptFinishedStatus


# ------------------------------------------------------------------------------------------------ real app
def test_three_users_complete_actions_without_errors_on_the_healthy_app(app, tmp_path: Path, capsys,
                                                                        monkeypatch) -> None:
    out = tmp_path / "result.json"
    monkeypatch.setenv("KIK_LOADTEST_PASSWORD", app.login[1])
    code = loadtest_main(["--url", app.url, "--users", "3", "--duration", "6", "--think", "0.05,0.2",
                          "--user", app.login[0], "--server-pid", str(app.pid), "--json", str(out)])
    printed = capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0, printed
    assert data["totals"]["errors"] == 0, data["error_samples"]
    assert data["totals"]["connection_errors"] == 0
    assert data["users_by_kind"] == {"directory": 2, "office": 1}
    assert data["totals"]["n"] >= 6
    assert data["totals"]["p95_ms"] > 0 and data["totals"]["server_cpu_s"] > 0
    # every readable page was warmed up once (office pages after logging in) and nothing else was measured
    specs = discover_pages()
    readable = {s.key for s in specs if s.public or not s.key.startswith(("bearbeiten-", "verwaltung-"))}
    assert {label.split("/", 1)[1] for label in data["warmup_ms"]} == readable
    assert any(label.startswith("office/") for label in data["warmup_ms"])
    assert {row["action"].split("/", 1)[1] for row in data["actions"]} <= readable
    assert "p95 ms" in printed and "Aktionen/s" in printed
    assert app.login[1] not in out.read_text(encoding="utf-8")  # the password is never written


def test_office_users_are_left_out_without_an_account(app) -> None:
    cfg = LoadTestConfig(url=app.url, users=2, duration=30, mix={"directory": 0.5, "office": 0.5}, think=(0, 0),
                         max_actions=2, warmup=False)
    result = run_load_test(cfg)
    assert result.user_kinds == {"directory": 2}
    assert result.total_errors == 0 and result.total_actions == 2
    assert any("Anmeldung" in note for note in result.notes)


def test_a_refused_login_is_counted_as_an_error(app) -> None:
    cfg = LoadTestConfig(url=app.url, users=1, duration=30, mix={"office": 1.0}, think=(0, 0), max_actions=2,
                         warmup=False, login=("lasttest", "falsches-passwort-123"))
    result = run_load_test(cfg)
    assert result.total_actions == 0
    assert result.error_kinds["session"] == 1
    assert any("abgelehnt" in text for text in result.error_samples)


def test_an_unknown_page_is_counted_as_an_error(app) -> None:
    actions = {"directory": [Action("directory", "gibt-es-nicht", page_name="gibt-es-nicht")]}
    cfg = LoadTestConfig(url=app.url, users=1, duration=30, mix={"directory": 1.0}, think=(0, 0), max_actions=3,
                         warmup=False)
    result = run_load_test(cfg, actions)
    assert result.total_actions == 3
    assert result.errors["directory/gibt-es-nicht"] == 3
    assert result.error_kinds["page_not_found"] == 3


def test_a_page_that_raises_is_counted_as_an_error_and_healthy_runs_are_not(boom_app) -> None:
    actions = {"directory": [Action("directory", "ok", page_name=""),
                             Action("directory", "boom", query=(("boom", "1"),), page_name="")]}
    cfg = LoadTestConfig(url=boom_app.url, users=2, duration=30, mix={"directory": 1.0}, think=(0, 0.05),
                         max_actions=16, warmup=False, ramp_up=0)
    result = run_load_test(cfg, actions)
    assert result.total_actions == 16
    assert len(result.samples["directory/boom"]) >= 1 and len(result.samples["directory/ok"]) >= 1
    assert result.errors["directory/boom"] == len(result.samples["directory/boom"])
    assert result.errors.get("directory/ok", 0) == 0
    assert any("RuntimeError: absichtlich kaputt" in text for text in result.error_samples)
    assert "exception=" in table(summary(result))


def test_cli_exit_code_is_1_when_errors_occur(boom_app, monkeypatch, capsys) -> None:
    monkeypatch.setattr("kik_graph.loadtest.runner.build_actions",
                        lambda: {"directory": [Action("directory", "boom", query=(("boom", "1"),), page_name="")]})
    code = loadtest_main(["--url", boom_app.url, "--users", "1", "--duration", "10", "--max-actions", "2",
                          "--no-warmup", "--mix", "directory=1"])
    assert code == 1
    assert "Fehler: 2" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------ loopback only
@pytest.mark.parametrize("url", [
    "http://10.0.0.1:8501", "http://192.168.1.20", "http://example.org:8501", "http://8.8.8.8",
    "http://127.0.0.1.nip.io:8501", "http://localhost.example.org", "http://[2001:db8::1]:8501",
    "https://127.0.0.1:8501", "ftp://127.0.0.1", "http://0.0.0.0:8501", "http://:8501", "127.0.0.1:8501",
])
def test_non_loopback_hosts_are_refused(url: str, capsys) -> None:
    with pytest.raises(NotLoopback):
        check_loopback(url)
    assert loadtest_main(["--url", url, "--users", "1", "--duration", "1"]) == 2
    err = capsys.readouterr().err
    assert "Loopback" in err or "eigenen Maschine" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("url", "ws"), [
    ("http://127.0.0.1:8501", "ws://127.0.0.1:8501/_stcore/stream"),
    ("http://localhost:9000/", "ws://127.0.0.1:9000/_stcore/stream"),
    ("http://127.1.2.3:80/app", "ws://127.1.2.3:80/app/_stcore/stream"),
    ("ws://[::1]:8501", "ws://[::1]:8501/_stcore/stream"),
])
def test_loopback_urls_map_to_the_stream_endpoint(url: str, ws: str) -> None:
    assert check_loopback(url) == ws


# ------------------------------------------------------------------------------------------------ protocol units
def test_rerun_message_carries_page_query_string_and_widgets() -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.ParseFromString(rerun_message("wer-macht-was", "?measure=SB-7.2&lang=en", {"w1": "konto", "w2": True}))
    assert msg.WhichOneof("type") == "rerun_script"
    assert msg.rerun_script.page_name == "wer-macht-was"
    assert msg.rerun_script.query_string == "measure=SB-7.2&lang=en"
    states = {w.id: w for w in msg.rerun_script.widget_states.widgets}
    assert states["w1"].string_value == "konto" and states["w2"].trigger_value


def test_observer_reads_navigation_and_form_widgets() -> None:
    seen = RunObserver()
    nav = ForwardMsg()
    page = nav.navigation.app_pages.add()
    page.page_name, page.url_pathname, page.is_default = "Angebote", "", True
    seen.feed(nav.SerializeToString())
    for kind, label in (("text", "Konto"), ("password", "Passwort")):
        msg = ForwardMsg()
        msg.delta.new_element.text_input.id = f"id-{label}"
        msg.delta.new_element.text_input.label = label
        if kind == "password":
            msg.delta.new_element.text_input.type = msg.delta.new_element.text_input.PASSWORD
        seen.feed(msg.SerializeToString())
    msg = ForwardMsg()
    msg.delta.new_element.button.id = "id-submit"
    msg.delta.new_element.button.is_form_submitter = True
    seen.feed(msg.SerializeToString())
    assert [(p.title, p.url_path, p.default) for p in seen.pages] == [("Angebote", "", True)]
    assert [(w.kind, w.id, w.password, w.submit) for w in seen.widgets] == [
        ("text_input", "id-Konto", False, False), ("text_input", "id-Passwort", True, False),
        ("button", "id-submit", False, True)]


def test_observer_counts_exception_elements_and_waits_for_the_real_finish() -> None:
    seen = RunObserver()
    assert not seen.feed(_forward(script_finished=FINISHED.FINISHED_EARLY_FOR_RERUN))
    assert not seen.feed(_exception_delta("kaputt"))
    assert not seen.feed(_exception_delta("veraltet", warning=True))
    assert seen.feed(_forward(script_finished=FINISHED.FINISHED_SUCCESSFULLY))
    assert seen.errors == ["exception: ValueError: kaputt"]
    assert seen.warnings == ["ValueError: veraltet"]
    assert seen.elements == 2


def test_observer_counts_compile_errors_unknown_pages_and_garbage() -> None:
    seen = RunObserver()
    msg = ForwardMsg()
    msg.page_not_found.page_name = "weg"
    seen.feed(msg.SerializeToString())
    seen.feed(b"\xff\xff\xff\xff")
    assert seen.feed(_forward(script_finished=FINISHED.FINISHED_WITH_COMPILE_ERROR))
    kinds = [e.split(":", 1)[0] for e in seen.errors]
    assert kinds == ["page_not_found", "protocol", "compile_error"]


def test_healthy_run_has_no_errors() -> None:
    seen = RunObserver()
    msg = ForwardMsg()
    msg.delta.new_element.markdown.body = "Hallo"
    assert not seen.feed(msg.SerializeToString())
    assert seen.feed(_forward(script_finished=FINISHED.FINISHED_SUCCESSFULLY))
    assert seen.errors == [] and seen.finished


# ------------------------------------------------------------------------------------------------ actions and mix
def test_mix_is_parsed_and_normalised() -> None:
    assert parse_mix("directory=3,office=1") == {"directory": 0.75, "office": 0.25}
    assert parse_mix(None) == {"directory": 0.8, "office": 0.2}
    for bad in ("directory", "web=1", "office=x", "office=-1", "directory=0,office=0"):
        with pytest.raises(ValueError, match="--mix"):
            parse_mix(bad)


def test_public_pages_are_the_directory_share() -> None:
    actions = build_actions({"directory": [("suche", "Suche")], "office": [("ueberblick", "Überblick")]})
    assert actions["directory"] and all(a.title == "Suche" and a.page_name is None for a in actions["directory"])
    assert any("q=deutschkurs" in a.query_string for a in actions["directory"])
    assert all(a.label == "office/ueberblick" for a in actions["office"])
    # the url path comes from the session's navigation: the visitor's default page is served at ""
    search = actions["directory"][0]
    assert search.url_path({"Suche": ""}) == "" and search.url_path({"Suche": "suche"}) == "suche"
    assert search.url_path({"Überblick": ""}) is None
    # without directory pages the whole load goes to the office pages
    only_office = build_actions({"office": [("ueberblick", "Überblick")]})
    assert effective_mix({"directory": 0.8, "office": 0.2}, only_office) == {"office": 1.0}


def test_app_pages_are_discovered_by_kind_and_writing_pages_are_left_out() -> None:
    actions = build_actions()
    specs = discover_pages()
    writing = ("bearbeiten-", "verwaltung-")
    assert {a.page_key for a in actions["office"]} == {s.key for s in specs
                                                       if not s.public and not s.key.startswith(writing)}
    assert {a.page_key for a in actions["directory"]} == {s.key for s in specs if s.public}
    assert not any(a.page_key.startswith(writing) for kind in actions.values() for a in kind)


@pytest.mark.parametrize(("users", "mix", "expected"), [
    (50, {"directory": 0.8, "office": 0.2}, {"directory": 40, "office": 10}),
    (3, {"directory": 0.8, "office": 0.2}, {"directory": 2, "office": 1}),
    (1, {"directory": 0.8, "office": 0.2}, {"directory": 1}),
    (10, {"directory": 1.0}, {"directory": 10}),
    (7, {"directory": 0.5, "office": 0.5}, {"directory": 4, "office": 3}),
])
def test_users_are_split_by_the_mix(users: int, mix: dict[str, float], expected: dict[str, int]) -> None:
    kinds = assign_kinds(users, mix)
    assert len(kinds) == users
    assert {k: kinds.count(k) for k in set(kinds)} == expected


def test_percentile_by_nearest_rank() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 0.5) == 51.0  # index round(49.5) = 50
    assert percentile(samples, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0
