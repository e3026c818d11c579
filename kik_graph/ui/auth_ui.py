"""Login in the app and the page filter: who sees which pages.

- OIDC through ``st.login`` when ``.streamlit/secrets.toml`` has an ``[auth]`` section (the city's identity
  provider); the role comes from the account in the accounts file with the same e-mail (else ``[oidc]
  default_role``, else no access).
- Otherwise local accounts from the accounts file (``$KIK_GRAPH_USERS`` or ``var/users.toml``, salted scrypt
  hashes), with failed logins rate-limited per account and per client address (counters in
  ``login-failures.json`` next to the accounts file, shared by all app processes and kept across restarts).
- Sessions expire after 8 hours, or 30 minutes without activity.
- Visitors who are not logged in see the public pages (directory) and the login page; viewers also the office
  pages and reports; editors also the edit pages (keys ``bearbeiten-…``); admins also the admin pages
  (keys ``verwaltung-…``). Pages check the role again when they render.

:func:`filter_pages` is called by ``kik_graph.ui.navigation.run`` on every run.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import streamlit as st

from kik_graph.auth import accounts as acc
from kik_graph.auth.ratelimit import RateLimiter, counters_path
from kik_graph.auth.sessions import LoginError, Session, oidc_session, password_login
from kik_graph.i18n import t
from kik_graph.ui import navigation
from kik_graph.ui.common import current_language
from kik_graph.ui.navigation import PageSpec
from kik_graph.ui.office_base import md_inline_escape

SESSION_KEY = "_kik_auth_session"
NOTICE_KEY = "_kik_auth_notice"
OIDC_STARTED_KEY = "_kik_oidc_started"
#: Clock used for session expiry (tests replace it).
CLOCK = time.time
#: Page-key prefixes and the role they need (all other non-public pages need "viewer").
ROLE_PREFIXES = (("verwaltung-", "admin"), ("bearbeiten-", "editor"))


@st.cache_resource(show_spinner=False)
def rate_limiter(path: str = "") -> RateLimiter:
    """The limiter of failed logins; its counters are kept in ``path`` (shared by all processes, kept across
    restarts). Call it as ``rate_limiter(str(counters_path()))``."""
    return RateLimiter(clock=lambda: CLOCK(), path=Path(path) if path else None)


def oidc_provider() -> str | None | bool:
    """False when OIDC is not configured; otherwise the provider name for ``st.login`` (None = default)."""
    try:
        section = st.secrets.get("auth") if "auth" in st.secrets else None
    except Exception:  # no secrets file, or an unreadable one
        return False
    if not section:
        return False
    if "client_id" in section:
        return None
    names = [k for k, v in section.items() if hasattr(v, "keys") and "client_id" in v]
    return names[0] if names else False


def oidc_configured() -> bool:
    """True when the city's identity provider is configured in the secrets."""
    return oidc_provider() is not False


def _user_attr(name: str) -> str:
    try:
        value = st.user.get(name) if hasattr(st.user, "get") else getattr(st.user, name, None)
    except Exception:
        return ""
    return "" if value is None else str(value)


def _oidc_session() -> Session | None:
    try:
        logged_in = bool(st.user.is_logged_in)
    except Exception:
        return None
    if not logged_in:
        return None
    now = CLOCK()
    issued = _user_attr("iat")
    started = st.session_state.setdefault(OIDC_STARTED_KEY, float(issued) if issued.isdigit() else now)
    session = oidc_session(acc.load(), _user_attr("email"), _user_attr("sub"), clock=lambda: now)
    if session is None:
        return None
    session.started = started
    if session.expired(now, idle=float("inf")):
        st.session_state.pop(OIDC_STARTED_KEY, None)
        st.session_state[NOTICE_KEY] = "auth.expired"
        st.logout()
        return None
    return session


def current_session() -> Session | None:
    """The logged-in user of this browser session (None when not logged in or expired)."""
    if oidc_configured():
        return _oidc_session()
    session: Session | None = st.session_state.get(SESSION_KEY)
    if session is None:
        return None
    now = CLOCK()
    if session.expired(now):
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[NOTICE_KEY] = "auth.expired"
        return None
    session.touch(now)
    return session


def current_role() -> str | None:
    """The role of the logged-in user (None for visitors)."""
    session = current_session()
    return session.role if session else None


def account_id() -> str:
    """The account id of the logged-in user (for the change history)."""
    session = current_session()
    if session is None:
        raise PermissionError("nicht angemeldet")
    return session.account


def required_role(spec: PageSpec) -> str | None:
    """The role a page needs (None for public pages)."""
    if spec.public:
        return None
    for prefix, role in ROLE_PREFIXES:
        if spec.key.startswith(prefix):
            return role
    return "viewer"


def require_role(role: str) -> Session:
    """Stop the page unless the user has at least ``role`` (defence in depth behind the page filter)."""
    session = current_session()
    if session is None or not acc.has_role(session.role, role):
        st.error(t("auth.forbidden", current_language(), role=t(f"auth.role.{role}", current_language())))
        st.stop()
    return session


# --------------------------------------------------------------------------- login page

def _client_address() -> str:
    try:
        return str(st.context.ip_address or "")
    except Exception:
        return ""


def login_page() -> None:
    """Login form (local accounts) or the OIDC button; when logged in: account, role and logout."""
    lang = current_language()
    st.title(t("auth.login.title", lang))
    session = current_session()
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(t(notice, lang))
    if session is not None:
        st.success(t("auth.logged_in_as", lang, account=session.account, role=t(f"auth.role.{session.role}", lang)))
        if st.button(t("auth.logout", lang), key="auth_logout"):
            st.session_state.pop(SESSION_KEY, None)
            st.session_state.pop(OIDC_STARTED_KEY, None)
            if session.method == "oidc":
                # st.logout() sends the browser to /auth/logout (and on to the provider's end_session page);
                # an st.rerun() right after it can swallow that redirect.
                st.logout()
                return
            st.rerun()
        return
    provider = oidc_provider()
    if provider is not False:
        st.write(t("auth.oidc.intro", lang))
        if st.button(t("auth.oidc.button", lang), key="auth_oidc", type="primary"):
            if provider is None:
                st.login()
            else:
                st.login(provider)
        try:
            logged_in_without_role = bool(st.user.is_logged_in)
        except Exception:
            logged_in_without_role = False
        if logged_in_without_role:
            st.warning(t("auth.oidc.no_role", lang))
            if st.button(t("auth.logout", lang), key="auth_oidc_logout"):
                st.logout()
        return
    st.caption(t("auth.local.intro", lang))
    with st.form("auth_login"):
        user = st.text_input(t("auth.account", lang), max_chars=100)
        password = st.text_input(t("auth.password", lang), type="password", max_chars=1024)
        submitted = st.form_submit_button(t("auth.login.button", lang), type="primary")
    if submitted:
        try:
            limiter = rate_limiter(str(counters_path()))
            session = password_login(acc.load(), user, password, limiter, client=_client_address(),
                                     clock=lambda: CLOCK())
        except LoginError as exc:
            st.error(md_inline_escape(exc))
        except Exception as exc:  # e.g. an unreadable accounts file
            st.error(t("common.error", lang, message=md_inline_escape(exc)))
        else:
            st.session_state[SESSION_KEY] = session
            st.rerun()


LOGIN_PAGE = PageSpec(key="anmelden", title_key="auth.login.title", render=login_page, section_key="auth.section",
                      icon="🔑", public=True, order=1000)


def filter_pages(pages: list[PageSpec]) -> list[PageSpec]:
    """The pages the current visitor may see, plus the login page; exactly one marked ``default``: the page the
    visitor lands on (office staff: the first office page; visitors: the directory)."""
    role = current_role()
    visible = []
    for spec in pages:
        needed = required_role(spec)
        if needed is None or (role is not None and acc.has_role(role, needed)):
            visible.append(spec)
    if not navigation.directory_mode():  # the public-only directory deployment has nothing to log in to
        visible.append(LOGIN_PAGE)
    defaults = [p for p in visible if p.default]
    if visible and len(defaults) != 1:
        first = next((p for p in visible if not p.public), visible[0]) if role else visible[0]
        visible = [dataclasses.replace(p, default=p is first) for p in visible]
    return visible
