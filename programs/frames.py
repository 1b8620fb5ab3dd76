"""What a released report printed of its program: the frame, kept with the release.

A released cycle is a fact. The program's names and frame (its levels' and items' names, its
period and fiscal target, its issuer), its perspectives and its pillars are copied into the
cycle when it is released (`ReportingCycle.frame`), and every reader of a released cycle (the
public pages, the open data, the PDF and the workbook) takes them from there through
`frame_of(cycle)`. The reform office may still rename a pillar or correct the program's name:
the edit applies to the cycles released after it, never to what was already released.

A cycle not yet released reads the live rows. English names are translations of the printed
Japanese, added and corrected by staff at any time: they are read live for every cycle.
"""
from dataclasses import dataclass

from . import eras
from .models import Perspective, Pillar, Program
from .statuses import Vocabulary, vocabulary_of

# The program's fields a report prints (its URL name, reviewers and numbering are not printed).
PRINTED_PROGRAM_FIELDS = [
    "name", "name_en", "start_fiscal_year", "end_fiscal_year", "fiscal_target_thousand_yen", "as_of", "as_of_label",
    "introduction", "issuing_office", "issuing_office_en", "level1_label", "level1_label_en", "level2_label",
    "level2_label_en", "item_label", "item_label_en", "has_ledger", "figure_label", "figure_label_en",
    "short_name", "source_title", "as_of_precision",
]
PERSPECTIVE_FIELDS = ["id", "order", "name", "name_en"]
PILLAR_FIELDS = ["id", "perspective_id", "numeral", "key", "order", "name", "name_en"]


@dataclass
class Frame:
    """The program, perspectives and pillars as a cycle shows them (unsaved copies for a released cycle)."""

    program: Program
    perspectives: list[Perspective]
    pillars: list[Pillar]

    def pillar(self, pk: int) -> Pillar | None:
        return self._pillars_by_pk.get(pk)

    def perspective(self, pk: int) -> Perspective | None:
        return self._perspectives_by_pk.get(pk)

    def __post_init__(self):
        self._perspectives_by_pk = {p.pk: p for p in self.perspectives}
        self._pillars_by_pk = {p.pk: p for p in self.pillars}


def frame_document(program: Program) -> dict:
    """The frame as it stands, as JSON (what a release keeps)."""
    return {
        "program": {name: _json(getattr(program, name)) for name in PRINTED_PROGRAM_FIELDS},
        "perspectives": list(Perspective.objects.filter(program=program).order_by("order").values(*PERSPECTIVE_FIELDS)),
        "pillars": list(Pillar.objects.filter(program=program).order_by("order").values(*PILLAR_FIELDS)),
        "statuses": vocabulary_of(program).document(),
    }


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def live_frame(program: Program) -> Frame:
    """The frame as it stands: every perspective (as a release keeps them, with or without pillars)."""
    perspectives = list(Perspective.objects.filter(program=program).order_by("order"))
    by_pk = {perspective.pk: perspective for perspective in perspectives}
    pillars = list(Pillar.objects.filter(program=program).order_by("order"))
    for pillar in pillars:
        pillar.program, pillar.perspective = program, by_pk[pillar.perspective_id]
    return Frame(program=program, perspectives=perspectives, pillars=pillars)


def frame_of(cycle, program: Program | None = None) -> Frame:
    """The frame the cycle shows: as released for a released cycle, else as it stands. Kept on the cycle
    object, so that the readers of one page share it; `program`: the cycle's, when the caller has it.

    The program keeps its identity (pk, URL name) and takes the printed fields the release kept."""
    frame = getattr(cycle, "_frame", None)
    if frame is None:
        program = program or cycle.program
        frame = frame_from_document(program, cycle.frame) if cycle.frame else live_frame(program)
        cycle._frame = frame
    return frame


def _english_names(program: Program) -> dict:
    """The live translations of the program's pillars and perspectives (one query, kept on the program object)."""
    names = program.__dict__.get("_english_names")
    if names is None:
        names = {}
        for pk, name_en, perspective_id, perspective_en in Pillar.objects.filter(program=program).values_list(
            "pk", "name_en", "perspective_id", "perspective__name_en"
        ):
            names[("pillar", pk)], names[("perspective", perspective_id)] = name_en, perspective_en
        program.__dict__["_english_names"] = names
    return names


def frame_from_document(program: Program, document: dict) -> Frame:
    printed = Program()
    for field in Program._meta.concrete_fields:
        setattr(printed, field.attname, getattr(program, field.attname))
    for name, value in document["program"].items():
        if not name.endswith("_en"):  # translations stay live
            setattr(printed, name, Program._meta.get_field(name).to_python(value))
    printed._state.adding, printed._state.db = False, program._state.db
    printed.as_it_stands = program  # for what is not the report's (the site's contact: programs.identity)
    printed.__dict__["_vocabulary"] = _printed_vocabulary(program, document["statuses"])
    english = _english_names(program) if eras.is_english() else {}  # (no query for a Japanese page)
    perspectives = [
        _unsaved(Perspective, {**row, "name_en": english.get(("perspective", row["id"]), row["name_en"])}, program=printed)
        for row in document["perspectives"]
    ]
    by_pk = {p.pk: p for p in perspectives}
    pillars = []
    for row in document["pillars"]:
        pillar = _unsaved(Pillar, {**row, "name_en": english.get(("pillar", row["id"]), row["name_en"])}, program=printed)
        pillar.perspective = by_pk[row["perspective_id"]]
        pillars.append(pillar)
    return Frame(program=printed, perspectives=perspectives, pillars=pillars)


def _printed_vocabulary(program: Program, rows: list[dict]) -> Vocabulary:
    """The statuses as the report printed them, with their English labels as they stand (translations stay live)."""
    if not eras.is_english():
        return Vocabulary.from_document(rows)
    english = {d.code: d.label_en for d in vocabulary_of(program)}
    return Vocabulary.from_document([{**row, "label_en": english.get(row["code"], row["label_en"])} for row in rows])


def _unsaved(model, row: dict, **related):
    """A model instance carrying the kept values; it says it is in the database so that links by pk work."""
    values = {key: value for key, value in row.items() if key != "perspective_id"}
    instance = model(**values, **related)
    instance._state.adding = False
    return instance


def cycle_vocabulary(cycle, program: Program | None = None) -> Vocabulary:
    """The statuses a cycle's pages and reports print: as released for a released cycle (its frame's, without
    building the rest of the frame when no reader has), else the program's as they stand. Kept on the cycle."""
    if not cycle.frame:
        return (program or cycle.program).vocabulary
    frame = getattr(cycle, "_frame", None)
    if frame is not None:
        return frame.program.vocabulary
    vocabulary = getattr(cycle, "_vocabulary", None)
    if vocabulary is None:
        vocabulary = cycle._vocabulary = _printed_vocabulary(program or cycle.program, cycle.frame["statuses"])
    return vocabulary
