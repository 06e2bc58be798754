"""Spreadsheets of passages: the official Excel template, ours, or a CSV, turned into deposits.

Certifiers without an IT department fill the official Excel template of the Caisse des
Dépôts (sheet "Tableau declaration": data IDs 1.1…9.3 on one row, labels on the next) rather
than write XML. This package reads such a file — or our own template, or a CSV with the
same columns — streaming, row by row, in bounded memory:

- `columns`: the template's columns (data ID, label, code name, how to read them);
- `files`: the file recognised by its content (XLSX or UTF-8 text), never by its name
  (anything else, a corrupt or password-protected workbook, an empty file or one without
  the header raises `errors.SheetRefused` with one message); its rows; the header, found
  by data ID or label (accents, case and spaces tolerated; extra columns ignored);
- `xlsx`: the workbook reader behind it (bounded parts, shared strings on disk);
- `values`: each cell read, the quirks of the official template mapped (OUI/NON, NILL,
  Excel dates and numbers, leading zeros lost, `TIERS_DE_CONFIANCE`,
  `EQUIVALENCE_(DIPLOME_ETRANGER)`);
- `conversion`: rows into passages checked by the XSD, errors placed at their row and
  column, then one deposit file handed to the engine;
- `imports`: the conversion of an upload in the background (`SheetImport`);
- `template`: our own template (XLSX, CSV header).
"""
