"""Streamlit entry point: only navigation. Pages and UI helpers live in kik_graph.ui."""

from kik_graph.ui.navigation import run

run()
