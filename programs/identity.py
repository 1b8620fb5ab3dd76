"""Whose site and report this is: the city, the issuing office, how to reach it.

`site_identity(program)` is what the public pages' header and footer and the feeds read: the
site-wide identity the reform office edits in the admin (`SiteIdentity`), with the program's own
issuing office (`Program.issuing_office`), in the active language. Only what has been entered is
given: a program whose document names no issuer has none (""), and an empty contact detail is
None, never a guess.
"""
from dataclasses import dataclass

from .models import Program, SiteIdentity
from .text import in_language


@dataclass(frozen=True)
class Identity:
    city: str
    issuing_office: str  # as the program records it (旭川市 行財政改革推進部 行政改革課); "" when it names none
    phone: str | None
    email: str | None
    address: str | None
    office_hours: str | None
    contact_url: str | None
    official_site_url: str | None

    @property
    def has_contact(self) -> bool:
        return any([self.phone, self.email, self.address, self.contact_url])


def site_identity(program: Program | None = None) -> Identity:
    """The identity in the active language (English where it was entered, else the Japanese)."""
    site = SiteIdentity.objects.filter(pk=1).first() or SiteIdentity()
    city = in_language(site.city_name, site.city_name_en)
    program = getattr(program, "as_it_stands", program)  # the office to contact now, not as a released report printed it
    office = in_language(program.issuing_office, program.issuing_office_en) if program is not None else ""
    return Identity(
        city=city,
        issuing_office=office,
        phone=site.phone or None,
        email=site.email or None,
        address=in_language(site.address, site.address_en) or None,
        office_hours=in_language(site.office_hours, site.office_hours_en) or None,
        contact_url=site.contact_url or None,
        official_site_url=site.official_site_url or None,
    )
