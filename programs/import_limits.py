"""Limits an uploaded workbook must keep before openpyxl parses any of it: the record import's
(recordimport) and the plan workbook's (initiatives.planbook).

openpyxl reads a whole shared-string table and style sheet into memory, builds an object
per style, merged range or validation (tens of microseconds each), reads every sheet of
the workbook once to learn its size, and pads rows to the sheet's declared width: a 6.5 KB
.xlsx of shared strings, or a style sheet of 45 MB compressed to 69 KB, cost gigabytes or
minutes. `check_archive(data, deadline=…)` reads the zip directory, then streams every
member through expat (no tree is built, nothing is kept) and refuses, in Japanese, a file
with:

- more than MAX_MEMBERS members, a compression other than stored/deflated, encryption;
- a member declared or inflating larger than MAX_PART_BYTES (the style sheet:
  MAX_STYLES_BYTES), or all members together larger than MAX_UNCOMPRESSED;
- a DTD or entity declaration (spreadsheets have none), elements nested deeper than
  MAX_DEPTH, an attribute longer than MAX_ATTRIBUTE_CHARS;
- a text longer than Excel's own cell limit (MAX_TEXT_CHARS), more than MAX_SHARED_STRINGS
  shared strings or MAX_STRING_ELEMENTS elements in the shared-string table (run fonts and
  furigana count with the styles below: openpyxl builds objects of them);
- a sheet with more than MAX_CELLS cells or MAX_SHEET_DATA_ELEMENTS elements of cell data,
  or a value right of column MAX_COLUMNS; a chart sheet; more than MAX_SHEETS sheets, or
  sheets whose parts (counted once per sheet naming them) hold more than
  MAX_SHEET_ELEMENTS_OPENED elements;
- more than MAX_OTHER_ELEMENTS elements outside cell data and shared strings, all parts
  together (the style sheet alone: MAX_STYLE_ELEMENTS); more than MAX_ELEMENTS in all;
- the deadline (PARSE_SECONDS from the upload) passing, here or while rows are read.

The limits hold the template (2,000 rows at most, 11 columns) many times over; what they
let through costs under 300 MB and 5 s to read (bench/bench_import.py). A member that is
not well-formed XML (a picture, Excel's legacy VML) is not scanned further: openpyxl, if it
reads that member at all, stops at the same place. Messages quote at most EXCERPT_CHARS
characters of anything taken from the file.
"""
import functools
import io
import math
import posixpath
import time
import zipfile
import zlib
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

MAX_BYTES = 5 * 1024 * 1024  # an upload larger than this is refused before it is opened
MAX_UNCOMPRESSED = 24 * 1024 * 1024  # the zip's members together, once inflated
MAX_PART_BYTES = 8 * 1024 * 1024  # one member once inflated (a sheet, the shared strings)
MAX_STYLES_BYTES = 2 * 1024 * 1024  # the style sheet (Excel writes tens of KB)
MAX_MEMBERS = 200
MAX_ELEMENTS = 250_000  # all XML parts together: what the scan itself may cost
MAX_CELLS = 30_000  # per sheet: the template's 2,000 rows of 11 columns, with room to spare
MAX_SHEET_DATA_ELEMENTS = 100_000  # per sheet: rows, cells, values, inline strings
MAX_SHEET_ELEMENTS_OPENED = 130_000  # every sheet of the workbook, as openpyxl opens each one
MAX_SHEETS = 50
MAX_SHARED_STRINGS = 30_000
MAX_STRING_ELEMENTS = 80_000  # the shared-string table: strings, their texts and runs
MAX_OTHER_ELEMENTS = 30_000  # everything else, all parts: styles, run fonts, furigana, workbook, validations…
MAX_STYLE_ELEMENTS = 20_000  # the style sheet alone (Excel allows 64,000 cell formats)
MAX_COLUMNS = 256  # IV: values further right are refused (rows are read only this wide)
MAX_DEPTH = 64  # elements inside elements (spreadsheets nest about a dozen deep)
MAX_TEXT_CHARS = 32_767  # Excel's limit for the text of a cell
MAX_ATTRIBUTE_CHARS = 65_536
PARSE_SECONDS = 4.0
EXCERPT_CHARS = 40
MAX_LISTED_ERRORS = 50

_CHUNK = 64 * 1024
clock = time.monotonic  # the deadline's clock (a test may stop it)
_SHEET_ROOTS = {"worksheet", "dialogsheet", "macrosheet"}
_FORMATTING_OF_STRINGS = {"rPr", "rPh", "phoneticPr"}  # a string's run fonts and furigana
_USE_THE_TEMPLATE = "この画面からダウンロードしたテンプレートに値だけを入力してください。"


class ImportRefused(Exception):
    """The file cannot be imported; `errors` lists the problems found, in Japanese.

    At most MAX_LISTED_ERRORS are listed, followed by how many more there are; `total`
    counts them all.
    """

    def __init__(self, errors: list[str]):
        self.total = len(errors)
        listed = list(errors[:MAX_LISTED_ERRORS])
        if self.total > MAX_LISTED_ERRORS:
            listed.append(_("ほか %(count)d 件の誤りがあります（最初の %(listed)d 件だけを表示しています）。")
                          % {"count": self.total - MAX_LISTED_ERRORS, "listed": MAX_LISTED_ERRORS})
        super().__init__("\n".join(listed))
        self.errors = listed


def excerpt(value, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of a value taken from the file, with … when cut."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def megabytes(size: int) -> str:
    """5.1 for 5 MB and 10 bytes: rounded up, so a size over a limit never reads as the limit."""
    return f"{math.ceil(size / 1024 / 1024 * 10) / 10:.1f}"


class Deadline:
    """Wall-clock time allowed for reading one upload; `check()` refuses once it has passed."""

    def __init__(self, seconds: float | None = None):
        self.seconds = PARSE_SECONDS if seconds is None else seconds
        self.at = clock() + self.seconds

    def check(self) -> None:
        if clock() > self.at:
            _refuse(_("ファイルの読み込みに時間がかかりすぎたため中止しました（上限 %(limit)s 秒）。") + _USE_THE_TEMPLATE,
                    limit=f"{self.seconds:g}")


def sheet_rows(sheet, *, deadline: Deadline, max_row: int, min_row: int = 1):
    """The sheet's rows (tuples of cells), at most MAX_COLUMNS wide and up to `max_row`, with the deadline
    checked before each; anything openpyxl raises on a broken sheet (a shared string that does not
    exist, a number that is not one) refuses the file."""
    iterator = sheet.iter_rows(min_row=min_row, max_col=MAX_COLUMNS, max_row=max_row)
    while True:
        deadline.check()
        try:
            cells = next(iterator)
        except StopIteration:
            return
        except Exception as error:  # openpyxl raises many kinds on broken files
            raise ImportRefused([_("ファイルが壊れているか、Excelの.xlsx形式ではないため読み込めません。")]) from error
        yield cells


def _refuse(message: str, **params):
    raise ImportRefused([message % params if params else message])


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        _refuse(_("ファイルが大きすぎます（%(size)s MB。上限は %(limit)d MB）。テンプレートをダウンロードし直して入力してください。"),
                size=megabytes(size), limit=MAX_BYTES // 1024 // 1024)


def _byte_limit(name: str) -> int:
    return MAX_STYLES_BYTES if name.lower().rsplit("/", 1)[-1] == "styles.xml" else MAX_PART_BYTES


def _too_big(name: str, size: int, limit: int):
    if limit == MAX_STYLES_BYTES:
        _refuse(_("書式（セルのスタイル）の情報が大きすぎるため読み込めません（展開後の大きさが上限を超えています: "
                  "%(size)s MB、上限 %(limit)s MB）。") + _USE_THE_TEMPLATE, size=megabytes(size), limit=megabytes(limit))
    _refuse(_("ファイルの中身が大きすぎるため読み込めません（展開後の大きさが上限を超えています: 「%(part)s」が %(size)s MB、"
              "上限 %(limit)s MB）。"), part=excerpt(name), size=megabytes(size), limit=megabytes(limit))


def _too_complex(name: str):
    _refuse(_("ファイルの中身が複雑すぎるため読み込めません（「%(part)s」の要素が上限を超えています）。") + _USE_THE_TEMPLATE,
            part=excerpt(name))


def check_archive(data: bytes, *, deadline: Deadline) -> None:
    """Refuse (ImportRefused) a zip that would cost too much to parse; see the module docstring."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                _refuse(_("ファイルの中身が多すぎるため読み込めません（%(count)s 個。上限 %(limit)d 個）。"),
                        count=f"{len(members):,}", limit=MAX_MEMBERS)
            for member in members:
                if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    _refuse(_("暗号化されているか、Excelが使わない形式で圧縮されているため読み込めません。"
                              "パスワードを外して.xlsx形式で保存し直してください。"))
                limit = _byte_limit(member.filename)
                if member.file_size > limit:
                    _too_big(member.filename, member.file_size, limit)
            if "xl/workbook.xml" not in {m.filename for m in members}:
                _refuse(_("Excelファイル（.xlsx形式）ではありません。ダウンロードしたテンプレートに入力して保存したファイルを選んでください。"))
            declared = sum(m.file_size for m in members)
            if declared > MAX_UNCOMPRESSED:
                _refuse(_("ファイルの中身が大きすぎるため読み込めません（展開後の大きさが上限を超えています: %(size)s MB、上限 %(limit)s MB）。"),
                        size=megabytes(declared), limit=megabytes(MAX_UNCOMPRESSED))
            totals = _Totals()
            for member in members:
                _PartScanner(member.filename, totals, deadline).scan(archive, member)
            totals.check_sheets_opened()
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ImportRefused([_("ファイルが壊れているため読み込めません。")]) from error


class _Totals:
    """What the parts of one file hold together, and how the workbook names its sheets."""

    def __init__(self):
        self.inflated = 0
        self.elements = 0
        self.other_elements = 0
        self.sheet_elements: dict[str, int] = {}  # worksheet part → its elements
        self.sheets: dict[str, list[str]] = {}  # workbook part → relationship ids of its sheets
        self.relationships: dict[str, dict[str, str]] = {}  # relationships part → id → target

    def check_sheets_opened(self) -> None:
        """openpyxl reads every sheet the workbook names (once each) to learn its size: bound the sum."""
        opened = 0
        for book, ids in self.sheets.items():
            folder, name = posixpath.split(book)
            targets = self.relationships.get(posixpath.join(folder, "_rels", f"{name}.rels"), {})
            for rid in ids:
                target = targets.get(rid)
                if target is not None:
                    target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                    opened += self.sheet_elements.get(target, 0)
        if opened > MAX_SHEET_ELEMENTS_OPENED:
            _refuse(_("シートが多すぎるか大きすぎるため読み込めません。") + _USE_THE_TEMPLATE)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


@functools.lru_cache(maxsize=1024)
def _local(name: str) -> str:
    """The element's name without its namespace (expat gives "namespace name")."""
    return name.rpartition(" ")[2]


class _PartScanner:
    """One member streamed through expat, counting as it goes; ImportRefused at the first limit passed."""

    def __init__(self, name: str, totals: _Totals, deadline: Deadline):
        self.name = name
        self.totals = totals
        self.deadline = deadline
        self.byte_limit = _byte_limit(name)
        self.root = None
        self.depth = 0
        self.elements = 0  # of a sheet, the shared strings or the style sheet
        self.data_elements = 0  # of a sheet's cell data
        self.text = 0  # characters since the last tag
        self.data_depth = 0  # inside <sheetData>
        self.row = 0
        self.column = 0
        self.cells = 0
        self.string = None  # characters of the shared or inline string being read, or None
        self.in_text = 0  # inside its <t>
        self.in_furigana = 0  # inside its <rPh> (furigana, not part of the cell's text)
        self.formatting = 0  # inside its run properties or furigana
        self.shared_strings = 0

    def scan(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        inflated = 0
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                inflated += len(chunk)
                self.totals.inflated += len(chunk)
                if inflated > self.byte_limit:
                    _too_big(self.name, inflated, self.byte_limit)
                if self.totals.inflated > MAX_UNCOMPRESSED:
                    _too_big(self.name, self.totals.inflated, MAX_UNCOMPRESSED)
                self.deadline.check()
                try:
                    parser.Parse(chunk, False)
                except expat.ExpatError:
                    break  # not XML (or not well-formed): openpyxl reads no further than this either
        if self.root in _SHEET_ROOTS:
            self.totals.sheet_elements[self.name] = self.totals.sheet_elements.get(self.name, 0) + self.elements

    # --- expat handlers ---------------------------------------------------------------------

    def doctype(self, *args):
        _refuse(_("ファイルにExcelが作らない定義（DTD・実体宣言）が含まれているため読み込めません。") + _USE_THE_TEMPLATE)

    def start(self, name, attributes):
        local = _local(name)
        self.text = 0
        self.depth += 1
        self.totals.elements += 1
        if self.root is None:
            self._root(local)
        if self.depth > MAX_DEPTH:
            _refuse(_("ファイルの中身が複雑すぎるため読み込めません（「%(part)s」の入れ子が深すぎます）。"), part=excerpt(self.name))
        if self.totals.elements > MAX_ELEMENTS:
            _too_complex(self.name)
        for value in attributes.values():
            if len(value) > MAX_ATTRIBUTE_CHARS:
                _refuse(_("ファイルの中身に長すぎる値があるため読み込めません（「%(part)s」）。"), part=excerpt(self.name))
        in_data = self.root in _SHEET_ROOTS and (self.data_depth or local == "sheetData")
        if in_data:
            self.data_depth += 1
        if self.string is not None and (self.formatting or local in _FORMATTING_OF_STRINGS):
            self.formatting += 1  # openpyxl builds a font or phonetic object of these: as costly as styles
            self._other(local, attributes)
        elif in_data:
            self._cell_data(local, attributes)
        elif self.root == "sst":
            self._shared_string(local)
        else:
            self._other(local, attributes)
        if self.string is not None:
            if local == "t":
                self.in_text += 1
            elif local == "rPh":
                self.in_furigana += 1

    def _root(self, local):
        self.root = local
        if local == "chartsheet":
            _refuse(_("グラフシートがあるため読み込めません。") + _USE_THE_TEMPLATE)

    def _other(self, local, attributes):
        self.totals.other_elements += 1
        if self.root == "styleSheet":
            self.elements += 1
            if self.elements > MAX_STYLE_ELEMENTS:
                _refuse(_("書式（セルのスタイル）の数が多すぎるため読み込めません（上限 %(limit)s 要素）。") + _USE_THE_TEMPLATE,
                        limit=f"{MAX_STYLE_ELEMENTS:,}")
        if self.totals.other_elements > MAX_OTHER_ELEMENTS:
            _too_complex(self.name)
        if self.root == "workbook" and local == "sheet":
            ids = self.totals.sheets.setdefault(self.name, [])
            ids.append(next((v for k, v in attributes.items() if _local(k) == "id" and k != "id"), ""))
            if len(ids) > MAX_SHEETS:
                _refuse(_("シートが多すぎるため読み込めません（上限 %(limit)d 枚）。"), limit=MAX_SHEETS)
        elif self.root == "Relationships" and local == "Relationship" and attributes.get("TargetMode") != "External":
            self.totals.relationships.setdefault(self.name, {})[attributes.get("Id", "")] = attributes.get("Target", "")
        elif self.root in _SHEET_ROOTS:
            self.elements += 1

    def _shared_string(self, local):
        self.elements += 1
        if self.elements > MAX_STRING_ELEMENTS:
            _too_complex(self.name)
        if local == "si":
            self.shared_strings += 1
            if self.shared_strings > MAX_SHARED_STRINGS:
                _refuse(_("文字列が多すぎるため読み込めません（上限 %(limit)s 個）。テンプレートの行と列だけに入力してください。"),
                        limit=f"{MAX_SHARED_STRINGS:,}")
            self.string = 0

    def _cell_data(self, local, attributes):
        self.elements += 1
        self.data_elements += 1
        if self.data_elements > MAX_SHEET_DATA_ELEMENTS:
            _too_complex(self.name)
        if local == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isascii() and number.isdigit() and len(number) <= 9 else self.row + 1
            self.column = 0
        elif local == "c":
            self.cells += 1
            if self.cells > MAX_CELLS:
                _refuse(_("セルが多すぎるため読み込めません（1つのシートに %(limit)s セルまで）。テンプレートの行と列だけに入力してください。"),
                        limit=f"{MAX_CELLS:,}")
            letters = attributes.get("r", "").rstrip("0123456789").upper()
            valid = letters.isascii() and letters.isalpha() and len(letters) <= 3
            self.column = _column_index(letters) if valid else self.column + 1
        elif local in ("v", "f", "is") and self.column > MAX_COLUMNS:
            _refuse(_("%(row)d行目の%(letter)s列に値があります。%(limit)s列より右には入力できません（テンプレートはA〜K列です）。"),
                    row=self.row, letter=get_column_letter(min(self.column, 16384)), limit=get_column_letter(MAX_COLUMNS))
        if local == "is":
            self.string = 0

    def end(self, name):
        local = _local(name)
        self.text = 0
        self.depth -= 1
        if self.data_depth:
            self.data_depth -= 1
        if self.formatting:
            self.formatting -= 1
        if self.string is not None:
            if local == "t":
                self.in_text -= 1
            elif local == "rPh":
                self.in_furigana -= 1
            elif local in ("si", "is"):
                self.string = None
                self.in_text = self.in_furigana = 0

    def characters(self, data):
        self.text += len(data)
        if self.text > MAX_TEXT_CHARS:
            self._too_long()
        if self.string is not None and self.in_text and not self.in_furigana:
            self.string += len(data)
            if self.string > MAX_TEXT_CHARS:
                self._too_long()

    def _too_long(self):
        _refuse(_("%(limit)s文字を超える文字列があるため読み込めません（Excelの1つのセルに入る文字数を超えています）。"),
                limit=f"{MAX_TEXT_CHARS:,}")
