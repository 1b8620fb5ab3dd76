"""Geometry of the server-rendered SVG charts (no script, no style attribute: classes only)."""
from dataclasses import dataclass

from initiatives.models import Status
from initiatives.selectors import Summary, SummaryRow

WIDTH = 420
LABEL_WIDTH = 64
ROW_HEIGHT = 24
ROW_GAP = 8

NOT_REPORTED = "not_reported"


@dataclass
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float


@dataclass
class ChartRow:
    label: str
    y: int
    segments: list[Segment]

    @property
    def text_y(self) -> int:
        return self.y + ROW_HEIGHT // 2 + 5


@dataclass
class StatusChart:
    rows: list[ChartRow]
    height: int
    legend: list[tuple[str, str]]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    row_height: int = ROW_HEIGHT

    @property
    def bar_width(self) -> int:
        return self.width - self.label_width - 8


def _chart(rows: list[tuple[str, SummaryRow]], *, label_width: int = LABEL_WIDTH) -> StatusChart:
    """One 100 % bar per row, split by status in the report's order; 未報告 last, when there is any."""
    keys = [(s.value, str(s.label)) for s in Status] + [(NOT_REPORTED, Status.label_of(""))]
    chart = StatusChart(rows=[], height=len(rows) * (ROW_HEIGHT + ROW_GAP), legend=[], label_width=label_width)
    for index, (label, row) in enumerate(rows):
        counts = {**row.counts, NOT_REPORTED: row.not_reported}
        x = float(label_width)
        segments = []
        for key, key_label in keys:
            count = counts.get(key, 0)
            if not count or not row.initiatives:
                continue
            width = chart.bar_width * count / row.initiatives
            segments.append(Segment(key, key_label, count, round(x, 2), round(width, 2)))
            x += width
        chart.rows.append(ChartRow(label=label, y=index * (ROW_HEIGHT + ROW_GAP), segments=segments))
    chart.legend = [(key, label) for key, label in keys if key != NOT_REPORTED or any(r.not_reported for _l, r in rows)]
    return chart


def status_chart(summary: Summary) -> StatusChart:
    """One 100 % bar per pillar and one for the whole program, split by status."""
    return _chart([(row.pillar.numeral if row.pillar else row.label, row) for row in [*summary.rows, summary.total]])


def cycles_chart(columns) -> StatusChart:
    """One 100 % bar per released report (oldest first): the program's status mix year over year."""
    return _chart([(column.cycle.label, column.summary.total) for column in columns], label_width=112)
