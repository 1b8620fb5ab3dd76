"""Geometry of the server-rendered SVG charts (no script, no style attribute: classes only).

Each bar is 100 % of its row's initiatives, split by status in the report's order. A bar is read
without colour: its name and number of initiatives are written above it, each segment carries its
count, each status has its own pattern (the legend shows the same patterns), and a scale of
0–100 % runs below the bars. The same figures are in the table beside the chart.
"""
import re
from dataclasses import dataclass

from django.utils.translation import gettext

from initiatives.selectors import Summary, SummaryRow
from programs.statuses import Vocabulary

WIDTH = 420
LABEL_HEIGHT = 24  # one line of the row's name above its bar
ROW_HEIGHT = 26
ROW_GAP = 12
SCALE_HEIGHT = 26
FONT_SIZE = 16
MIN_LABELLED_WIDTH = 18  # a narrower segment has no room for its count (the table and tooltip give it)

NOT_REPORTED = "not_reported"
SCALE = [0, 25, 50, 75, 100]


@dataclass
class Segment:
    status: str
    style: str  # its colour and pattern (Vocabulary.style)
    label: str
    count: int
    x: float
    width: float

    @property
    def labelled(self) -> bool:
        return self.width >= MIN_LABELLED_WIDTH

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass
class ChartRow:
    lines: list[str]  # the row's name (and count of initiatives), wrapped to the chart's width
    label: str
    initiatives: int
    top: int
    segments: list[Segment]

    @property
    def y(self) -> int:
        """The bar's top."""
        return self.top + LABEL_HEIGHT * len(self.lines)

    @property
    def label_lines(self) -> list[tuple[str, int]]:
        return [(line, self.top + LABEL_HEIGHT * (i + 1) - 7) for i, line in enumerate(self.lines)]

    @property
    def text_y(self) -> int:
        return self.y + ROW_HEIGHT // 2 + 5


@dataclass
class Tick:
    percent: int
    x: float


@dataclass
class StatusChart:
    rows: list[ChartRow]
    height: int
    legend: list[tuple[str, str]]  # (style, label)
    scale: list[Tick]
    scale_y: int
    width: int = WIDTH
    label_width: int = 0
    row_height: int = ROW_HEIGHT

    @property
    def bar_width(self) -> int:
        return self.width - self.label_width - 12


def _text_width(text: str) -> float:
    """Rough width in px at FONT_SIZE: a Japanese character is 1 em, a Latin one about 0.55 em."""
    return sum(FONT_SIZE if ord(c) > 0x2E80 else FONT_SIZE * 0.56 for c in text)


def wrap(text: str, width: float) -> list[str]:
    """Break a label into lines that fit `width` px (at spaces in English, anywhere in Japanese)."""
    lines, line = [], ""
    for piece in re.findall(r"[\w'’,.()\-]+\s*|\s+|.", text, flags=re.ASCII):
        if line and _text_width(line + piece) > width:
            lines.append(line.rstrip())
            line = piece
        else:
            line += piece
    return [*lines, line.rstrip()] if line else lines


def _chart(rows: list[tuple[str, SummaryRow]], vocabulary: Vocabulary) -> StatusChart:
    """One 100 % bar per row, split by status in the vocabulary's order; 未報告 last, when there is any."""
    keys = [(d.code, vocabulary.style(d.code), d.display_label) for d in vocabulary]
    keys += [(NOT_REPORTED, NOT_REPORTED, vocabulary.label_of(""))]
    chart = StatusChart(rows=[], height=0, legend=[], scale=[], scale_y=0)
    top = 0
    for label, row in rows:
        counts = {**row.counts, NOT_REPORTED: row.not_reported}
        x = float(chart.label_width)
        segments = []
        for key, style, key_label in keys:
            count = counts.get(key, 0)
            if not count or not row.initiatives:
                continue
            width = chart.bar_width * count / row.initiatives
            segments.append(Segment(key, style, key_label, count, round(x, 2), round(width, 2)))
            x += width
        heading = gettext("%(label)s（%(count)s件）") % {"label": label, "count": row.initiatives}
        lines = wrap(heading, chart.width - 4)
        chart_row = ChartRow(lines=lines, label=label, initiatives=row.initiatives, top=top, segments=segments)
        chart.rows.append(chart_row)
        top = chart_row.y + ROW_HEIGHT + ROW_GAP
    chart.scale_y = top
    chart.scale = [Tick(p, round(chart.label_width + chart.bar_width * p / 100, 2)) for p in SCALE]
    chart.height = top + SCALE_HEIGHT
    chart.legend = [
        (style, label) for key, style, label in keys if key != NOT_REPORTED or any(r.not_reported for _l, r in rows)
    ]
    return chart


def status_chart(summary: Summary) -> StatusChart:
    """One 100 % bar per pillar (its numeral and name) and one for the whole program, split by status."""
    return _chart([(str(row.pillar) if row.pillar else row.label, row) for row in [*summary.rows, summary.total]], summary.vocabulary)


def cycles_chart(columns) -> StatusChart:
    """One 100 % bar per released report (oldest first): the program's status mix year over year, in the latest
    report's vocabulary."""
    vocabulary = columns[-1].summary.vocabulary if columns else Vocabulary([])
    return _chart([(column.cycle.display_label, column.summary.total) for column in columns], vocabulary)
