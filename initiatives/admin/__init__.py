"""The staff tool: initiatives, their yearly records and the reporting cycles in the Django admin.

Every path is scoped by department (scoping.py, roles.py): list, change view, inlines,
actions, history and exports. Writes go through the services package. Screens that concern "the
current period" look at the open cycle only (ReportingCycle.objects.current,
YearlyRecord.objects.current): a closed or released cycle is never their target.

- scoping.py: ScopedAdmin (the department scope) and the list filters;
- initiatives.py: initiatives, their departments and four-year 作業工程, bulk actions;
- records.py: the yearly record a department reports, its workflow buttons; publications;
- cycles.py: reporting cycles: open, close, reopen, release (公表), the submission overview;
- structure.py: the program scope applied to the admins of programs/ and finance/.
"""
from . import cycles, initiatives, records, structure  # noqa: F401  (importing registers the admins)
