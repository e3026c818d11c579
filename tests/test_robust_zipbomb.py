"""XLSX zip bombs (issue 7): a file under the 5 MB upload limit whose parts unpack to about a gigabyte.

What the office relies on: such a file is refused with a clear German message naming the file ("entpackt zu
groß"), before openpyxl unpacks anything (openpyxl keeps the shared strings in memory); nothing is written and the
process stays small. The bombs are built here without ever holding the unpacked content: a raw deflate stream of
one block, flushed with Z_FULL_FLUSH, is the same bytes every time, so the stream of a gigabyte is that block's
bytes repeated.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from kik_graph.editing.errors import EditRejected
from kik_graph.imports.tables import MAX_BYTES, MAX_UNPACKED, check_zip, read_table, write_table
from kik_graph.store import OxigraphStore, build_store
from tests.test_robust_faults import _env

#: The unpacked size of the bomb part (about 1 GB) and the memory the refusing process may use at most.
BOMB_SIZE = 1 << 30
MAX_RSS = 400 * 2**20
_BLOCK = b"<si><t>" + b"A" * 1000 + b"</t></si>"


def _deflate_repeated(head: bytes, block: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of ``head + block * count + tail`` – without building that text."""
    def flushed(data: bytes) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)

    body = flushed(block)
    end = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = flushed(head) + body * count + end.compress(tail) + end.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return stream, zlib.crc32(tail, crc), len(head) + len(block) * count + len(tail)


def _write_zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP file of (name, raw deflate data, CRC-32, unpacked size) entries (no ZIP64: sizes < 4 GB)."""
    out, central = io.BytesIO(), []
    for name, data, crc, size in parts:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0))
        out.write(encoded + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                   len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def zip_bomb_xlsx(part: str, size: int = BOMB_SIZE) -> bytes:
    """A real statuses XLSX (from the template writer) whose ``part`` unpacks to about ``size`` bytes of valid XML."""
    template = write_table(["massnahme", "status", "datum"], [{"massnahme": "SB-1.1", "status": "geplant",
                                                               "datum": "2024-01-01"}], "xlsx")
    parts = []
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    if part not in files:  # openpyxl writes inline strings: declare a shared-strings part as Excel does
        files[part] = b""
        files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                         b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                                 b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                 b"</Relationships>")
    for name, data in files.items():
        if name != part:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            parts.append((name, c.compress(data) + c.flush(), zlib.crc32(data), len(data)))
        elif part.endswith("sharedStrings.xml"):  # ~1 million strings of 1000 characters
            head = (b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main">')
            block = _BLOCK * 1000
            parts.append((name, *_deflate_repeated(head, block, size // len(block), b"</sst>")))
        else:  # a sheet of ~1 GB: one row after the other, each with an inline string
            head = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats'
                    b'.org/spreadsheetml/2006/main"><sheetData>')
            block = (b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>") * 1000
            parts.append((name, *_deflate_repeated(head, block, size // len(block), b"</sheetData></worksheet>")))
    return _write_zip(parts)


BOMB_PARTS = ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"]


@pytest.fixture(scope="module", params=BOMB_PARTS, ids=["sharedStrings", "sheet1"])
def bomb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bomb as a file ``bombe.xlsx``."""
    path = tmp_path_factory.mktemp("zipbomb") / "bombe.xlsx"
    path.write_bytes(zip_bomb_xlsx(request.param))
    return path


def test_the_bomb_is_a_real_zip_bomb_under_the_upload_limit(bomb: Path) -> None:
    data = bomb.read_bytes()
    assert len(data) < MAX_BYTES
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        big = max(archive.infolist(), key=lambda e: e.file_size)
        assert big.file_size >= BOMB_SIZE * 0.99
        with archive.open(big) as stream:  # the content unpacks as declared (first 10 MB read, not kept)
            read = sum(len(stream.read(1 << 20)) for _ in range(10))
        assert read == 10 << 20


def test_the_zip_check_refuses_the_bomb_by_name(bomb: Path) -> None:
    """The check that runs before openpyxl (in-process only the check: without it, openpyxl would unpack here)."""
    with pytest.raises(EditRejected) as caught:
        check_zip(bomb.read_bytes(), "bombe.xlsx")
    message = str(caught.value)
    assert message.startswith("bombe.xlsx: entpackt zu groß"), message
    assert f"erlaubt sind {MAX_UNPACKED // 2**20} MB" in message and "nichts geändert" in message


@pytest.mark.parametrize("part", BOMB_PARTS)
def test_a_small_bomb_is_refused_by_its_compression_ratio(part: str) -> None:
    """40 MB unpacked is under the total limit, but 40 MB from ~50 KB is no spreadsheet anyone typed."""
    with pytest.raises(EditRejected, match=r"^bombe\.xlsx: entpackt zu groß – .*-fach größer als gepackt"):
        check_zip(zip_bomb_xlsx(part, 40 * 2**20), "bombe.xlsx")


def test_ordinary_xlsx_files_pass_the_zip_check() -> None:
    rows = [{"massnahme": f"SB-{i % 7 + 1}.1", "status": "geplant", "datum": "2024-01-01", "notiz": "Stand " * 20}
            for i in range(5000)]
    data = write_table(["massnahme", "status", "datum", "notiz"], rows, "xlsx")
    check_zip(data, "gross.xlsx")
    assert len(read_table(data, "gross.xlsx").rows) == 5000


_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
sys.argv = ["kik-graph", "--store", sys.argv[2], "import", "statuses", sys.argv[3]]
from kik_graph.cli import main
code = main(sys.argv[1:])
# peak memory of this program (VmHWM: ru_maxrss would include the forked test process before exec)
print("maxrss_kb", next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")))
sys.exit(code)
"""


def _state(path: Path) -> tuple[frozenset, dict[str, int]]:
    store = OxigraphStore(path)
    try:
        return frozenset(store.graph("https://w3id.org/kik-graph/graph/kik")), {
            g: store.triple_count(g) for g in store.named_graphs()}
    finally:
        store.close()


def test_cli_import_refuses_the_bomb_with_bounded_memory(bomb: Path, tmp_path: Path) -> None:
    """``kik-graph import`` in a child process whose address space is limited to 2 GB: exit 1 with the message,
    the store unchanged, and the child never grew beyond a few hundred MB."""
    store = tmp_path / "store"
    build_store(store).close()
    before = _state(store)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(2 << 30), str(store), str(bomb)], capture_output=True,
                          text=True, env=_env() | {"KIK_GRAPH_USER": "robust"}, timeout=300)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    assert "bombe.xlsx: entpackt zu groß" in done.stderr, done.stderr[-2000:]
    rss = int(done.stdout.split("maxrss_kb")[-1].split()[0]) * 1024
    assert 10 * 2**20 < rss < MAX_RSS, f"{rss // 2**20} MB"
    assert _state(store) == before
