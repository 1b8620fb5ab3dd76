"""The program and its frame: perspectives, pillars, departments and their divisions; the reporting cycles."""
from .cycles import JAPAN, CycleState, ReportingCycle, ReportingCycleQuerySet
from .program import (
    RESERVED_SLUGS, SEVERAL_PROGRAMS_KEY, DatePrecision, Numbering, Program, ProgramStatus, forget_program_count,
    several_programs, validate_slug_not_reserved,
)
from .structure import Department, Division, Perspective, Pillar, SiteIdentity

__all__ = [
    "JAPAN", "RESERVED_SLUGS", "SEVERAL_PROGRAMS_KEY", "CycleState", "DatePrecision", "Department", "Division",
    "Numbering", "Perspective", "Pillar", "Program", "ProgramStatus", "ReportingCycle", "ReportingCycleQuerySet",
    "SiteIdentity", "forget_program_count", "several_programs", "validate_slug_not_reserved",
]
