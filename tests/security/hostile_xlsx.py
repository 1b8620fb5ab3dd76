"""Hostile .xlsx files for the Excel import, written part by part with zipfile (milliseconds each).

Used by tests/security/test_import_limits.py and bench/bench_import.py. `workbook(...)`
writes a minimal spreadsheet openpyxl reads — content types, relationships, the workbook,
the sheet 部局別更新 (its header row as inline strings, then the given rows), optionally a
shared-string table and a style sheet — and any extra member; a member may be given as
`Repeated(head, piece, count, tail)`, so a 45 MB style sheet never sits in memory.
"""
import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from recordimport.imports import HEADERS, SHEET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def inline(text: str) -> str:
    return f'<is><t xml:space="preserve">{escape(text)}</t></is>'


def cell(column: str, row: int, value) -> str:
    """A cell: an int or float a number, ("s", index) a shared string, ("is", xml) that inline string, a str an inline string."""
    reference = f"{column}{row}"
    if isinstance(value, tuple) and value[0] == "s":
        return f'<c r="{reference}" t="s"><v>{value[1]}</v></c>'
    if isinstance(value, tuple) and value[0] == "is":
        return f'<c r="{reference}" t="inlineStr">{value[1]}</c>'
    if isinstance(value, (int, float)):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr">{inline(value)}</c>'


def header_row(headers=HEADERS) -> str:
    return '<row r="1">' + "".join(cell(get_column_letter(i), 1, h) for i, h in enumerate(headers, start=1)) + "</row>"


def row(number: int, values) -> str:
    return f'<row r="{number}">' + "".join(cell(get_column_letter(i), number, v) for i, v in enumerate(values, start=1)) + "</row>"


def shared_strings(strings) -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{items}</sst>'


def styles(xfs: int = 1, *, number_formats=()) -> str:
    """A style sheet of `xfs` plain cell formats, then one per built-in number format id given (styles 1, 2, …)."""
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    formats = "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                      for i in number_formats)
    xfs_xml = xf * xfs + formats
    return (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            f'<cellStyleXfs count="1">{xf}</cellStyleXfs>'
            f'<cellXfs count="{xfs + len(number_formats)}">{xfs_xml}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>')


def sheet_xml(rows: str, *, before_data: str = "", after_data: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{RELS}">'
            f"{before_data}<sheetData>{rows}</sheetData>{after_data}</worksheet>")


def workbook(sheet, *, strings=None, style_sheet=None, members=None, sheet_names=(SHEET,)) -> bytes:
    """The .xlsx bytes; `sheet`, `strings`, `style_sheet` and `members` values are XML text or `Repeated`."""
    overrides = [("/xl/workbook.xml", f"{CT}.sheet.main+xml"), ("/xl/worksheets/sheet1.xml", f"{CT}.worksheet+xml")]
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", f"{CT}.sharedStrings+xml"))
    if style_sheet is not None:
        overrides.append(("/xl/styles.xml", f"{CT}.styles+xml"))
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )
    root_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
                 f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    sheets = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId1"/>' for i, name in enumerate(sheet_names, start=1))
    book = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            f"<sheets>{sheets}</sheets></workbook>")
    book_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
                 f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                 + (f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>' if strings is not None else "")
                 + (f'<Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/>' if style_sheet is not None else "")
                 + "</Relationships>")
    parts = {"[Content_Types].xml": content_types, "_rels/.rels": root_rels, "xl/workbook.xml": book,
             "xl/_rels/workbook.xml.rels": book_rels, "xl/worksheets/sheet1.xml": sheet}
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    if style_sheet is not None:
        parts["xl/styles.xml"] = style_sheet
    parts.update(members or {})
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            write(archive, name, content)
    return output.getvalue()


@dataclass
class Repeated:
    """head + piece × count + tail, written in blocks: a member of tens of MB that never sits in memory."""

    head: str
    piece: str
    count: int
    tail: str = ""


def write(archive: zipfile.ZipFile, name: str, content) -> None:
    if not isinstance(content, Repeated):
        archive.writestr(name, content.encode() if isinstance(content, str) else content)
        return
    per_block = max(1, 65536 // len(content.piece))
    block = (content.piece * per_block).encode()
    full, rest = divmod(content.count, per_block)
    with archive.open(name, "w", force_zip64=True) as stream:
        stream.write(content.head.encode())
        for _ in range(full):
            stream.write(block)
        stream.write((content.piece * rest).encode())
        stream.write(content.tail.encode())
