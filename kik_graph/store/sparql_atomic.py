"""All-or-nothing SPARQL update requests with several operations, for endpoints that commit operation by operation.

SPARQL 1.1 lets one request hold several operations (``INSERT DATA {…} ; DELETE WHERE {…}``) but does not say that
they form one transaction. Virtuoso executes and commits them one by one: when the second operation fails, the
first stays applied (``tests/test_remote_atomic_edit.py`` shows it). One *operation* is atomic on Virtuoso, Fuseki,
GraphDB and Oxigraph. :func:`run_atomically` therefore runs a multi-operation request like this:

1. **copy** – ONE operation copies every graph the request writes to (named in ``GRAPH``/``WITH``/``USING``/
   ``DROP``/``CLEAR``/``CREATE`` positions) into two private graphs: a *work* copy and a *snapshot*;
2. **apply** – the request, with those graph IRIs rewritten to the work copies, runs on the copies; a failure here
   leaves the real graphs untouched (the copies are dropped);
3. **swap** – ONE ``DELETE … INSERT … WHERE`` operation moves the difference between each work copy and its real
   graph into the real graph – but only if no real graph changed since the snapshot (a guard in the same
   operation); it also sets a marker that says the swap happened;
4. **verify** – the marker is read back; when another writer changed a graph in between, nothing was swapped and
   the whole request is retried on fresh copies (at most :data:`ATTEMPTS` times, then a :class:`StoreError`);
5. the private graphs are dropped.

Readers never see the private graphs (queries name the dataset graphs explicitly); the store marks the whole request
as a switch (:mod:`kik_graph.store.sparql_fence`), so readers on Virtuoso also never see half of the swap. Requests whose graphs cannot be
determined (``GRAPH ?g``, ``DROP ALL``, ``LOAD``/``COPY``/``MOVE``/``ADD``, prefixed names with escapes) are sent
unchanged; :func:`analyse` says why. kik-graph's own updates always name their graphs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from kik_graph.store.base import StoreError

#: How often a request is retried when another writer changed one of its graphs meanwhile.
ATTEMPTS = 3
#: IRI prefix of the private copies (outside every dataset graph).
PRIVATE_PREFIX = "urn:kik-graph:atomic:"

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w%\\:-](?:[\w.%\\:-]*[\w%\\:-])?)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

_UNSUPPORTED_WORDS = {"LOAD", "COPY", "MOVE", "ADD"}
_AFTER_TARGET = {"DEFAULT", "NAMED", "ALL"}


@dataclass
class Token:
    """One lexical token of a SPARQL update (``kind`` as in :data:`_TOKEN`)."""

    kind: str
    text: str


@dataclass
class UpdatePlan:
    """What :func:`analyse` found in an update request."""

    operations: int
    graphs: list[str] = field(default_factory=list)
    #: why the request cannot be run on copies ("" when it can)
    unsupported: str = ""

    @property
    def needs_copies(self) -> bool:
        """True when the request has several operations and can be run on copies."""
        return self.operations > 1 and not self.unsupported and bool(self.graphs)


def tokenise(text: str) -> list[Token]:
    """Split ``text`` into tokens; strings, IRIs and comments stay whole (nothing inside them is interpreted)."""
    return [Token(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)]


def _significant(tokens: list[Token]) -> list[int]:
    return [i for i, t in enumerate(tokens) if t.kind not in ("ws", "comment")]


def _prefixes(tokens: list[Token], sig: list[int]) -> dict[str, str]:
    found: dict[str, str] = {}
    for n, i in enumerate(sig[:-2]):
        if tokens[i].kind == "word" and tokens[i].text.upper() == "PREFIX":
            name, iri = tokens[sig[n + 1]], tokens[sig[n + 2]]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                found[name.text[:-1]] = iri.text[1:-1]
    return found


def _graph_positions(tokens: list[Token]) -> tuple[list[int], str]:
    """Indexes of the tokens that name a graph to write to or read from, or the reason why they are unknown."""
    sig = _significant(tokens)
    positions: list[int] = []
    for n, i in enumerate(sig):
        token = tokens[i]
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in _UNSUPPORTED_WORDS:
            return [], f"Operation {word} wird nicht auf Kopien ausgeführt"
        nxt = [tokens[j] for j in sig[n + 1:n + 3]]
        if word in ("DROP", "CLEAR", "CREATE"):
            rest = [t for t in nxt if t.text.upper() != "SILENT"]
            if rest and rest[0].text.upper() in _AFTER_TARGET:
                return [], f"{word} {rest[0].text.upper()} betrifft unbestimmte Graphen"
        if word in ("GRAPH", "WITH") or (word == "USING"):
            target = n + 1
            if word == "USING" and target < len(sig) and tokens[sig[target]].text.upper() == "NAMED":
                target += 1
            if target >= len(sig):
                return [], f"{word} ohne Graph"
            j = sig[target]
            if tokens[j].kind == "var":
                return [], f"{word} {tokens[j].text}: Graph erst zur Laufzeit bekannt"
            if tokens[j].kind not in ("iri", "pname") or "\\" in tokens[j].text:
                return [], f"{word}: Graph-Angabe {tokens[j].text[:40]!r} nicht auswertbar"
            positions.append(j)
    return positions, ""


def _resolve(token: Token, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    prefix, _, local = token.text.partition(":")
    namespace = prefixes.get(prefix)
    return None if namespace is None else namespace + local


def analyse(text: str) -> UpdatePlan:
    """The number of operations of the update request ``text`` and the graphs it names."""
    tokens = tokenise(text)
    depth, operations, current = 0, 0, False
    for token in tokens:
        if token.kind in ("ws", "comment"):
            continue
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        if token.kind == "other" and token.text == ";" and depth == 0:
            operations += int(current)
            current = False
        elif not (token.kind == "word" and token.text.upper() in ("PREFIX", "BASE")) and depth == 0 \
                and token.kind == "word":
            current = True
    operations += int(current)
    positions, reason = _graph_positions(tokens)
    if reason:
        return UpdatePlan(operations, [], reason)
    prefixes = _prefixes(tokens, _significant(tokens))
    graphs: list[str] = []
    for i in positions:
        iri = _resolve(tokens[i], prefixes)
        if iri is None:
            return UpdatePlan(operations, [], f"Präfix von {tokens[i].text!r} ist nicht deklariert")
        if iri not in graphs:
            graphs.append(iri)
    return UpdatePlan(operations, graphs)


def rewrite(text: str, mapping: dict[str, str]) -> str:
    """``text`` with every graph IRI in a graph position replaced according to ``mapping`` (data untouched)."""
    tokens = tokenise(text)
    positions, reason = _graph_positions(tokens)
    if reason:
        raise StoreError(f"Update kann nicht auf Kopien ausgeführt werden: {reason}.")
    prefixes = _prefixes(tokens, _significant(tokens))
    for i in positions:
        iri = _resolve(tokens[i], prefixes)
        if iri in mapping:
            tokens[i] = Token("iri", f"<{mapping[iri]}>")
    return "".join(t.text for t in tokens)


@dataclass
class _Copies:
    graphs: list[str]
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    def work(self, n: int) -> str:
        return f"{PRIVATE_PREFIX}{self.token}:work:{n}"

    def snapshot(self, n: int) -> str:
        return f"{PRIVATE_PREFIX}{self.token}:snapshot:{n}"

    @property
    def marker(self) -> str:
        return f"{PRIVATE_PREFIX}{self.token}:done"

    def copy_operation(self) -> str:
        # Each template gets variables of its own (bound by BIND): Virtuoso 7 reports a spurious error for an
        # INSERT whose templates in different graphs share variables (although it inserted everything).
        templates, branches = [], []
        for n, graph in enumerate(self.graphs):
            t, c = f"?s{n} ?p{n} ?o{n}", f"?cs{n} ?cp{n} ?co{n}"
            templates.append(f"GRAPH <{self.work(n)}> {{ {t} }} GRAPH <{self.snapshot(n)}> {{ {c} }}")
            branches.append(f"{{ GRAPH <{graph}> {{ {t} }} BIND (?s{n} AS ?cs{n}) BIND (?p{n} AS ?cp{n}) "
                            f"BIND (?o{n} AS ?co{n}) }}")
        return f"INSERT {{ {' '.join(templates)} }} WHERE {{ {' UNION '.join(branches)} }}"

    def swap_operation(self) -> str:
        deletes, inserts, branches, changed = [], [], ["{ BIND (1 AS ?once) }"], []
        for n, graph in enumerate(self.graphs):
            work, snap = self.work(n), self.snapshot(n)
            old, new = f"?ds{n} ?dp{n} ?do{n}", f"?is{n} ?ip{n} ?io{n}"
            deletes.append(f"GRAPH <{graph}> {{ {old} }}")
            inserts.append(f"GRAPH <{graph}> {{ {new} }}")
            branches.append(f"{{ GRAPH <{graph}> {{ {old} }} FILTER NOT EXISTS {{ GRAPH <{work}> {{ {old} }} }} }}")
            branches.append(f"{{ GRAPH <{work}> {{ {new} }} FILTER NOT EXISTS {{ GRAPH <{graph}> {{ {new} }} }} }}")
            guard = f"?gs{n} ?gp{n} ?go{n}"
            changed.append(f"{{ GRAPH <{graph}> {{ {guard} }} FILTER NOT EXISTS {{ GRAPH <{snap}> {{ {guard} }} }} }}")
            changed.append(f"{{ GRAPH <{snap}> {{ {guard} }} FILTER NOT EXISTS {{ GRAPH <{graph}> {{ {guard} }} }} }}")
        inserts.append(f"GRAPH <{self.marker}> {{ <{self.marker}> <{self.marker}#swapped> ?once }}")
        # the guard is computed once (uncorrelated sub-select); no solution at all when a graph changed meanwhile
        return (f"DELETE {{ {' '.join(deletes)} }} INSERT {{ {' '.join(inserts)} }} WHERE {{ "
                f"{{ SELECT (COUNT(*) AS ?changed) WHERE {{ {' UNION '.join(changed)} }} }} FILTER (?changed = 0) "
                f"{{ {' UNION '.join(branches)} }} }}")

    def swapped_query(self) -> str:
        return f"ASK {{ GRAPH <{self.marker}> {{ <{self.marker}> <{self.marker}#swapped> ?x }} }}"

    def drop_all(self) -> str:
        names = [self.work(n) for n in range(len(self.graphs))] + \
                [self.snapshot(n) for n in range(len(self.graphs))] + [self.marker]
        return " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in names)


def run_atomically(text: str, plan: UpdatePlan, *, send: Callable[[str], None],
                   ask: Callable[[str], bool]) -> None:
    """Run the multi-operation update ``text`` all-or-nothing (see the module docstring).

    ``send`` sends one update request, ``ask`` runs an ASK query over the whole store (not only the dataset
    graphs). Raises :class:`StoreError` when the request fails (nothing is changed then) or when other writers
    kept changing its graphs.
    """
    for _attempt in range(ATTEMPTS):
        copies = _Copies(plan.graphs)
        try:
            send(copies.copy_operation())
            send(rewrite(text, {g: copies.work(n) for n, g in enumerate(plan.graphs)}))
            try:
                send(copies.swap_operation())
            except StoreError:
                if ask(copies.swapped_query()):  # an error reported after the swap was done (see copy_operation)
                    return
                raise
            if ask(copies.swapped_query()):
                return
        finally:
            try:
                send(copies.drop_all())
            except StoreError:  # leftovers lie outside the dataset and carry PRIVATE_PREFIX
                pass
    raise StoreError(f"Die Änderung wurde nicht gespeichert: die Graphen {', '.join(plan.graphs)} wurden während "
                     f"{ATTEMPTS} Versuchen jeweils gleichzeitig von anderer Seite geändert. Bitte erneut versuchen.")
