"""`make docs`: the vocabulary documentation as HTML (German and English), generated from ontology/kik.ttl."""

from __future__ import annotations

import re
import subprocess
import sys

from kik_graph.config import PATHS


def test_make_docs_command_writes_german_and_english_html(tmp_path):
    makefile = (PATHS.root / "Makefile").read_text(encoding="utf-8")
    command = re.search(r"^docs:.*\n\t\$\(PY\) (-m kik_graph\.vocabdoc) (\S+)", makefile, re.M)
    assert command, "make docs runs python -m kik_graph.vocabdoc OUT.html"
    out = tmp_path / "vokabular" / "index.html"
    done = subprocess.run([sys.executable, "-m", "kik_graph.vocabdoc", str(out)], capture_output=True, text=True,
                          timeout=300, cwd=PATHS.root)
    assert done.returncode == 0, done.stderr
    german, english = out.read_text(encoding="utf-8"), out.with_suffix(".en.html").read_text(encoding="utf-8")
    assert "Maßnahme" in german and "Handlungsfeld" in german
    assert "measure" in english.lower() and "field of action" in english.lower()
    for html in (german, english):
        assert not re.search(r"<(?:script|link|img)[^>]+(?:src|href)=[\"']https?://", html), "no remote resources"
