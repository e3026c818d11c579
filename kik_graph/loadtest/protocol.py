"""The few parts of Streamlit's websocket protocol a load-test client needs.

The browser and the server exchange protobuf messages that ship with the installed ``streamlit`` package:
the client sends a ``BackMsg`` with ``rerun_script`` (a ``ClientState`` holding the page's url path and
query string), the server answers with ``ForwardMsg``s (``new_session``, ``delta``s with elements, …) and
ends every script run with ``script_finished``. This module builds the request and reads the answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

#: Websocket path of the Streamlit server (streamlit/web/server/starlette/starlette_websocket.py).
STREAM_PATH = "/_stcore/stream"
#: Subprotocol the Streamlit frontend asks for (first entry of Sec-WebSocket-Protocol).
SUBPROTOCOL = "streamlit"

_FINISHED_EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
_FINISHED_WITH_COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR


def rerun_message(page_name: str, query_string: str = "", widgets: Mapping[str, str | bool] | None = None) -> bytes:
    """The serialised ``BackMsg`` that runs the page with url path ``page_name`` ("" = the default page).

    ``query_string`` is what the browser would send as ``location.search`` without the leading ``?``.
    ``widgets`` maps widget ids to values: a string for a text input, True for a pressed (submit) button.
    """
    msg = BackMsg()
    msg.rerun_script.page_name = page_name
    msg.rerun_script.query_string = query_string.removeprefix("?")
    for widget_id, value in (widgets or {}).items():
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        if value is True:
            state.trigger_value = True
        else:
            state.string_value = str(value)
    return msg.SerializeToString()


@dataclass(frozen=True)
class Widget:
    """An input element the server sent: kind (``text_input``/``button``), id and label."""

    kind: str
    id: str
    label: str
    password: bool = False
    submit: bool = False


@dataclass(frozen=True)
class NavPage:
    """One entry of the app's navigation for this session: title, url path ("" for the default page)."""

    title: str
    url_path: str
    default: bool


@dataclass
class RunObserver:
    """Reads the ForwardMsgs of one script run and records what matters for a load test.

    Feed every received frame to :meth:`feed`; it returns True once the run has finished (a ``script_finished``
    other than "finished early for a rerun"). ``errors`` then lists what went wrong, as short readable strings.
    """

    messages: int = 0
    elements: int = 0
    finished: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: list[NavPage] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)

    def feed(self, data: bytes) -> bool:
        """Take one websocket frame; return True when the script run is over."""
        msg = ForwardMsg()
        try:
            msg.ParseFromString(data)
        except Exception:  # a frame that is not a ForwardMsg is a protocol error, not a crash of the client
            self.errors.append("protocol: Nachricht ist keine ForwardMsg")
            return False
        self.messages += 1
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._delta(msg)
        elif kind == "navigation":
            self.pages = [NavPage(p.page_name, p.url_pathname, p.is_default) for p in msg.navigation.app_pages]
        elif kind == "page_not_found":
            self.errors.append(f"page_not_found: Seite {msg.page_not_found.page_name!r} gibt es nicht")
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            exc = msg.session_event.script_compilation_exception
            self.errors.append(f"compile_error: {exc.type}: {exc.message}"[:300])
        elif kind == "script_finished":
            if msg.script_finished == _FINISHED_WITH_COMPILE_ERROR and not any(
                    e.startswith("compile_error") for e in self.errors):
                self.errors.append("compile_error: Skript konnte nicht übersetzt werden")
            if msg.script_finished != _FINISHED_EARLY_FOR_RERUN:
                self.finished = True
        return self.finished

    def _delta(self, msg: ForwardMsg) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        self.elements += 1
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "text_input":
            self.widgets.append(Widget("text_input", element.text_input.id, element.text_input.label,
                                       password=element.text_input.type == element.text_input.PASSWORD))
        elif kind == "button":
            self.widgets.append(Widget("button", element.button.id, element.button.label,
                                       submit=element.button.is_form_submitter))
        if kind != "exception":
            return
        exc = element.exception
        text = f"{exc.type}: {exc.message}"[:300]
        if exc.is_warning:
            self.warnings.append(text)
        else:
            self.errors.append(f"exception: {text}")
