"""Edit page: services (all directory fields, "verified today") and institutions."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from rdflib import URIRef

from kik_graph.editing import directory as ed
from kik_graph.editing.errors import EditRejected
from kik_graph.editing.state import resource_version
from kik_graph.editing.transaction import Transaction, commit
from kik_graph.i18n import t
from kik_graph.imports.kinds import SERVICES, RowContext, service_rows
from kik_graph.ui import edit_common as ec

_LONG = {"beschreibung", "voraussetzungen", "unterlagen", "kostenhinweis", "hinweise", "beschreibung_en"}
_INSTITUTIONS = """
SELECT DISTINCT ?o ?label WHERE { ?o a ?t ; skos:prefLabel ?label . FILTER(LANG(?label) = "de")
  FILTER(?t IN (kik:Organisation, kik:GovernanceBody)) } ORDER BY LCASE(?label)
"""


def _service_tab(store, account: str, lang: str) -> None:
    rows = {r["kennung"]: r for r in service_rows(store)}
    choices = [("", t("edit.dir.new_service", lang))] + sorted(((k, r["name"]) for k, r in rows.items()),
                                                               key=lambda x: x[1].casefold())
    slug = ec.pick(t("edit.dir.service", lang), choices, "dir_service")
    current = rows.get(slug, {})
    scope = f"service:{slug}"
    node = URIRef(ed.service_iri(slug)) if slug else None
    if node is not None:
        verified = current.get("zuletzt_geprueft")
        st.caption(t("edit.dir.last_verified", lang, date=verified) if verified else t("edit.dir.never_verified", lang))
        if st.button(t("edit.dir.verify", lang), key="dir_verify"):
            def verify():
                tx = ed.build_verify(store, node, expected_version=ec.seen(scope, node))
                result = commit(store, tx, account)
                ed.invalidate_search()
                return result, tx.summary
            ec.run_edit(verify, lang)
    st.caption(t("edit.dir.multi_hint", lang))
    with st.form(f"dir_service_form_{slug or 'new'}"):
        cells = {}
        for column in SERVICES.columns:
            if column.name == "kennung" and slug:
                continue
            widget = st.text_area if column.name in _LONG else st.text_input
            cells[column.name] = widget(column.name.replace("_", " "), value=current.get(column.name, ""),
                                        help=column.description, max_chars=4000)
        submitted = st.form_submit_button(t("edit.dir.save", lang), type="primary")
    if submitted:
        if slug:
            cells["kennung"] = slug

        def save():
            ctx = RowContext(store=store, today=dt.date.today(), tx=Transaction(kind="service", summary=""))
            SERVICES.build_row(ctx, None, cells)
            if ctx.problems:
                raise EditRejected("Das Angebot ist unvollständig oder fehlerhaft.", ctx.problems)
            ctx.tx.summary = f"Angebot „{cells.get('name') or slug}“ {'geändert' if slug else 'angelegt'}"
            for change in ctx.tx.changes:
                if node is not None and change.resource == node:
                    change.expected_version = ec.seen(scope, node)
            result = commit(store, ctx.tx, account)
            ed.invalidate_search()
            return result, ctx.tx.summary
        ec.run_edit(save, lang)
    if node is not None:
        ec.remember(scope, {node: resource_version(store, node)})


def _institution_tab(store, account: str, lang: str) -> None:
    found = [(str(r["o"]), str(r["label"])) for r in store.select(_INSTITUTIONS).rows]
    iri = ec.pick(t("edit.dir.institution", lang), [("", t("edit.dir.new_institution", lang)), *found], "dir_inst")
    node = URIRef(iri) if iri else None
    current = ed.institution_fields(store, node) if node is not None else ed.InstitutionInput(name="")
    scope = f"institution:{iri}"
    with st.form(f"dir_inst_form_{iri or 'new'}"):
        name = st.text_input(t("edit.inst.name", lang), value=current.name, max_chars=200)
        name_en = st.text_input(t("edit.inst.name_en", lang), value=current.name_en, max_chars=200)
        alt = st.text_input(t("edit.inst.alt_names", lang), value="; ".join(current.alt_names), max_chars=1000)
        org_type = st.text_input(t("edit.inst.type", lang), value=current.organisation_type, max_chars=500)
        parent = st.text_input(t("edit.inst.parent", lang), value=current.parent, max_chars=500)
        categories = st.text_input(t("edit.inst.categories", lang), value="; ".join(current.categories), max_chars=2000)
        note = st.text_area(t("edit.inst.note", lang), value=current.note, max_chars=2000)
        locator = st.text_input(t("edit.inst.locator", lang), value=current.source_locator, max_chars=300)
        submitted = st.form_submit_button(t("edit.dir.save", lang), type="primary")
    if submitted:
        def save():
            data = ed.InstitutionInput(
                name=name, name_en=name_en, alt_names=[a.strip() for a in alt.split(";") if a.strip()],
                organisation_type=org_type, parent=parent,
                categories=[c.strip() for c in categories.split(";") if c.strip()], note=note, source_locator=locator)
            tx = ed.build_institution(store, data, institution=node,
                                      expected_version=ec.seen(scope, node) if node is not None else None)
            return commit(store, tx, account), tx.summary
        ec.run_edit(save, lang)
    if node is not None:
        ec.remember(scope, {node: resource_version(store, node)})


def render() -> None:
    """Render the directory editor."""
    lang, account, store = ec.setup("edit.dir.title", "edit.dir.caption", "editor")
    services, institutions = st.tabs([t("edit.dir.services", lang), t("edit.dir.institutions", lang)])
    with services:
        _service_tab(store, account, lang)
    with institutions:
        _institution_tab(store, account, lang)
