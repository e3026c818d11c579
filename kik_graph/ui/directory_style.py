"""CSS of the public directory pages: right-to-left layout for Arabic and Farsi, cards, and the print view."""

from __future__ import annotations

import streamlit as st

from kik_graph.i18n import direction

_BASE = """
.kik-card { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.6rem; padding: 0.9rem 1.1rem 0.6rem;
  margin: 0.2rem 0 0.4rem; background: rgba(250, 250, 252, 0.6); }
.kik-card h3 { font-size: 1.15rem; margin: 0 0 0.2rem; padding: 0; }
.kik-provider { color: #444; margin: 0 0 0.35rem; }
.kik-chip { display: inline-block; border-radius: 1rem; padding: 0.05rem 0.6rem; margin: 0 0.25rem 0.25rem 0;
  background: #e8eef7; color: #1b3a66; font-size: 0.85rem; }
.kik-desc { margin: 0.3rem 0; }
.kik-why { color: #555; font-size: 0.85rem; margin: 0.2rem 0 0; }
.kik-de-only { color: #7a5a00; font-size: 0.8rem; }
.kik-unknown { color: #6b6b6b; font-style: italic; }
.kik-fields { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
.kik-fields th { text-align: start; vertical-align: top; padding: 0.35rem 0.8rem 0.35rem 0; width: 14rem;
  font-weight: 600; border-bottom: 1px solid #e3e3e3; }
.kik-fields td { vertical-align: top; padding: 0.35rem 0; border-bottom: 1px solid #e3e3e3; }
.kik-contact a { margin-inline-end: 1rem; }
.kik-open { color: #17692d; font-weight: 600; }
.kik-closed { color: #8a1c1c; font-weight: 600; }
.kik-quote { border-inline-start: 3px solid #c9d3e0; padding-inline-start: 0.7rem; color: #333; margin: 0.4rem 0; }
.kik-ltr { direction: ltr; text-align: left; }
.kik-print-url { font-size: 0.8rem; color: #444; word-break: break-all; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"],
  .stButton, .stLinkButton, .stForm, iframe, .kik-no-print { display: none !important; }
  [data-testid="stMainBlockContainer"], .block-container { max-width: 100% !important; padding: 0 !important; }
  .kik-card { border: none; background: none; }
  a { color: #000; text-decoration: none; }
}
"""

_RTL = """
[data-testid="stMainBlockContainer"], [data-testid="stAppViewBlockContainer"], .block-container,
[data-testid="stSidebarContent"] { direction: rtl; text-align: right; }
[data-testid="stMarkdownContainer"], [data-testid="stWidgetLabel"], [data-testid="stCaptionContainer"] { direction: rtl; text-align: right; }
.kik-chip { margin: 0 0 0.25rem 0.25rem; }
.kik-ltr { direction: ltr; text-align: left; }
"""

_PRINT_SCREEN = """
[data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebarCollapsedControl"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { max-width: 52rem !important; padding-top: 1rem !important; }
"""


def stylesheet(lang: str, *, print_view: bool = False) -> str:
    """The CSS for ``lang`` (with the right-to-left rules for Arabic and Farsi) and optionally the print view."""
    css = _BASE
    if direction(lang) == "rtl":
        css += _RTL
    if print_view:
        css += _PRINT_SCREEN
    return css


def inject(lang: str, *, print_view: bool = False) -> None:
    """Add the stylesheet to the page (a hidden markdown element; no external resources)."""
    st.markdown(f"<style>{stylesheet(lang, print_view=print_view)}</style>", unsafe_allow_html=True)
