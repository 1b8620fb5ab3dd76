"""A program's roadmap as a year grid: one row per item under its pillar, one column per fiscal year.

The dX acceleration policy prints its plan as such a grid (section 7, ロードマップ): 取組内容 under each
重点取組, then ～R5 (what was done up to the year before the period), R6–R9 (the step of each year of
the period) and 将来像 (where the item is meant to arrive). The same grid is shown on the public summary
and printed in the annual PDF; both build it here, from publications (`Publication`), so that a released
report shows what its release kept, never the live rows.

A program's frame is a year roadmap when its items state where they are going (将来像, `goal`) beside
steps in its years: decided by the data, not by the program's name. The reform program's initiatives
have a 作業工程 but no 将来像, the strategy's projects neither: they get no grid.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext

from programs import eras

from .publication import Publication


@dataclass(frozen=True)
class RoadmapColumn:
    """A column of the grid: "before" (up to the year before the period), "year" or "after" (将来像)."""

    kind: str
    fiscal_year: int | None = None

    @property
    def label(self) -> str:
        """The column's heading as the roadmap prints it (～R5, R6, 将来像); FY2023, FY2024 in English."""
        if self.kind == "after":
            return gettext("将来像")
        year = f"FY{self.fiscal_year}" if eras.is_english() else era_abbreviation(self.fiscal_year)
        return gettext("～%(year)s") % {"year": year} if self.kind == "before" else year

    @property
    def title(self) -> str:
        """The heading in full (the abbreviation's expansion): 令和5年度まで, 令和6年度（2024年度）."""
        if self.kind == "after":
            return gettext("目指す将来像")
        year = eras.display_fiscal_year(self.fiscal_year, western=True)
        return gettext("%(year)sまで") % {"year": year} if self.kind == "before" else year


def era_abbreviation(fiscal_year: int) -> str:
    """R6 for 2024 (令和6年度), H30 for 2018: the short form the city's roadmaps print."""
    name, number = eras.era_year(fiscal_year)
    return f"{ {'令和': 'R', '平成': 'H'}[name]}{number}"


@dataclass
class RoadmapCell:
    column: RoadmapColumn
    text: str


@dataclass
class RoadmapRow:
    """An item: its name and what the grid prints in each column ('' where the roadmap is blank)."""

    number: int
    name: str
    pillar: object  # its group's pillar (for the item's address: the pillar's key and the number)
    cells: list[RoadmapCell]

    def text(self, kind: str, fiscal_year: int | None = None) -> str:
        return next(c.text for c in self.cells if c.column.kind == kind and c.column.fiscal_year == fiscal_year)

    @property
    def steps(self) -> list[str]:
        """The step of each year of the period, in order."""
        return [c.text for c in self.cells if c.column.kind == "year"]


@dataclass
class RoadmapGroup:
    """A pillar (the dX policy's 重点取組) and its items, in the roadmap's order."""

    pillar: object  # programs.models.Pillar (a released frame's unsaved copy for a released cycle)
    rows: list[RoadmapRow] = field(default_factory=list)


@dataclass
class Roadmap:
    columns: list[RoadmapColumn]
    groups: list[RoadmapGroup]

    @property
    def fiscal_years(self) -> list[int]:
        return [c.fiscal_year for c in self.columns if c.kind == "year"]

    @property
    def rows(self) -> list[RoadmapRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def colgroup(self) -> list[tuple[str, float]]:
        """(kind, percent width) of the name column ("name") and of each column, as `widths` sets them."""
        return list(zip(["name"] + [column.kind for column in self.columns], self.widths()))

    def widths(self, least: float = 7.0) -> list[float]:
        """Percent widths of the name column and each column, after how much text each holds (dampened, at least
        `least`): a printed page fits more when the year the roadmap fills most is the widest."""
        texts = [[row.name for row in self.rows]] + [[row.cells[i].text for row in self.rows] for i in range(len(self.columns))]
        weights = [max(sum(len(text) for text in column), 1) ** 0.5 for column in texts]
        shares = [100 * weight / sum(weights) for weight in weights]
        raised = [max(share, least) for share in shares]
        excess = sum(raised) - 100
        spare = sum(share - least for share in raised if share > least)
        return [round(share - excess * (share - least) / spare if share > least else share, 1) for share in raised]


def is_year_roadmap(publications: Iterable[Publication], fiscal_years) -> bool:
    """Whether the items' frame is a year roadmap: some item states a 将来像 and some a step in a year."""
    publications = list(publications)
    return any(p.goal for p in publications) and any(
        step["step"] for p in publications for step in p.schedule(fiscal_years)
    )


def roadmap_of(entries: Iterable[tuple[object, Publication]], fiscal_years) -> Roadmap | None:
    """The grid of `entries` (pillar, publication), pillar by pillar in their order, each by number; None unless they form a year roadmap. The ～ column is there when some item states what came
    before the period (background), the 将来像 column always."""
    entries = sorted(entries, key=lambda entry: (entry[0].order, entry[1].number))
    fiscal_years = list(fiscal_years)
    if not fiscal_years or not is_year_roadmap((p for _, p in entries), fiscal_years):
        return None
    columns = [RoadmapColumn("year", year) for year in fiscal_years] + [RoadmapColumn("after")]
    if any(p.background for _, p in entries):
        columns.insert(0, RoadmapColumn("before", fiscal_years[0] - 1))
    groups: dict[object, RoadmapGroup] = {}
    for pillar, publication in entries:
        group = groups.get(pillar.pk)
        if group is None:
            group = groups[pillar.pk] = RoadmapGroup(pillar)
        steps = {s["fiscal_year"]: s["step"] for s in publication.schedule(fiscal_years)}
        texts = {"before": publication.background, "after": publication.goal}
        cells = [RoadmapCell(c, steps[c.fiscal_year] if c.kind == "year" else texts[c.kind]) for c in columns]
        group.rows.append(RoadmapRow(publication.number, publication.name, pillar, cells))
    return Roadmap(columns=columns, groups=list(groups.values()))
