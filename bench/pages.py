"""What the public benchmarks measure, and the checks they make before timing anything.

The portal holds several programs under `/<slug>/`; the addresses of the single-program days
(`/`, `/initiatives/1/`) now list the programs or redirect, so a benchmark that requests them
measures a redirect. `measured_pages()` names the reform program's summary, list and initiative
pages and the summary of each other program, each with text that only that page shows (taken from
the fixtures), and `check_pages` stops the benchmark unless a page answers 200 with that text and
without the empty state a program shows before anything of it is public.
`machine()` is the line every benchmark prints beside its figures: the CPU count and the load.
Standard library only, so that the load benchmark can import it outside Django.
"""
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFORM_FIXTURE = ROOT / "fixtures" / "asahikawa_2024.json"
OTHER_FIXTURES = (ROOT / "fixtures" / "asahikawa_strategy_2025.json", ROOT / "fixtures" / "asahikawa_dx_2025.json")


EMPTY = "公開されたデータはまだありません"  # what a program's pages say before anything is public


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    expected: tuple[str, ...]  # every one must be in the body
    absent: tuple[str, ...] = (EMPTY,)  # none may be


def program_document(fixture: Path = REFORM_FIXTURE) -> dict:
    return json.loads(fixture.read_text(encoding="utf-8"))


def summary_page(name: str, program: dict) -> Page:
    return Page(name, f"/{program['slug']}/", (f"<title>概要 | {program['name']} |", "の進行状況</h1>"))


def reform_pages() -> list[Page]:
    """The reform program's summary, list and the page of its initiative 1."""
    document = program_document(REFORM_FIXTURE)
    program = document["program"]
    first = next(item for item in document["initiatives"] if item["number"] == 1)
    slug = program["slug"]
    return [
        summary_page("summary", program),
        Page("list", f"/{slug}/initiatives/", (f"<title>取組一覧 | {program['name']} |", first["name"])),
        Page("initiative", f"/{slug}/initiatives/1/", (f"<title>1. {first['name']} | {program['name']} |",)),
    ]


def other_pages() -> list[Page]:
    """The summary of each program but the reform program."""
    others = [program_document(fixture)["program"] for fixture in OTHER_FIXTURES]
    return [summary_page(f"{program['slug']} summary", program) for program in others]


def measured_pages() -> list[Page]:
    """The pages the load benchmark times: the reform program's three, one of each other program."""
    return reform_pages() + other_pages()


def problem(page: Page, status: int, body: str) -> str | None:
    """What is wrong with `page`'s answer, or None."""
    if status != 200:
        return f"{page.path} ({page.name}) answered {status}, not 200"
    missing = [text for text in page.expected if text not in body]
    if missing:
        return f"{page.path} ({page.name}) answered 200 without {', '.join(repr(text) for text in missing)}"
    shown = [text for text in page.absent if text in body]
    if shown:
        return f"{page.path} ({page.name}) answered 200 with {', '.join(repr(text) for text in shown)}"
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str) -> tuple[int, str]:
    """Status and body of one GET, redirects not followed."""
    try:
        with _opener.open(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def check_pages(base: str, pages: list[Page], *, where: str) -> None:
    """Stop the benchmark unless every page at `base` answers 200 with its expected text."""
    problems = [problem(page, *fetch(base + page.path)) for page in pages]
    problems = [text for text in problems if text]
    if problems:
        sys.exit(f"not timed: {where} does not serve the pages the benchmark measures:\n  " + "\n  ".join(problems))


def machine() -> str:
    """CPU count and load average now, to print beside the figures."""
    one, five, fifteen = os.getloadavg()
    return f"machine: {os.cpu_count()} CPUs, load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"
