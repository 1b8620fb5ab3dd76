"""The plan workbook: a whole program's plan (frame, levels, statuses, items, schedule) as one Excel file.

The reform office downloads the blank template (`plan_template`) or any program as it stands
(`plan_workbook`, 「Excelで書き出す」), fills it in, and uploads it: `read_plan_workbook` checks it
(the upload limits of the record import first, then every cell) and returns the program's JSON
document (docs/data-format.md), which `initiatives.services.plan_import` creates with its first
reporting cycle. Export → import → export gives the same workbook. The sheets are described in
`layout` and, for the staff, in docs/plan-workbook.md.
"""
