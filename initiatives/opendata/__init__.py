"""The whole program as one JSON document (see docs/data-format.md).

- `export`: writes it (open data, backups);
- `importer` (with `ledger` and `reader`): reads it back in one transaction; a document with any
  error changes nothing and the error says which record and field is wrong;
- `legacy`: upgrades documents of formats 1–3 (and format 4 with status codes only) before import.

The program import as a service, with its actor, is `initiatives.services.program_import`.
"""
FORMAT = "reformtracker/4"


class DataFormatError(Exception):
    """The document does not follow the format; the message names the place."""
