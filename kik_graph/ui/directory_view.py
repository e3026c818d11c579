"""The public directory page: language switch, search with filters, result cards; the detail and print views
are in :mod:`kik_graph.ui.directory_detail`.

Everything shown comes from the service data and the i18n catalogue; every value rendered as HTML is escaped
(:func:`kik_graph.ui.common.esc`). Errors never reach the visitor as raw exceptions.
"""

from __future__ import annotations

import logging

import streamlit as st

from kik_graph.directory import searchlog
from kik_graph.directory.model import Directory, Service
from kik_graph.directory.search import Filters, Hit, SearchIndex, SearchResult, get_index, run
from kik_graph.i18n import DEFAULT_LANGUAGE, LANGUAGES, direction, t
from kik_graph.store.base import StoreError
from kik_graph.terms import MAX_TEXT_LENGTH, InvalidInput
from kik_graph.ui.common import current_language, esc, get_store, set_language
from kik_graph.ui.directory_state import DirectoryState, read_state, write_params
from kik_graph.ui.directory_style import inject
from kik_graph.ui.office_base import md_escape

log = logging.getLogger(__name__)

PAGE_SIZE = 20
_LOGGED = "_directory_logged_searches"
_LIMIT = "_directory_limit"

# ------------------------------------------------------------------------------------------------ helpers


def text_html(text: str, lang: str, *, german: bool = True, block: bool = False) -> str:
    """Escaped text; German text inside a right-to-left page keeps its own direction (``lang="de" dir="ltr"``).

    With ``block`` the German text becomes a left-aligned paragraph (long German text reads badly right-aligned).
    """
    body = esc(text).replace("\n", "<br>")
    if german and lang != "de" and direction(lang) == "rtl":
        if block:
            return f'<div class="kik-ltr" lang="de" dir="ltr">{body}</div>'
        return f'<span lang="de" dir="ltr">{body}</span>'
    if german and lang != "de":
        return f'<span lang="de">{body}</span>'
    return body


_QUOTES = {"de": ("„", "“"), "de-x-ls": ("„", "“"), "en": ("“", "”"), "tr": ("“", "”")}


def quoted(text: str, lang: str) -> str:
    """``text`` escaped and in the quotation marks of ``lang`` (« » for Arabic, Farsi, Ukrainian, Russian)."""
    opening, closing = _QUOTES.get(lang, ("«", "»"))
    return f"{opening}{esc(text)}{closing}"


def german_only_note(lang: str) -> str:
    """The honest note that a text exists only in German (empty for German)."""
    if lang in ("de",):
        return ""
    return f'<div class="kik-de-only">{esc(t("directory.german_only", lang))}</div>'


def label_html(directory: Directory, iri: str, lang: str) -> str:
    """A label in ``lang`` if there is one, else the German label marked as German."""
    labels = directory.labels.get(iri, {})
    if iri in directory.categories:
        text, fallback = directory.categories[iri].label(lang)
    elif labels.get(lang):
        text, fallback = labels[lang], False
    else:
        text, fallback = directory.label(iri, "de"), lang != "de"
    return text_html(text, lang, german=fallback)


def language_selector(lang: str) -> str:
    """The language switch at the top of the page (all public UI languages); returns the active language."""
    codes = list(LANGUAGES)
    key = "directory_language"
    if st.session_state.get(key) not in codes or st.session_state.get("_directory_lang_seen") != lang:
        st.session_state[key] = lang
        st.session_state["_directory_lang_seen"] = lang

    def changed() -> None:
        chosen = st.session_state[key]
        set_language(chosen)
        st.session_state["_directory_lang_seen"] = chosen

    label = t("directory.language", lang) + ("" if lang == DEFAULT_LANGUAGE else " / Sprache")
    column = st.columns([3, 1])[1]
    column.selectbox(label, codes, key=key, on_change=changed, format_func=lambda c: LANGUAGES.get(c, c))
    return st.session_state[key]


def load_index() -> SearchIndex | None:
    """The search index of the app's store, or None (with a message) when the store is not available."""
    try:
        return get_index(get_store())
    except StoreError as exc:
        log.warning("Verzeichnis: Speicher nicht verfügbar: %s", exc)
        st.error(t("directory.search.error", current_language()))
        return None


# ------------------------------------------------------------------------------------------------- page


def render_page() -> None:
    """The directory page: search view, or the detail/print view when ``service`` is in the URL."""
    lang = current_language()
    state = read_state()
    inject(lang, print_view=state.print_view and bool(state.service))
    try:
        if not state.print_view:
            lang = language_selector(lang)
        index = load_index()
        if index is None:
            return
        if state.service:
            from kik_graph.ui.directory_detail import render_detail

            render_detail(index, state, lang)
        else:
            render_search(index, state, lang)
    except Exception:  # the visitor never sees a raw exception
        log.exception("Verzeichnis: unerwarteter Fehler")
        st.error(t("directory.search.error", lang))


def _filter_options(directory: Directory) -> dict[str, list[str]]:
    groups = sorted({g for s in directory.services for g in s.target_groups}, key=lambda i: directory.label(i))
    spoken = sorted({code for s in directory.services for code in s.languages})
    districts = sorted((i for i in directory.labels if i.startswith("https://w3id.org/kik-graph/id/stadtbezirk/")),
                       key=lambda i: i.rsplit("/", 1)[-1])
    return {"cat": [""] + [c.slug for c in directory.sorted_categories()],
            "group": [""] + [g.rsplit("/", 1)[-1] for g in groups],
            "spoken": [""] + spoken,
            "district": [""] + [d.rsplit("/", 1)[-1] for d in districts]}


def _init_widgets(state: DirectoryState, options: dict[str, list[str]]) -> None:
    """Put the URL's values into the widgets once per URL (share links, back button)."""
    signature = repr(state.search_params())
    if st.session_state.get("_directory_signature") == signature:
        return
    st.session_state["_directory_signature"] = signature
    st.session_state["dir_q"] = state.query[:MAX_TEXT_LENGTH]
    for key, value in (("cat", state.category), ("group", state.target_group), ("spoken", state.spoken),
                       ("district", state.district)):
        st.session_state[f"dir_{key}"] = value if value in options[key] else ""
    st.session_state["dir_free"] = state.free
    st.session_state["dir_open"] = state.open_now
    st.session_state[_LIMIT] = PAGE_SIZE


def _submitted_params() -> dict[str, str]:
    params = {"q": (st.session_state.get("dir_q") or "").strip()}
    for key in ("cat", "group", "spoken", "district"):
        params[key] = st.session_state.get(f"dir_{key}") or ""
    params["free"] = "1" if st.session_state.get("dir_free") else ""
    params["open"] = "1" if st.session_state.get("dir_open") else ""
    return {k: v for k, v in params.items() if v}


def render_search(index: SearchIndex, state: DirectoryState, lang: str) -> None:
    """Search box, filters, results."""
    d = index.directory
    st.title(t("directory.search.title", lang))
    st.caption(t("directory.search.intro", lang))
    options = _filter_options(d)
    _init_widgets(state, options)
    with st.form("directory_search", border=False):
        st.text_input(t("directory.search.label", lang), key="dir_q", max_chars=MAX_TEXT_LENGTH,
                      placeholder=t("directory.search.placeholder", lang))
        with st.expander(t("directory.filter.title", lang), expanded=bool(state.search_params().keys() - {"q"})):
            any_label = t("directory.filter.any", lang)
            col1, col2 = st.columns(2)
            col1.selectbox(t("directory.filter.category", lang), options["cat"], key="dir_cat",
                           format_func=lambda s: any_label if not s else d.categories[_cat_iri(s)].label(lang)[0])
            col2.selectbox(t("directory.filter.target_group", lang), options["group"], key="dir_group",
                           format_func=lambda s: any_label if not s else _group_label(d, s, lang))
            col1.selectbox(t("directory.filter.language", lang), options["spoken"], key="dir_spoken",
                           format_func=lambda s: any_label if not s else LANGUAGES.get(s, s),
                           disabled=len(options["spoken"]) <= 1, help=t("directory.unknown", lang) if len(options["spoken"]) <= 1 else None)
            col2.selectbox(t("directory.filter.district", lang), options["district"], key="dir_district",
                           format_func=lambda s: any_label if not s else f"{s} – {d.label('https://w3id.org/kik-graph/id/stadtbezirk/' + s)}")
            col1.checkbox(t("directory.filter.free", lang), key="dir_free")
            col2.checkbox(t("directory.filter.open_now", lang), key="dir_open")
        submitted = st.form_submit_button(t("directory.search.button", lang), type="primary")
    if submitted:
        params = _submitted_params()
        write_params(params)
        st.session_state["_directory_signature"] = repr(params)
        st.session_state[_LIMIT] = PAGE_SIZE
        state = read_state()
    if not state.search_params():
        _category_shortcuts(index, lang)
        return
    _render_results(index, state, lang)


def _category_shortcuts(index: SearchIndex, lang: str) -> None:
    """Topics to browse when nothing is searched yet (only categories that have services)."""
    st.subheader(t("directory.filter.category", lang))
    used = [c for c in index.directory.sorted_categories() if index.category_docs.get(c.iri)]
    columns = st.columns(3)
    for n, category in enumerate(used):
        label = f"{category.label(lang)[0]} ({len(index.category_docs[category.iri])})"
        if columns[n % 3].button(label, key=f"dir_topic_{category.slug}", width="stretch"):
            write_params({"cat": category.slug})
            st.rerun()


def _cat_iri(slug: str) -> str:
    return "https://w3id.org/kik-graph/id/angebotskategorie/" + slug


def _group_label(d: Directory, slug: str, lang: str) -> str:
    iri = "https://w3id.org/kik-graph/id/zielgruppe/" + slug
    labels = d.labels.get(iri, {})
    return labels.get(lang) or labels.get("de") or slug


def _filters(index: SearchIndex, state: DirectoryState, lang: str) -> Filters | None:
    try:
        return Filters.resolve(index.directory, category=state.category, target_group=state.target_group,
                               language=state.spoken, district=state.district, free=state.free,
                               open_now=state.open_now)
    except InvalidInput as exc:
        st.warning(t("directory.search.invalid", lang, message=md_escape(exc)))
        return None


def _render_results(index: SearchIndex, state: DirectoryState, lang: str) -> None:
    filters = _filters(index, state, lang)
    if filters is None:
        return
    limit = int(st.session_state.get(_LIMIT, PAGE_SIZE))
    try:
        result = run(index, state.query, lang=lang, filters=filters, limit=min(limit, 100))
    except InvalidInput as exc:
        st.warning(t("directory.search.invalid", lang, message=md_escape(exc)))
        return
    _log_failed(result, lang)
    if result.message and not result.hits:
        st.info(t(result.message, lang))
        if result.failed or filters.active():
            _fallback(index.directory, lang)
        return
    if filters.open_now:
        st.caption(t("directory.filter.open_now_hint", lang, n=result.unknown_hours))
    st.subheader(t("directory.results.count", lang, n=result.total))
    if result.total > len(result.hits):
        st.caption(t("directory.results.shown", lang, n=len(result.hits)))
    for hit in result.hits:
        render_card(index.directory, hit, lang, state)
    if result.total > len(result.hits) and len(result.hits) < 100:
        if st.button(t("directory.results.more", lang), key="dir_more"):
            st.session_state[_LIMIT] = limit + PAGE_SIZE
            st.rerun()
    if len(result.hits) < 3:
        _fallback(index.directory, lang)


def _log_failed(result: SearchResult, lang: str) -> None:
    """Count a failed search once per session (reruns and repeated renders do not count again)."""
    if not result.failed:
        return
    key = (result.normalised, lang)
    logged = st.session_state.setdefault(_LOGGED, set())
    if key in logged:
        return
    logged.add(key)
    try:
        searchlog.record_failed(get_store(), result.query, lang)
    except Exception:  # counting must never break the search
        log.warning("Verzeichnis: erfolglose Suche konnte nicht gezählt werden", exc_info=True)


def _fallback(d: Directory, lang: str) -> None:
    """Contact of the Amt für Integration (from the data) as the place to ask."""
    office = d.service("amt-fuer-integration")
    if office is None:
        return
    parts = [f"<strong>{esc(t('directory.fallback', lang))}</strong> {text_html(office.name, lang)}"]
    contact = contact_links(office, lang)
    if contact:
        parts.append(f'<div class="kik-contact">{contact}</div>')
    st.markdown(f'<div class="kik-card" dir="{direction(lang)}">{"".join(parts)}</div>', unsafe_allow_html=True)


def contact_links(service: Service, lang: str) -> str:
    """Call / e-mail / website links for the known contact data (escaped)."""
    links = []
    if service.telephone:
        tel = "".join(ch for ch in service.telephone if ch.isdigit() or ch == "+")
        links.append(f'<a href="tel:{esc(tel)}">☎ {esc(t("directory.action.call", lang))}: '
                     f'<span dir="ltr">{esc(service.telephone)}</span></a>')
    if service.email:
        links.append(f'<a href="mailto:{esc(service.email)}">✉ {esc(service.email)}</a>')
    if service.website:
        links.append(f'<a href="{esc(service.website)}" target="_blank" rel="noopener noreferrer">↗ '
                     f'{esc(service.website)}</a>')
    return " ".join(links)


def _why(hit: Hit, lang: str) -> str:
    parts: list[str] = []
    seen: set[tuple[str, str]] = set()
    for match in hit.matches:
        if (match.field, match.text) in seen:
            continue
        seen.add((match.field, match.text))
        field = t(f"directory.match.{match.field}", lang)
        kind = t(f"directory.match.{match.kind}", lang)
        text = match.text if len(match.text) <= 60 else match.text[:59] + "…"
        parts.append(f"{esc(field)}: {quoted(text, lang)} ({esc(kind)})")
        if len(parts) == 3:
            break
    return " · ".join(parts)


def render_card(d: Directory, hit: Hit, lang: str, state: DirectoryState) -> None:
    """One result card with a details button."""
    s = hit.service
    chips = "".join(f'<span class="kik-chip">{label_html(d, c, lang)}</span>' for c in s.categories)
    providers = ", ".join(text_html(p, lang) for p in d.provider_names(s, lang))
    description, fallback = s.description_in(lang)
    short = description if len(description) <= 260 else description[:259] + "…"
    status = ""
    if s.status in ("temporarily-closed", "ended"):
        status = f' <span class="kik-closed">({esc(t("directory.value." + s.status, lang))})</span>'
    html = [f'<div class="kik-card" dir="{direction(lang)}">',
            f'<h3>{text_html(s.name_in(lang)[0], lang, german=s.name_in(lang)[1])}{status}</h3>',
            f'<div class="kik-provider">{providers}</div>', f"<div>{chips}</div>",
            f'<div class="kik-desc">{text_html(short, lang, german=fallback, block=True)}</div>']
    if fallback:
        html.append(german_only_note(lang))
    contact = contact_links(s, lang)
    if contact:
        html.append(f'<div class="kik-contact">{contact}</div>')
    if hit.matches:
        html.append(f'<div class="kik-why">{esc(t("directory.card.why", lang))} {_why(hit, lang)}</div>')
    html.append("</div>")
    st.markdown("".join(html), unsafe_allow_html=True)
    if st.button(t("directory.card.details", lang), key=f"dir_details_{s.slug}"):
        params = state.search_params()
        params["service"] = s.slug
        write_params(params)
        st.rerun()
