"""HTML documentation of the vocabulary (ontology/kik.ttl) with pyLODE, one page per language, offline."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from kik_graph.config import PATHS

_REMOTE = re.compile(r'<(?:link|script|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"|@import|url\(\s*["\']?(?:https?:)?//')


def _ontpub():
    try:
        from pylode import OntPub
    except FileNotFoundError:  # pyLODE 3.4.1 reads its version from a pyproject.toml it does not ship (#260)
        for name in [m for m in sys.modules if m == "pylode" or m.startswith("pylode.")]:
            del sys.modules[name]
        fake = types.ModuleType("pylode.version")
        fake.__version__ = "3.4.1"
        sys.modules["pylode.version"] = fake
        from pylode import OntPub
    return OntPub


def render(source: Path, lang: str = "de") -> str:
    """Render the vocabulary in one language; raise if the HTML would load anything from the network."""
    graph = Graph().parse(source)
    graph.remove((None, RDF.type, SKOS.ConceptScheme))  # pyLODE would take a scheme for the ontology header
    for s, p, o in list(graph):  # pyLODE concatenates all languages of a label: keep one
        if isinstance(o, Literal) and o.language and o.language != lang:
            graph.remove((s, p, o))
    html = _ontpub()(graph).make_html()
    remote = _REMOTE.findall(html)
    if remote:
        raise RuntimeError(f"Die erzeugte Doku lädt Ressourcen aus dem Netz: {remote[:3]}")
    return html


def main(argv: list[str]) -> int:
    """``python -m kik_graph.vocabdoc OUT.html``: write OUT.html (German) and OUT.en.html (English)."""
    out = Path(argv[0] if argv else "docs/vocabulary/index.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(PATHS.ontology, "de"), encoding="utf-8")
    out.with_suffix(".en.html").write_text(render(PATHS.ontology, "en"), encoding="utf-8")
    print(f"Vokabular-Doku: {out} und {out.with_suffix('.en.html')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
