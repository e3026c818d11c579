"""What the virtual users do: page views of the app, grouped into the kinds ``directory`` and ``office``.

Pages come from :func:`kik_graph.ui.navigation.discover_pages`: public pages (``PageSpec.public``) are directory
pages, the others office pages (office users log in first). A directory action is a search (``q`` plus
``lang`` and sometimes a filter), an office action is a page view with one of a few typical URL states.
Parameters a page does not know are ignored by it, so the lists stay valid while pages change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

#: The kinds of actions and their default shares.
KINDS = ("directory", "office")
DEFAULT_MIX = {"directory": 0.8, "office": 0.2}

#: Searches of the directory users (several languages, typos, questions, empty browse).
DIRECTORY_QUERIES: tuple[dict[str, str], ...] = (
    {"q": "deutschkurs", "lang": "de"},
    {"q": "Deutschkurs für Frauen mit Kinderbetreuung", "lang": "de"},
    {"q": "integrationskurs", "lang": "de"},
    {"q": "migrationsberatung", "lang": "de"},
    {"q": "Beratung Arbeit", "lang": "de"},
    {"q": "kita", "lang": "de"},
    {"q": "deutschkurz", "lang": "de"},
    {"q": "Wo kann ich Deutsch lernen?", "lang": "de"},
    {"q": "german course", "lang": "en"},
    {"q": "job counselling", "lang": "en"},
    {"q": "almanca kursu", "lang": "tr"},
    {"q": "курс немецкого", "lang": "ru"},
    {"q": "консультація", "lang": "uk"},
    {"q": "دورة اللغة الألمانية", "lang": "ar"},
    {"lang": "de"},
    {"q": "wohnung", "lang": "de", "open": "1"},
    {"q": "Beratung", "cat": "wohnen", "lang": "de"},
    {"service": "taff", "lang": "de"},
)

#: Page-key prefixes of pages that change data; the load test never opens them.
WRITING_PAGE_PREFIXES = ("bearbeiten-", "verwaltung-")

#: URL states of the office pages (unknown parameters are ignored by a page).
OFFICE_QUERIES: tuple[dict[str, str], ...] = (
    {},
    {"lang": "en"},
    {"field": "SB"},
    {"field": "GP"},
    {"measure": "SB-7.2"},
    {"goal": "AA-Z3"},
)


@dataclass(frozen=True)
class Action:
    """One page view of a virtual user of ``kind`` ("directory" or "office").

    The url path is looked up per session by the page ``title`` in the navigation the server sends (the page
    that is the default for this visitor is served at ""), unless ``page_name`` fixes it.
    """

    kind: str
    page_key: str
    title: str = ""
    query: tuple[tuple[str, str], ...] = ()
    page_name: str | None = None

    @property
    def label(self) -> str:
        """The name under which timings are reported, e.g. ``office/ueberblick``."""
        return f"{self.kind}/{self.page_key}"

    @property
    def query_string(self) -> str:
        """The URL query string (without ``?``)."""
        return urlencode(self.query)

    def url_path(self, paths: dict[str, str]) -> str | None:
        """The url path to request in a session whose navigation maps titles to ``paths``; None if not visible."""
        if self.page_name is not None:
            return self.page_name
        return paths.get(self.title)


def parse_mix(text: str | None) -> dict[str, float]:
    """Parse ``directory=0.8,office=0.2`` into normalised shares; raise ValueError with a readable message."""
    if not text:
        return dict(DEFAULT_MIX)
    mix: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in KINDS:
            raise ValueError(f"--mix: {part!r} ist ungültig; erwartet z.B. directory=0.8,office=0.2")
        try:
            share = float(value)
        except ValueError:
            raise ValueError(f"--mix: {value!r} ist keine Zahl") from None
        if share < 0:
            raise ValueError(f"--mix: Anteil für {name} ist negativ")
        mix[name] = share
    total = sum(mix.values())
    if total <= 0:
        raise ValueError("--mix: die Anteile ergeben zusammen 0")
    return {name: share / total for name, share in mix.items()}


def _quiet_streamlit() -> None:
    """Importing page modules outside a Streamlit runtime logs harmless "No runtime found" warnings."""
    import logging

    for name in ["streamlit", *logging.root.manager.loggerDict]:
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _page_pools() -> dict[str, list[tuple[str, str]]]:
    """(page key, German title) of the app's pages by kind, from the page registry."""
    _quiet_streamlit()
    from kik_graph.i18n import t
    from kik_graph.ui.navigation import discover_pages

    pools: dict[str, list[tuple[str, str]]] = {"directory": [], "office": []}
    for spec in discover_pages():
        if spec.public:
            pools["directory"].append((spec.key, t(spec.title_key, "de")))
        elif not spec.key.startswith(WRITING_PAGE_PREFIXES):
            pools["office"].append((spec.key, t(spec.title_key, "de")))
    return pools


def login_page_path() -> str:
    """Url path of the login page (``kik_graph.ui.auth_ui.LOGIN_PAGE``)."""
    _quiet_streamlit()
    try:
        from kik_graph.ui.auth_ui import LOGIN_PAGE
    except ImportError:
        return "anmelden"
    return LOGIN_PAGE.key


def build_actions(pages: dict[str, Sequence[tuple[str, str]]] | None = None) -> dict[str, list[Action]]:
    """All actions by kind for the given pages (default: the app's discovered pages).

    ``pages`` maps a kind to (page key, title) pairs. Directory pages get every directory search, office pages
    every office URL state. Pages that change data (edit and admin pages) are left out: a load test only reads.
    """
    pools = pages if pages is not None else _page_pools()
    actions: dict[str, list[Action]] = {}
    for kind, variants in (("directory", DIRECTORY_QUERIES), ("office", OFFICE_QUERIES)):
        actions[kind] = [Action(kind, key, title, tuple(q.items())) for key, title in pools.get(kind, ())
                         for q in variants]
    return actions


def effective_mix(mix: dict[str, float], actions: dict[str, list[Action]],
                  available: set[str] | None = None) -> dict[str, float]:
    """``mix`` restricted to kinds that have actions (and are in ``available``), renormalised."""
    usable = {k: v for k, v in mix.items() if v > 0 and actions.get(k) and (available is None or k in available)}
    total = sum(usable.values())
    return {k: v / total for k, v in usable.items()} if total else {}


def assign_kinds(users: int, mix: dict[str, float]) -> list[str]:
    """The kind of each virtual user: directory visitors (anonymous) and office users (logged in), by share.

    Every kind with a positive share gets at least one user when there are enough users.
    """
    kinds = sorted(mix, key=lambda k: (-mix[k], k))
    exact = {k: users * mix[k] for k in kinds}
    counts = {k: int(exact[k]) for k in kinds}
    # largest remainder first; ties go to the larger share, then alphabetical (directory before office)
    for k in sorted(kinds, key=lambda k: (-(exact[k] - counts[k]), -mix[k], k))[:users - sum(counts.values())]:
        counts[k] += 1
    for k in kinds:
        if counts[k] == 0 and mix[k] > 0 and users >= len(kinds):
            counts[max(counts, key=lambda j: counts[j])] -= 1
            counts[k] = 1
    return [k for k in kinds for _ in range(counts[k])]
