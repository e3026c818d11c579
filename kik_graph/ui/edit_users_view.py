"""Admin page: local accounts (add, role, password, remove). Only password hashes are stored."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kik_graph.auth import accounts as acc
from kik_graph.auth.passwords import WeakPassword
from kik_graph.i18n import t
from kik_graph.terms import InvalidInput
from kik_graph.ui import edit_common as ec
from kik_graph.ui.office_base import md_inline_escape


def _do(fn, lang: str) -> None:
    try:
        fn()
    except (InvalidInput, WeakPassword) as exc:
        st.error(md_inline_escape(exc))
    else:
        ec.flash(t("edit.users.done", lang))
        st.rerun()


def render() -> None:
    """Render the account management page."""
    lang, account, _ = ec.setup("edit.users.title", "edit.users.caption", "admin")
    try:
        data = acc.load()
    except InvalidInput as exc:  # an unreadable accounts file: say so instead of a traceback
        st.error(md_inline_escape(exc))
        return
    st.dataframe(pd.DataFrame([{t("auth.account", lang): a.id, t("edit.role", lang): t(f"auth.role.{a.role}", lang),
                                t("edit.email", lang): a.email, t("auth.password", lang): "✓" if a.password else "–"}
                               for a in sorted(data.accounts.values(), key=lambda a: a.id)]),
                 hide_index=True, width="stretch")
    role_label = {r: t(f"auth.role.{r}", lang) for r in acc.ROLES}
    with st.form("users_add"):
        st.subheader(t("edit.users.add", lang))
        new_id = st.text_input(t("auth.account", lang), max_chars=50)
        role = st.selectbox(t("edit.role", lang), acc.ROLES, format_func=role_label.get)
        email = st.text_input(t("edit.users.email", lang), max_chars=254)
        password = st.text_input(t("auth.password", lang), type="password", max_chars=1024)
        if st.form_submit_button(t("edit.users.add", lang)):
            _do(lambda: acc.add_user(new_id, role, password, email=email), lang)
    ids = sorted(data.accounts)
    if not ids:
        return
    with st.form("users_change"):
        who = st.selectbox(t("auth.account", lang), ids)
        role = st.selectbox(t("edit.role", lang), acc.ROLES, format_func=role_label.get)
        password = st.text_input(t("auth.password", lang), type="password", max_chars=1024)
        c1, c2, c3 = st.columns(3)
        set_role = c1.form_submit_button(t("edit.users.set_role", lang))
        set_password = c2.form_submit_button(t("edit.users.set_password", lang))
        remove = c3.form_submit_button(t("edit.users.remove", lang), disabled=False)
    if set_role:
        _do(lambda: acc.set_role(who, role), lang)
    if set_password:
        _do(lambda: acc.set_password(who, password), lang)
    if remove:
        if who == account:
            st.error(t("edit.rejected", lang) + " " + who)
        else:
            _do(lambda: acc.remove_user(who), lang)
