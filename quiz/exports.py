"""Exports for people outside the app: statements for content review (JSON, CSV)."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from quiz.content import Pack

# Danish spreadsheets use ';' between fields (',' is the decimal mark), and a UTF-8 byte-order mark
# makes Excel read æ, ø and å correctly.
CSV_DIALECT = {"delimiter": ";", "lineterminator": "\r\n"}
BOM = "\ufeff"

STATEMENT_FIELDS = ["id", "text", "perspective", "role"]


def statement_rows(pack: Pack) -> list[dict[str, str]]:
    """Every statement of the pack as ``{id, text, perspective, role}``, in the pack's order."""
    return [{k: getattr(s, k) for k in STATEMENT_FIELDS} for s in pack.statements]


def write_csv(rows: list[dict], fields: list[str], out: TextIO) -> None:
    """Write rows as a spreadsheet-friendly CSV (BOM, ';', a header row)."""
    out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=fields, **CSV_DIALECT)
    writer.writeheader()
    writer.writerows(rows)


def write_statements(pack: Pack, *, fmt: str, out: TextIO) -> None:
    """Write every statement of ``pack`` as a JSON array or a CSV table."""
    rows = statement_rows(pack)
    if fmt == "csv":
        write_csv(rows, STATEMENT_FIELDS, out)
    else:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
