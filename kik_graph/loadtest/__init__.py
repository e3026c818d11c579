"""Load test of the running Streamlit app over Streamlit's own websocket protocol.

``python -m kik_graph.loadtest --url http://127.0.0.1:8501 --users 50 --duration 60`` opens one Streamlit
session per virtual user on ``/_stcore/stream`` and loops page views (directory searches and office pages,
discovered from :func:`kik_graph.ui.navigation.discover_pages`). One action is one script run: the time from
sending the ``rerun_script`` BackMsg until the ``script_finished`` ForwardMsg arrives. Exception elements,
compile errors, unknown pages, timeouts and dropped connections count as errors. Only loopback hosts are
allowed.
"""

from kik_graph.loadtest.actions import Action, build_actions, parse_mix
from kik_graph.loadtest.protocol import RunObserver, rerun_message
from kik_graph.loadtest.runner import LoadTestConfig, LoadTestResult, NotLoopback, check_loopback, run_load_test

__all__ = ["Action", "LoadTestConfig", "LoadTestResult", "NotLoopback", "RunObserver", "build_actions",
           "check_loopback", "parse_mix", "rerun_message", "run_load_test"]
