"""Texts written into CSV files and workbooks stay texts, and stay writable.

A cell that starts with = + - @ (or a tab or carriage return) is read as a formula by Excel
and LibreOffice: a result typed as `=HYPERLINK("http://…")` would become a live link in the
annual workbook. openpyxl stores such strings as formulas unless told otherwise, so every
workbook is passed through `keep_texts_as_text` (or each cell through `as_text`) before saving (the portal writes no formulas
of its own); CSV cells get the apostrophe prefix spreadsheet programs understand as "text".

Every value a workbook writer puts into a cell goes through `cell_value` (a row through
`cell_values`): a string loses the characters XML cannot carry (programs.text), which
would otherwise make openpyxl refuse the whole workbook.
"""
from .text import strip_illegal_xml

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def cell_value(value):
    """The value as a workbook cell can hold it: strings without XML-illegal characters."""
    return strip_illegal_xml(value) if isinstance(value, str) else value


def cell_values(values) -> list:
    """A row of values for `sheet.append`, each through `cell_value`."""
    return [cell_value(value) for value in values]


def as_text(cell):
    """The cell, kept as the string it was given even if it looks like a formula."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def keep_texts_as_text(workbook) -> None:
    """Turn every cell openpyxl took for a formula back into the plain string it was given."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                as_text(cell)
