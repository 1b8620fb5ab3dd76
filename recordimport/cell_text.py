"""A cell of the Excel import as the text it shows: dates as formatted, control characters decoded.

openpyxl hands over a date typed into 計画 as a datetime (the cell has a date format) or,
for the date formats built into Japanese Excel (ids 27–36 and 50–58, which openpyxl does
not know), as the serial number. `displayed(cell, epoch=…)` renders it with the cell's
number format as Japanese Excel shows it: 2025/4/1 (the short date, id 14), 2025年4月1日,
令和7年4月1日, R7.4.1, 2025-04-01, 9:30. Other values are returned unchanged.

The format is read as Excel documents it (first section; quoted and escaped literals;
y, e (era year), g (era name), m, d, aaa (曜日), h, m after h or before s (minutes), s,
AM/PM; [$-411] selects Japanese; colours, conditions and [DBNum] are ignored).

Excel writes a control character it cannot put in XML as an escape (a vertical tab pasted
from Word as `_x000B_`, a carriage return as `_x000D_`); openpyxl leaves the escape in the
text, `displayed` decodes it, and the import then cleans the text (programs.text).
"""
import datetime
import re

from openpyxl.styles.numbers import is_date_format
from openpyxl.utils.datetime import from_excel

from programs import eras

# Built-in number formats of Japanese Excel that openpyxl does not know (ECMA-376 §18.8.30, ja-JP).
_ERA_SHORT = '[$-411]ge.m.d'
_ERA_LONG = '[$-411]ggge"年"m"月"d"日"'
JAPANESE_BUILTIN_FORMATS = {
    27: _ERA_SHORT, 28: _ERA_LONG, 29: _ERA_LONG, 30: "m/d/yy", 31: 'yyyy"年"m"月"d"日"',
    32: 'h"時"mm"分"', 33: 'h"時"mm"分"ss"秒"', 34: 'yyyy"年"m"月"', 35: 'm"月"d"日"', 36: _ERA_SHORT,
    50: _ERA_SHORT, 51: _ERA_LONG, 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"', 54: _ERA_LONG,
    55: 'yyyy"年"m"月"', 56: 'm"月"d"日"', 57: _ERA_SHORT, 58: _ERA_LONG,
}
# Built-in formats Japanese Excel shows differently from their English codes.
_JAPANESE_LOCALE = {14: "yyyy/m/d", 22: "yyyy/m/d h:mm"}
_SYSTEM_FORMATS = {"[$-f800]": 'yyyy"年"m"月"d"日"', "[$-f400]": "h:mm:ss"}  # long date, time of the system

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_WEEKDAYS_JA = "月火水木金土日"
_AMPM = re.compile(r"am/pm|a/p|午前/午後", re.IGNORECASE)
_CONTROL_ESCAPE = re.compile(r"_x00([01][0-9A-Fa-f])_")


def displayed(cell, *, epoch=None):
    """The cell's value; for a date or time, the text Excel shows for it."""
    value = cell.value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return unescape_controls(value)
    format_id = _format_id(cell)
    code = JAPANESE_BUILTIN_FORMATS.get(format_id)
    if code and isinstance(value, (int, float)) and is_date_format(code):
        try:
            value = from_excel(value, epoch) if epoch else from_excel(value)
        except (OverflowError, ValueError):
            return cell.value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return format_date(value, code or _JAPANESE_LOCALE.get(format_id) or cell.number_format)
    if isinstance(value, datetime.timedelta):
        return _elapsed(value)
    return value


def unescape_controls(text: str) -> str:
    """The control characters Excel escaped, as they were typed: `a_x000B_b` → a, vertical tab, b."""
    if "_" not in text:  # a one-character search is fast; `"_x00" in text` is slow on some texts
        return text
    return _CONTROL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def _format_id(cell):
    try:
        return cell.style_array.numFmtId
    except (AttributeError, IndexError):
        return None


def format_date(value, code: str) -> str:
    """A date, datetime or time as Excel shows it with the number format `code`."""
    if not code or not is_date_format(code):
        return _fallback(value)
    if isinstance(value, datetime.time):
        value = datetime.datetime.combine(datetime.date(1899, 12, 31), value)
    elif not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    tokens, japanese = _tokens(code)
    twelve_hour = any(kind == "ampm" for kind, _ in tokens)
    parts = []
    for index, (kind, text) in enumerate(tokens):
        parts.append(_render(kind, text, value, tokens, index, twelve_hour, japanese))
    return "".join(parts)


def _fallback(value) -> str:
    """2025-04-01, 2025-04-01 09:30 or 09:30 when the format cannot be read."""
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    if not isinstance(value, datetime.datetime):
        return value.isoformat()
    if value.time() == datetime.time():
        return value.date().isoformat()
    return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")


def _elapsed(value: datetime.timedelta) -> str:
    seconds = int(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _first_section(code: str) -> str:
    quoted = False
    for index, char in enumerate(code):
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            return code[:index]
    return code


def _tokens(code: str):
    """(kind, text) pairs: kind is "literal", "ampm" or a letter (y, e, g, m, d, a, h, s) with text its run."""
    lowered = code.lower()
    for system, replacement in _SYSTEM_FORMATS.items():
        if lowered.startswith(system):
            code = replacement
    code = _first_section(code)
    japanese = "[$-411]" in code.lower() or "[$-ja" in code.lower() or "年" in code or "午前" in code
    tokens = []
    index = 0
    while index < len(code):
        char = code[index]
        if char == '"':
            end = code.find('"', index + 1)
            end = len(code) if end < 0 else end
            tokens.append(("literal", code[index + 1:end]))
            index = end + 1
        elif char == "\\":
            tokens.append(("literal", code[index + 1:index + 2]))
            index += 2
        elif char in "_*":
            tokens.append(("literal", " " if char == "_" else ""))
            index += 2
        elif char == "[":
            end = code.find("]", index)
            end = len(code) if end < 0 else end
            inside = code[index + 1:end]
            if inside.lower().strip("hms") == "" and inside:  # elapsed [h], [mm], [ss]
                tokens.append((inside[0].lower(), inside))
            elif inside.startswith("$"):
                tokens.append(("literal", inside[1:].split("-", 1)[0]))
            index = end + 1
        elif match := _AMPM.match(code, index):
            tokens.append(("ampm", match.group()))
            index = match.end()
        elif char.lower() in "yegmdahs":
            end = index
            while end < len(code) and code[end].lower() == char.lower():
                end += 1
            run = code[index:end]
            if char.lower() == "a" and len(run) < 3:
                tokens.append(("literal", run))
            else:
                tokens.append((char.lower(), run))
            index = end
        else:
            tokens.append(("literal", char))
            index += 1
    return tokens, japanese


def _is_minutes(tokens, index) -> bool:
    """An m or mm is minutes right after hours or right before seconds (Excel's rule)."""
    before = next((kind for kind, _ in reversed(tokens[:index]) if kind not in ("literal", "ampm")), None)
    after = next((kind for kind, _ in tokens[index + 1:] if kind not in ("literal", "ampm")), None)
    return before == "h" or after == "s"


def _render(kind, text, value: datetime.datetime, tokens, index, twelve_hour, japanese) -> str:
    width = len(text)
    if kind == "literal":
        return text
    if kind == "y":
        return f"{value.year % 100:02d}" if width <= 2 else str(value.year)
    if kind in ("e", "g"):
        era = eras.calendar_era(value.date())
        if era is None:
            return str(value.year) if kind == "e" else ""
        name, initial, year = era
        if kind == "e":
            return f"{year:02d}" if width >= 2 else str(year)
        return initial if width == 1 else name[0] if width == 2 else name
    if kind == "m" and width <= 2 and _is_minutes(tokens, index):
        return f"{value.minute:02d}" if width == 2 else str(value.minute)
    if kind == "m":
        return {1: str(value.month), 2: f"{value.month:02d}", 3: _MONTHS[value.month - 1][:3],
                5: _MONTHS[value.month - 1][0]}.get(width, _MONTHS[value.month - 1])
    if kind == "d":
        weekday = _WEEKDAYS[value.weekday()]
        return {1: str(value.day), 2: f"{value.day:02d}", 3: weekday[:3]}.get(width, weekday)
    if kind == "a":
        return _WEEKDAYS_JA[value.weekday()] + ("曜日" if width >= 4 else "")
    if kind == "h":
        hour = value.hour
        if twelve_hour:
            hour = hour % 12 or 12
        return f"{hour:02d}" if width >= 2 else str(hour)
    if kind == "s":
        return f"{value.second:02d}" if width >= 2 else str(value.second)
    if kind == "ampm":
        morning = value.hour < 12
        if japanese or text.startswith("午"):
            return "午前" if morning else "午後"
        if text.lower() == "a/p":
            return ("a" if morning else "p") if text[0].islower() else ("A" if morning else "P")
        return "AM" if morning else "PM"
    return text
