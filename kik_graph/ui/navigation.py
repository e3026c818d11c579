"""Collects the pages of kik_graph.ui.pages and runs ``st.navigation``."""

from __future__ import annotations

import importlib
import json
import logging
import os
import pkgutil
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from kik_graph.ui import pages as pages_package

log = logging.getLogger(__name__)
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")


@dataclass(frozen=True)
class PageSpec:
    """A page of the app.

    ``section`` groups pages in the navigation (i18n key); ``public`` pages are shown to everybody (directory),
    the others only to logged-in office staff once login exists; ``order`` sorts pages within the app.
    """

    key: str
    title_key: str
    render: Callable[[], None]
    section_key: str
    icon: str = ""
    public: bool = False
    order: int = 100
    default: bool = False


def discover_pages() -> list[PageSpec]:
    """All PageSpecs of all modules in kik_graph.ui.pages, sorted by order."""
    found: list[PageSpec] = []
    for info in pkgutil.iter_modules(pages_package.__path__):
        module = importlib.import_module(f"{pages_package.__name__}.{info.name}")
        found.extend(getattr(module, "PAGES", []))
    return sorted(found, key=lambda p: (p.order, p.key))


def directory_mode() -> bool:
    """True when the app runs as the public directory only (environment ``KIK_GRAPH_MODE=directory``)."""
    return os.environ.get("KIK_GRAPH_MODE", "").strip().lower() == "directory"


_timing_lock = threading.Lock()


def run() -> None:
    """Build the navigation from the discovered pages and run the selected page."""
    from kik_graph.i18n import t
    from kik_graph.ui.common import current_language

    started = time.perf_counter()
    st.set_page_config(page_title=t("app.title"), layout="wide")
    lang = current_language()
    from kik_graph.ui.auth_ui import filter_pages  # access control: which pages this visitor may see

    visible = filter_pages(discover_pages())
    if directory_mode():  # KIK_GRAPH_MODE=directory: the public directory only, no office pages
        visible = [spec for spec in visible if spec.public]
    sections: dict[str, list] = {}
    specs: dict[str, PageSpec] = {spec.key: spec for spec in visible}
    landing = None
    for spec in visible:
        page = st.Page(spec.render, title=t(spec.title_key, lang), icon=spec.icon or None, url_path=spec.key,
                       default=spec.default and directory_mode())
        if spec.default:
            landing = page
        sections.setdefault(t(spec.section_key, lang), []).append(page)
    if not sections:
        st.error(t("common.error", lang, message="keine Seiten"))
        return
    if not directory_mode() and landing is not None:
        # Streamlit serves its default page at "/" only, never under the page's own path; a page that is the default
        # for some visitors and not for others (directory, login, overview) would answer "page not found" to a shared
        # link. So every page keeps its path, and "/" is a hidden page that forwards to the visitor's landing page.
        start = st.Page(lambda: st.switch_page(landing, query_params=st.query_params.to_dict()), title=t("app.title", lang),
                        url_path="start", default=True, visibility="hidden")
        next(iter(sections.values())).insert(0, start)
    selected = st.navigation(sections)
    spec = specs.get(getattr(selected, "url_path", ""))
    try:
        run_page(selected.run, public=spec.public if spec is not None else True)
    finally:
        record_timing(getattr(selected, "url_path", ""), time.perf_counter() - started)


def safe_url(url: str) -> str:
    """``url`` without user, password, query and fragment (for messages)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def store_name(lang: str) -> str:
    """The store the app reads, for messages: the SPARQL endpoint (see :func:`safe_url`) or the folder of the
    embedded store."""
    from kik_graph.config import default_store_path, remote_endpoint
    from kik_graph.i18n import t

    endpoint = remote_endpoint()
    if endpoint:
        return t("store.name.endpoint", lang, url=safe_url(endpoint))
    return t("store.name.embedded", lang, path=str(default_store_path()))


def run_page(page_run: Callable[[], None], *, public: bool = False) -> None:
    """Run one page; when the store cannot answer, show a clear message instead of a traceback.

    :class:`~kik_graph.store.base.StoreError` (unreachable, locked, corrupt) and
    :class:`~kik_graph.store.base.QueryTimeout` end the page with an ``st.error`` naming the store. Office pages also
    show the store's own (German) explanation; public pages only say that the search is not available right now.
    """
    from kik_graph.config import remote_endpoint
    from kik_graph.i18n import t
    from kik_graph.store.base import QueryTimeout, StoreError
    from kik_graph.ui.common import current_language

    try:
        page_run()
    except StoreError as exc:
        lang = current_language()
        timeout = isinstance(exc, QueryTimeout) or isinstance(exc.__cause__, QueryTimeout)
        log.warning("Seite abgebrochen, Speicher nicht verfügbar: %s", exc)
        if public:  # the public directory: no internals, the directory's own message in the visitor's language
            st.error(t("directory.search.error", lang))
            return
        key = "store.office.timeout" if timeout else "store.office.unavailable"
        st.error(t(key, lang, store=store_name(lang)))
        message = str(exc)
        endpoint = remote_endpoint()
        if endpoint:
            message = message.replace(endpoint, safe_url(endpoint))
        message = _USERINFO.sub(r"\1", message)  # never a user name or password from an address
        st.caption(t("store.office.detail", lang, message=message[:500]))


def record_timing(page: str, seconds: float) -> None:
    """Append the server time of one page run to the file named by ``KIK_GRAPH_TIMINGS`` (JSON lines), if set.

    Used by ``make bench`` to measure each page's server time in the real server; does nothing otherwise.
    """
    path = os.environ.get("KIK_GRAPH_TIMINGS", "").strip()
    if not path:
        return
    line = json.dumps({"page": page, "seconds": round(seconds, 6), "at": time.time()})
    with _timing_lock, open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
