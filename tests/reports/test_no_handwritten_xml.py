"""Workbooks are written by a library (XlsxWriter, openpyxl), never as SpreadsheetML by hand."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "bench", "node_modules", ".git"}
# A hand-written workbook must name SpreadsheetML's namespace or put parts into a zip file of its own.
WRITING = re.compile(r"spreadsheetml/2006/main|ZipFile\([^)]*['\"][wax]['\"]|\.writestr\(")


def project_modules():
    for path in ROOT.rglob("*.py"):
        if not SKIPPED.intersection(path.relative_to(ROOT).parts):
            yield path


def test_no_module_of_the_project_writes_spreadsheet_xml_by_hand():
    modules = list(project_modules())
    assert any(path.name == "workbook.py" for path in modules)  # the scan sees the reports
    writers = [str(path.relative_to(ROOT)) for path in modules if WRITING.search(path.read_text(encoding="utf-8"))]
    assert writers == []
