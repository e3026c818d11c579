"""Streamlit user interface: navigation, shared helpers and one module per page in kik_graph.ui.pages."""
