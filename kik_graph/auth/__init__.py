"""Login and roles: OIDC through Streamlit (``st.login``) when configured, otherwise local accounts.

Roles: ``viewer`` (office pages and reports), ``editor`` (also edit pages), ``admin`` (also user management
and write-back). The Streamlit side is :mod:`kik_graph.ui.auth_ui`; this package has no Streamlit dependency.
"""

from kik_graph.auth.accounts import ROLES, Account, AccountFile, has_role, load, users_path
from kik_graph.auth.ratelimit import RateLimiter, counters_path
from kik_graph.auth.sessions import LoginError, Session, oidc_session, password_login

__all__ = ["ROLES", "Account", "AccountFile", "LoginError", "RateLimiter", "Session", "counters_path", "has_role", "load",
           "oidc_session", "password_login", "users_path"]
