"""A small writer of .xlsx files (SpreadsheetML), for the annual workbook's thousands of rows.

openpyxl builds an object per cell and per style assignment, then an XML element per cell:
a workbook of 5,400 initiatives (about 170,000 cells) took seconds. This writer produces the
same file directly: one string per cell from a style index fixed in advance, inline strings,
numbers as numbers. It writes what the annual workbook uses and nothing else: named cell
formats (font, fill, alignment, thin borders, number format), column widths, a frozen header
row, an autofilter, print titles, A4 landscape fitted to the page width, page headers and
footers, and the document's title and creator. Files are read back with openpyxl in the tests.

Every string goes through programs.spreadsheets.cell_value (no character XML cannot carry)
and is written as an inline string, so a text that starts with "=" is never a formula.
"""
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from programs.spreadsheets import cell_value
from programs.text import ILLEGAL_XML, strip_illegal_xml


@dataclass(frozen=True)
class Format:
    """A cell format: what openpyxl calls a named style."""

    bold: bool = False
    size: int = 10
    color: str = "000000"
    fill: str | None = None  # RGB, solid
    wrap: bool = False
    vertical: str = "top"
    horizontal: str | None = None
    border: bool = True  # thin, grey, on the four sides
    number_format: str | None = None


BUILTIN_NUMBER_FORMATS = {"0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}


@dataclass
class Sheet:
    title: str
    widths: list[float]
    rows: list[str] = field(default_factory=list)  # <row> elements
    header_row: int | None = None  # frozen, filtered, printed on every page
    filter_ref: str | None = None
    header_left: str = ""
    header_right: str = ""


def _text(value: str) -> str:
    return escape(cell_value(value))


class Workbook:
    """Cells are (value, style index) pairs; `style(key[, number format])` gives the index of a format added
    with `add_format`."""

    def __init__(self, font_name: str):
        self.font_name = font_name
        self.sheets: list[Sheet] = []
        self.formats: dict = {}
        self._xfs: list[tuple[Format, str | None]] = [(Format(border=False), None)]
        self._xf_index: dict = {}
        self.title = ""
        self.creator = ""

    def add_format(self, key: str, format_: Format) -> None:
        self.formats[key] = format_

    def _xf(self, key, number_format: str | None = None) -> int:
        """The index of a cell format (a format with, perhaps, a number format of its own)."""
        cache_key = (key, number_format)
        index = self._xf_index.get(cache_key)
        if index is None:
            base = self.formats[key]
            self._xfs.append((base, number_format or base.number_format))
            index = self._xf_index[cache_key] = len(self._xfs) - 1
        return index

    def add_sheet(self, title: str, widths: list[float], *, header_left="", header_right="") -> Sheet:
        sheet = Sheet(title=title, widths=widths, header_left=header_left, header_right=header_right)
        self.sheets.append(sheet)
        return sheet

    def style(self, key, number_format: str | None = None) -> int:
        """The index of the cell format `key` (with a number format of its own, if given), for `append`."""
        return self._xf(key, number_format)

    def append(self, sheet: Sheet, cells: list[tuple]) -> None:
        """A row of (value, style index) cells (`style`); [] for an empty row. The hot loop of a big workbook."""
        parts = [f'<row r="{len(sheet.rows) + 1}">']
        add = parts.append
        for value, style in cells:
            kind = type(value)
            if kind is str and value:
                if ILLEGAL_XML.search(value):
                    value = strip_illegal_xml(value)
                if "&" in value:
                    value = value.replace("&", "&amp;")
                if "<" in value:
                    value = value.replace("<", "&lt;")
                if ">" in value:
                    value = value.replace(">", "&gt;")
                add(f'<c s="{style}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>')
            elif kind is int or kind is float or kind is Decimal:
                add(f'<c s="{style}"><v>{value}</v></c>')
            elif value is None or kind is str:
                add(f'<c s="{style}"/>')
            elif kind is bool:
                add(f'<c s="{style}" t="b"><v>{int(value)}</v></c>')
            else:
                add(f'<c s="{style}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>')
        add("</row>")
        sheet.rows.append("".join(parts))

    # --- the package ------------------------------------------------------------------------

    def save(self) -> bytes:
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
            package.writestr("[Content_Types].xml", self._content_types())
            package.writestr("_rels/.rels", _ROOT_RELS)
            package.writestr("docProps/core.xml", self._core())
            package.writestr("docProps/app.xml", _APP)
            package.writestr("xl/workbook.xml", self._workbook())
            package.writestr("xl/_rels/workbook.xml.rels", self._workbook_rels())
            package.writestr("xl/styles.xml", self._styles())
            for index, sheet in enumerate(self.sheets, start=1):
                package.writestr(f"xl/worksheets/sheet{index}.xml", self._sheet(sheet))
        return output.getvalue()

    def _content_types(self) -> str:
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(self.sheets) + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{sheets}</Types>"
        )

    def _core(self) -> str:
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_text(self.title)}</dc:title><dc:creator>{_text(self.creator)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>"
        )

    def _workbook(self) -> str:
        sheets, names = [], []
        for index, sheet in enumerate(self.sheets, start=1):
            quoted = "'" + sheet.title.replace("'", "''") + "'"
            sheets.append(f'<sheet name="{_text(sheet.title)}" sheetId="{index}" r:id="rId{index}"/>')
            if sheet.filter_ref:
                start, end = sheet.filter_ref.split(":")
                absolute = f"${''.join(c for c in start if c.isalpha())}${''.join(c for c in start if c.isdigit())}:" \
                           f"${''.join(c for c in end if c.isalpha())}${''.join(c for c in end if c.isdigit())}"
                names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index - 1}" hidden="1">'
                             f"{_text(quoted)}!{absolute}</definedName>")
            if sheet.header_row:
                names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{index - 1}">'
                             f"{_text(quoted)}!${sheet.header_row}:${sheet.header_row}</definedName>")
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<bookViews><workbookView/></bookViews><sheets>{''.join(sheets)}</sheets>{defined}</workbook>"
        )

    def _workbook_rels(self) -> str:
        relations = [
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(self.sheets) + 1)
        ]
        relations.append(
            f'<Relationship Id="rId{len(self.sheets) + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{''.join(relations)}</Relationships>"
        )

    def _styles(self) -> str:
        fonts, fills, number_formats, xfs = [], ['<fill><patternFill patternType="none"/></fill>',
                                                 '<fill><patternFill patternType="gray125"/></fill>'], {}, []
        font_index, fill_index = {}, {}
        for format_, number_format in self._xfs:
            font_key = (format_.bold, format_.size, format_.color)
            if font_key not in font_index:
                font_index[font_key] = len(fonts)
                fonts.append(f'<font>{"<b/>" if format_.bold else ""}<sz val="{format_.size}"/>'
                             f'<color rgb="FF{format_.color}"/><name val="{_text(self.font_name)}"/><family val="3"/></font>')
            fill = 0
            if format_.fill:
                if format_.fill not in fill_index:
                    fill_index[format_.fill] = len(fills)
                    fills.append(f'<fill><patternFill patternType="solid"><fgColor rgb="FF{format_.fill}"/>'
                                 f'<bgColor indexed="64"/></patternFill></fill>')
                fill = fill_index[format_.fill]
            number = 0
            if number_format:
                number = BUILTIN_NUMBER_FORMATS.get(number_format)
                if number is None:
                    number = number_formats.setdefault(number_format, 164 + len(number_formats))
            alignment = f'<alignment vertical="{format_.vertical}"' + (
                f' horizontal="{format_.horizontal}"' if format_.horizontal else "") + (
                ' wrapText="1"' if format_.wrap else "") + "/>"
            xfs.append(
                f'<xf numFmtId="{number}" fontId="{font_index[font_key]}" fillId="{fill}" '
                f'borderId="{1 if format_.border else 0}" xfId="0" applyNumberFormat="{int(bool(number))}" '
                f'applyFont="1" applyFill="{int(bool(fill))}" applyBorder="{int(format_.border)}" applyAlignment="1">'
                f"{alignment}</xf>"
            )
        formats = "".join(f'<numFmt numFmtId="{i}" formatCode="{_text(code)}"/>' for code, i in number_formats.items())
        thin = '<{side} style="thin"><color rgb="FF8C8C8C"/></{side}>'
        border = "".join(thin.format(side=side) for side in ("left", "right", "top", "bottom"))
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + (f'<numFmts count="{len(number_formats)}">{formats}</numFmts>' if number_formats else "")
            + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
            f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
            f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border>{border}<diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )

    def _sheet(self, sheet: Sheet) -> str:
        view = '<sheetView workbookViewId="0"'
        if sheet.header_row:
            split = sheet.header_row
            view += (f'><pane ySplit="{split}" topLeftCell="A{split + 1}" activePane="bottomLeft" state="frozen"/>'
                     f'<selection pane="bottomLeft" activeCell="A{split + 1}" sqref="A{split + 1}"/></sheetView>')
        else:
            view += "/>"
        columns = "".join(
            f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in enumerate(sheet.widths, start=1)
        )
        last = get_column_letter(len(sheet.widths))
        header = (f"&amp;L{_text(sheet.header_left).replace('&amp;', '&amp;&amp;')}"
                  + (f"&amp;R{_text(sheet.header_right)}" if sheet.header_right else ""))
        return "".join([
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{last}{max(len(sheet.rows), 1)}"/>'
            f"<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/><cols>{columns}</cols>"
            "<sheetData>", *sheet.rows, "</sheetData>",
            f'<autoFilter ref="{sheet.filter_ref}"/>' if sheet.filter_ref else "",
            '<printOptions horizontalCentered="1"/>'
            '<pageMargins left="0.4" right="0.4" top="1" bottom="1" header="0.5" footer="0.5"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            f"<headerFooter><oddHeader>{header}</oddHeader><oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter>"
            "</worksheet>",
        ])


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/>'
    "</Relationships>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>reformtracker</Application></Properties>"
)
