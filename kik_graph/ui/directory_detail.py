"""Detail and print view of one service, with the actions an advisor needs (call, e-mail, website, print view,
share link) and the form „Angabe falsch / fehlt melden“."""

from __future__ import annotations

import logging

import streamlit as st
import streamlit.components.v1 as components

from kik_graph.directory import feedback
from kik_graph.directory.hours import describe
from kik_graph.directory.model import Directory, Service
from kik_graph.directory.search import SearchIndex
from kik_graph.i18n import LANGUAGES, direction, t
from kik_graph.terms import InvalidInput
from kik_graph.ui.common import esc, get_store
from kik_graph.ui.directory_state import DirectoryState, share_url, write_params
from kik_graph.ui.directory_view import german_only_note, label_html, text_html
from kik_graph.ui.office_base import md_escape

log = logging.getLogger(__name__)

#: Language names for ISO 639 codes that are not UI languages (shown as given otherwise).
LANGUAGE_NAMES = {"prs": "Dari", "ps": "Paschtu", "ku": "Kurdisch", "sq": "Albanisch", "ro": "Rumänisch",
                  "pl": "Polnisch", "it": "Italienisch", "fr": "Französisch", "es": "Spanisch", "ti": "Tigrinya",
                  "so": "Somali", "bg": "Bulgarisch", "hr": "Kroatisch", "sr": "Serbisch", "bs": "Bosnisch",
                  "el": "Griechisch", "hu": "Ungarisch", "vi": "Vietnamesisch", "zh": "Chinesisch"}


def _unknown(lang: str) -> str:
    return f'<span class="kik-unknown">{esc(t("directory.unknown", lang))}</span>'


def field_rows(d: Directory, s: Service, lang: str) -> list[tuple[str, str]]:
    """(field label, value HTML) for every field of the detail view; missing values say "nicht bekannt"."""
    unknown = _unknown(lang)

    def join(values: list[str]) -> str:
        return ", ".join(values) if values else unknown

    def yes_no(value: bool | None) -> str:
        return unknown if value is None else esc(t("directory.value." + ("yes" if value else "no"), lang))

    rows = [
        ("provider", join([text_html(p, lang) for p in d.provider_names(s, lang)])),
        ("categories", join([label_html(d, c, lang) for c in s.categories])),
        ("target_groups", join([label_html(d, g, lang) for g in s.target_groups])),
        ("languages", join([esc(LANGUAGES.get(c) or LANGUAGE_NAMES.get(c) or c) for c in s.languages])),
        ("interpreter", yes_no(s.interpreter)),
        ("cost", unknown if not s.cost else esc(t("directory.value." + s.cost, lang))
         + (f" – {text_html(s.fee_description, lang)}" if s.fee_description else "")),
        ("eligibility", text_html(s.eligibility, lang) if s.eligibility else unknown),
        ("required_documents", text_html(s.required_documents, lang) if s.required_documents else unknown),
        ("access", join([esc(t("directory.value." + a, lang)) for a in s.access_modes])),
        ("telephone", f'<a href="tel:{esc(_dial(s.telephone))}" dir="ltr">{esc(s.telephone)}</a>' if s.telephone else unknown),
        ("email", f'<a href="mailto:{esc(s.email)}">{esc(s.email)}</a>' if s.email else unknown),
        ("website", f'<a href="{esc(s.website)}" target="_blank" rel="noopener noreferrer">{esc(s.website)}</a>'
         if s.website else unknown),
        ("address", _addresses(s, lang)),
        ("district", label_html(d, s.district, lang) if s.district else unknown),
        ("opening_hours", _hours(s, lang)),
        ("status", _status(s, lang)),
        ("last_verified", esc(s.last_verified.strftime("%d.%m.%Y")) if s.last_verified else unknown),
        ("measures", _measures(d, s, lang)),
        ("source", f'{text_html("KIK 2021", lang)}: {text_html(s.source_locator, lang)}'),
    ]
    return [(t(f"directory.field.{name}", lang), value) for name, value in rows]


def _status(s: Service, lang: str) -> str:
    """The status; without a date of the office's check (``kik:lastVerified``) it says that nobody has checked it
    (the seed statuses rest on the KIK 2021 alone)."""
    if not s.status:
        return _unknown(lang)
    status = esc(t("directory.value." + s.status, lang))
    return status if s.last_verified else f"{status} ({esc(t('directory.value.unverified', lang))})"


def _dial(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit() or ch == "+")


def _addresses(s: Service, lang: str) -> str:
    visiting = [a for a in s.addresses if a.kind == "visiting"]
    parts = [f"{text_html(a.one_line(), lang)} ({esc(t('directory.address.visiting', lang))})" for a in visiting]
    if not visiting:
        parts.append(_unknown(lang))
    for a in s.addresses:
        if a.kind == "publisher":
            parts.append(f"{text_html(a.one_line(), lang)} <br><small>{esc(t('directory.address.publisher', lang))}</small>")
    return "<br>".join(parts)


def _hours(s: Service, lang: str) -> str:
    if not s.opening_hours:
        note = f"<br>{text_html(s.hours_note, lang)}" if s.hours_note else ""
        return _unknown(lang) + note
    lines = [f'<span dir="ltr">{esc(describe(v, lang))}</span>' for v in s.opening_hours]
    now = s.open_now()
    badge = ""
    if now is not None:
        cls, key = ("kik-open", "open_now") if now else ("kik-closed", "closed_now")
        badge = f' <span class="{cls}">({esc(t("directory.value." + key, lang))})</span>'
    note = f"<br>{text_html(s.hours_note, lang)}" if s.hours_note else ""
    return "<br>".join(lines) + badge + note


def _measures(d: Directory, s: Service, lang: str) -> str:
    items = []
    for iri in [*s.measures, *s.goals]:
        notation = d.notations.get(iri, iri.rsplit("/", 1)[-1])
        text = d.texts.get(iri, "")
        editorial = f' <em>({esc(t("directory.value.editorial", lang))})</em>' if iri in s.editorial_links else ""
        items.append(f"<strong>{esc(notation)}</strong>{editorial}: {text_html(text, lang)}" if text
                     else f"<strong>{esc(notation)}</strong>{editorial}")
    if not items:
        return "–"
    return "<br>".join(items)


def _table(rows: list[tuple[str, str]], lang: str) -> str:
    body = "".join(f"<tr><th>{esc(label)}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<table class="kik-fields" dir="{direction(lang)}">{body}</table>'


def render_detail(index: SearchIndex, state: DirectoryState, lang: str) -> None:
    """The detail view (or the print view with ``print=1``) of the service in the URL."""
    d = index.directory
    s = d.service(state.service)
    back = state.search_params()
    if s is None:
        st.warning(t("directory.detail.not_found", lang))
        _back_button(back, lang)
        return
    if state.print_view:
        _render_print(d, s, state, lang)
        return
    _back_button(back, lang)
    name, name_fallback = s.name_in(lang)
    st.markdown(f'<h1 dir="{direction(lang)}">{text_html(name, lang, german=name_fallback)}</h1>', unsafe_allow_html=True)
    description, fallback = s.description_in(lang)
    st.markdown(f'<div class="kik-desc" dir="{direction(lang)}">{text_html(description, lang, german=fallback, block=True)}'
                f"{german_only_note(lang) if fallback else ''}</div>", unsafe_allow_html=True)
    _actions(s, state, lang)
    st.markdown(_table(field_rows(d, s, lang), lang), unsafe_allow_html=True)
    if s.evidence:
        with st.expander(t("directory.field.source", lang) + " – KIK 2021"):
            quotes = "".join(f'<div class="kik-quote">{text_html(q, lang)}</div>' for q in s.evidence)
            st.markdown(f'<div dir="{direction(lang)}">{quotes}{german_only_note(lang)}</div>', unsafe_allow_html=True)
    st.caption(t("directory.detail.source_note", lang))
    _feedback_form(d, s, lang)


def _back_button(params: dict[str, str], lang: str) -> None:
    if st.button("← " + t("directory.action.back", lang) if lang not in ("ar", "fa") else t("directory.action.back", lang) + " →",
                 key="dir_back"):
        write_params(params)
        st.rerun()


def _actions(s: Service, state: DirectoryState, lang: str) -> None:
    links = [(label, url) for label, url, known in (
        ("☎ " + t("directory.action.call", lang), "tel:" + _dial(s.telephone), s.telephone),
        ("✉ " + t("directory.action.email", lang), "mailto:" + s.email, s.email),
        ("↗ " + t("directory.action.website", lang), s.website, s.website)) if known]
    cols = st.columns(4)
    for column, (label, url) in zip(cols, links, strict=False):
        column.link_button(label, url)
    if cols[len(links)].button("🖨 " + t("directory.action.print", lang), key="dir_print"):
        params = {**state.search_params(), "service": s.slug, "print": "1"}
        write_params(params)
        st.rerun()
    url = share_url({**state.search_params(), "service": s.slug}, lang)
    st.markdown(f'<div dir="{direction(lang)}"><strong>{esc(t("directory.action.share", lang))}:</strong> '
                f'<a href="{esc(url)}" target="_self" dir="ltr">{esc(url)}</a><br>'
                f'<small>{esc(t("directory.action.share_hint", lang))}</small></div>', unsafe_allow_html=True)


def _render_print(d: Directory, s: Service, state: DirectoryState, lang: str) -> None:
    """A clean printable page: name, description, all fields, contact, source and the link."""
    name, name_fallback = s.name_in(lang)
    description, fallback = s.description_in(lang)
    url = share_url({"service": s.slug}, lang)
    html = [f'<div class="kik-print" dir="{direction(lang)}">',
            f"<h1>{text_html(name, lang, german=name_fallback)}</h1>",
            f'<div class="kik-desc">{text_html(description, lang, german=fallback, block=True)}</div>',
            german_only_note(lang) if fallback else "",
            _table(field_rows(d, s, lang), lang),
            f'<p class="kik-print-url">{esc(t("directory.detail.source_note", lang))}<br><span dir="ltr">{esc(url)}</span></p>',
            "</div>"]
    st.markdown("".join(html), unsafe_allow_html=True)
    cols = st.columns(2)
    with cols[0]:
        components.html(
            f'<button onclick="window.parent.print()" style="font-size:1rem;padding:0.4rem 1rem;">'
            f'🖨 {esc(t("directory.action.print_now", lang))}</button>', height=50)
    with cols[1]:
        if st.button(t("directory.action.back", lang), key="dir_print_back"):
            write_params({**state.search_params(), "service": s.slug})
            st.rerun()


def _feedback_form(d: Directory, s: Service, lang: str) -> None:
    st.subheader(t("directory.feedback.title", lang))
    st.caption(t("directory.feedback.intro", lang))
    done_key = f"_dir_feedback_done_{s.slug}"
    if st.session_state.get(done_key):
        st.success(t("directory.feedback.thanks", lang))
    with st.form(f"dir_feedback_{s.slug}", clear_on_submit=True):
        field = st.selectbox(t("directory.feedback.field", lang), list(feedback.FIELDS),
                             format_func=lambda f: t(f"directory.field.{f}", lang), key="dir_fb_field")
        text = st.text_area(t("directory.feedback.text", lang), max_chars=feedback.MAX_FEEDBACK_LENGTH,
                            key="dir_fb_text")
        sent = st.form_submit_button(t("directory.feedback.submit", lang))
    if sent:
        try:
            feedback.submit(get_store(), s.iri, field, text or "", known_services={x.iri for x in d.services})
        except InvalidInput as exc:
            st.warning(t("directory.search.invalid", lang, message=md_escape(exc)))
            return
        st.session_state[done_key] = True
        st.success(t("directory.feedback.thanks", lang))
