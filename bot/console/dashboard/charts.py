"""A chart as the dashboard shows it: one table of figures, drawn as SVG, listed as a table, exported as CSV.

The three come from the same rows, so the picture, the table a screen reader or a printer gets and the file a
spreadsheet gets cannot disagree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Literal

from bot.console.spreadsheet import csv_cell

Value = float | int | str | None  # text only in the columns that are not drawn
Kind = Literal["columns", "lines", "bars"]  # columns: over time, stacked when several; bars: horizontal, ranked


@dataclass
class Chart:
    name: str  # its id in the page and in its CSV file's address
    title: str
    kind: Kind
    category: str  # the first column's header (day, week, article...)
    series: list[str]  # the value columns' headers
    rows: list[tuple[str, list[Value]]] = field(default_factory=list)
    unit: Literal["", "%", "h"] = ""  # "%": the values are shares (0 to 1); "h": hours
    plotted: int | None = None  # only the first this many series are drawn; the others are table and CSV only
    note: str = ""
    links: dict[str, str] = field(default_factory=dict)  # category -> address, for the table

    @property
    def drawn(self) -> list[str]:
        return self.series[: self.plotted] if self.plotted is not None else self.series

    @property
    def empty(self) -> bool:
        return not any(value for _category, values in self.rows for value in values[: len(self.drawn)])

    def shown(self, value: Value, index: int = 0) -> str:
        """A value as the table shows it."""
        if value is None:
            return "—"
        unit = self.unit if index < len(self.drawn) else ""
        if unit == "%":
            return f"{value * 100:.0f} %"
        if unit == "h":
            return f"{value:.1f} h"
        return f"{value:g}" if isinstance(value, float) else str(value)

    def csv(self) -> str:
        """The rows as CSV: shares as percentages, hours with one decimal, nothing else rounded."""
        out = io.StringIO()
        writer = csv.writer(out)
        headers = [
            f"{name} (%)" if self.unit == "%" and i < len(self.drawn) else name for i, name in enumerate(self.series)
        ]
        writer.writerow([csv_cell(self.category), *map(csv_cell, headers)])
        for category, values in self.rows:
            cells = []
            for i, value in enumerate(values):
                if value is None:
                    cells.append("")
                elif self.unit == "%" and i < len(self.drawn):
                    cells.append(f"{value * 100:.1f}")
                elif self.unit == "h" and i < len(self.drawn):
                    cells.append(f"{value:.1f}")
                else:
                    cells.append(value)
            writer.writerow([csv_cell(category), *cells])
        return out.getvalue()
