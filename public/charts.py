"""Geometry of the server-rendered SVG charts (no script, no style attribute: classes only)."""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from initiatives.models import Status
from initiatives.selectors import Summary

WIDTH = 420
LABEL_WIDTH = 64
BAR_WIDTH = WIDTH - LABEL_WIDTH - 8
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
    bar_width: int = BAR_WIDTH
    label_width: int = LABEL_WIDTH
    row_height: int = ROW_HEIGHT


def status_chart(summary: Summary) -> StatusChart:
    """One 100 % bar per pillar and one for the whole program, split by status."""
    keys = [(s.value, str(s.label)) for s in Status] + [(NOT_REPORTED, str(_("未公開")))]
    rows = []
    for index, row in enumerate([*summary.rows, summary.total]):
        counts = {**row.counts, NOT_REPORTED: row.not_reported}
        x = float(LABEL_WIDTH)
        segments = []
        for key, label in keys:
            count = counts.get(key, 0)
            if not count or not row.initiatives:
                continue
            width = BAR_WIDTH * count / row.initiatives
            segments.append(Segment(key, label, count, round(x, 2), round(width, 2)))
            x += width
        label = row.pillar.numeral if row.pillar else row.label
        rows.append(ChartRow(label=label, y=index * (ROW_HEIGHT + ROW_GAP), segments=segments))
    height = len(rows) * (ROW_HEIGHT + ROW_GAP)
    legend = [(key, label) for key, label in keys if key != NOT_REPORTED or summary.total.not_reported]
    return StatusChart(rows=rows, height=height, legend=legend)
