"""HTMLReport: one self-contained HTML page (inline CSS, images as base64 PNG, tables as CSV links)."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import os
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["HTMLReport", "Section"]

#: Rows of a table shown on the page; the CSV link holds every row.
SHOWN_ROWS = 15
#: Rows a CSV link holds at most (with 10,000 creators, every one of them).
CSV_MAX_ROWS = 10_000

_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1f2933;
background:#f5f7fa;line-height:1.45}
header{background:#243b53;color:#fff;padding:28px 48px}
header h1{margin:0 0 6px;font-size:28px}
header p{margin:2px 0;color:#d9e2ec}
nav{padding:12px 48px;background:#fff;border-bottom:1px solid #d9e2ec;font-size:14px}
nav a{margin-right:18px;color:#334e68;text-decoration:none;font-weight:600}
main{padding:8px 48px 48px;max-width:1180px}
section{background:#fff;border:1px solid #d9e2ec;border-radius:8px;margin:24px 0;padding:20px 28px}
section h2{margin:0 0 4px;font-size:22px;color:#102a43}
p.lead{margin:0 0 14px;font-size:16px;color:#486581}
p.intro{margin:20px 0 0}
p.note{font-size:14px;color:#52606d;margin:8px 0}
p.missing{font-size:15px;color:#8d2b0b;background:#fff3e0;padding:10px 14px;border-radius:6px}
img{max-width:100%;height:auto;display:block;margin:10px 0}
table{border-collapse:collapse;font-size:13px;margin:10px 0}
th,td{border-bottom:1px solid #e4e7eb;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f0f4f8;color:#243b53}
.n{text-align:right;font-variant-numeric:tabular-nums}
a.csv{display:inline-block;margin:6px 12px 0 0;padding:6px 12px;background:#e3f8ff;
border:1px solid #9fb3c8;border-radius:6px;color:#0b4f71;font-size:14px;text-decoration:none}
.pass{color:#1f7a3a;font-weight:600}.fail{color:#b42318;font-weight:600}
footer{font-size:12px;color:#829ab1;padding:0 48px 32px}
"""


_INTRO = ("Each section starts with one sentence saying what it shows. Pictures show the first "
          "creators of a list; the button under each table downloads all the numbers as a "
          "spreadsheet (CSV file).")


@dataclass
class Section:
    """One section of the report: a title, a one-line explanation, pictures, tables.

    Parameters
    ----------
    key : str
        Anchor of the section (``id`` attribute), e.g. ``"segments"``.
    title : str
        Heading.
    lead : str
        The one-line explanation under the heading, in plain words.
    parts : list of str, default=[]
        The HTML of the parts added so far, in order.
    tables : list of tuple, default=[]
        One ``(title, rows shown, rows in all)`` per table added.
    """

    key: str
    title: str
    lead: str
    parts: list = field(default_factory=list)
    #: one line per table: (title, rows shown, rows in all), for ``summary``
    tables: list = field(default_factory=list)

    def add_figure(self, figure, *, alt: str, dpi: int = 90) -> Section:
        """Embed a matplotlib figure as a base64 PNG, then close it.

        Parameters
        ----------
        figure : matplotlib Figure
            The picture (a Display's ``figure_``).
        alt : str
            Text that stands for the picture (screen readers, a failed image).
        dpi : int, default=90
            Resolution of the PNG.

        Returns
        -------
        section : Section
            This section.
        """
        buffer = io.BytesIO()
        with warnings.catch_warnings():  # emoji in captions: drawn as boxes, said once here
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        try:
            import matplotlib.pyplot as plt

            plt.close(figure)
        except ImportError:  # pragma: no cover - a figure implies matplotlib
            pass
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.parts.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">')
        return self

    def add_text(self, text: str, *, kind: str = "note") -> Section:
        """Add a paragraph of plain text (escaped).

        Parameters
        ----------
        text : str
            The paragraph.
        kind : {"note", "missing"}, default="note"
            A note, or the highlighted explanation of a part that could not be made.

        Returns
        -------
        section : Section
            This section.
        """
        self.parts.append(f'<p class="{kind}">{html.escape(text)}</p>')
        return self

    def add_table(self, table: pd.DataFrame, *, name: str, title: str, shown: int = SHOWN_ROWS,
                  csv_max_rows: int = CSV_MAX_ROWS, formats: dict | None = None,
                  on_page: pd.DataFrame | None = None) -> Section:
        """Show the first ``shown`` rows of ``table`` and link all of it as a CSV download.

        Parameters
        ----------
        table : DataFrame
            The numbers; its index is written when it is named.
        name : str
            File name of the download (``"segments.csv"``).
        title : str
            What the table holds, for the link ("every creator's segment").
        shown : int, default=15
            Rows shown on the page (0: none, the link only).
        csv_max_rows : int, default=10_000
            Rows in the CSV at most; the link says when it holds fewer than the table.
        formats : dict of str to callable, default=None
            Per column, how a value is written on the page (the CSV keeps full values).
        on_page : DataFrame, default=None
            The rows shown on the page instead of the first ``shown`` of ``table``
            (e.g. the top 3 of each group); at most ``shown`` of them are shown.

        Returns
        -------
        section : Section
            This section.
        """
        table = table.reset_index() if table.index.name is not None else table
        n = len(table)
        if shown:
            page = table if on_page is None else (
                on_page.reset_index() if on_page.index.name is not None else on_page)
            self.parts.append(_table_html(page.head(shown), formats or {}))
        in_csv = min(n, csv_max_rows)
        csv = table.head(in_csv).to_csv(index=False, float_format="%.6g")
        data = base64.b64encode(csv.encode("utf-8")).decode("ascii")
        count = (f"{n:,} rows" if in_csv == n
                 else f"the first {in_csv:,} of {n:,} rows")
        shown_text = (f"Showing {min(shown, n):,} of {n:,} rows. " if shown and n > shown
                      else "")
        self.parts.append(
            f'<p class="note">{html.escape(shown_text)}<a class="csv" download="{html.escape(name)}" '
            f'href="data:text/csv;base64,{data}">Download {html.escape(title)} (spreadsheet, '
            f"CSV, {html.escape(count)})</a></p>"
        )
        self.tables.append((title, min(shown, n), n))
        return self

    def to_html(self) -> str:
        """The section as an HTML ``<section>`` element.

        Returns
        -------
        html : str
        """
        return (f'<section id="{html.escape(self.key)}"><h2>{html.escape(self.title)}</h2>'
                f'<p class="lead">{html.escape(self.lead)}</p>' + "\n".join(self.parts)
                + "</section>")


def _table_html(table: pd.DataFrame, formats: dict) -> str:
    """A plain HTML table: numbers right-aligned and written for reading, text escaped."""
    numeric = {c: pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(
        table[c]) for c in table.columns}
    head = "".join(f'<th class="{"n" if numeric[c] else "t"}">{html.escape(str(c))}</th>'
                   for c in table.columns)
    body = []
    for row in table.itertuples(index=False):
        cells = []
        for c, v in zip(table.columns, row, strict=True):
            fmt = formats.get(c)
            text = fmt(v) if fmt is not None else _number(v) if numeric[c] else str(v)
            cells.append(f'<td class="{"n" if numeric[c] else "t"}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _number(value) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(v):
        return "–"
    if float(v).is_integer():
        return f"{v:,.0f}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.2f}"
    return f"{v:.3g}"


class HTMLReport:
    """A report as one HTML file that needs nothing else: no network, no other file.

    Sections are added in order with :meth:`section`; :meth:`write` puts them
    on one page with a table of contents. Pictures are embedded as base64 PNG,
    the numbers behind each picture as tables whose full content downloads as
    CSV from a ``data:`` link, and the style is inline.

    Parameters
    ----------
    title : str
        Title of the page.
    subtitle : str, default=""
        One line under the title (what data, when).
    intro : str, default=None
        A paragraph above the first section; default: how to read the page.

    Attributes
    ----------
    sections : list of Section
        The sections, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence.report import HTMLReport
    >>> report = HTMLReport("Creators", subtitle="demo")
    >>> section = report.section("checks", "Data checks", "What was checked.")
    >>> _ = section.add_table(pd.DataFrame({"check": ["ids unique"], "result": ["passed"]}),
    ...                       name="checks.csv", title="the checks")
    >>> page = report.to_html()
    >>> '<section id="checks">' in page and "data:text/csv;base64," in page
    True
    >>> "http" in page.replace("http-equiv", "")
    False
    """

    def __init__(self, title: str, *, subtitle: str = "", intro: str | None = None):
        self.title = title
        self.subtitle = subtitle
        self.intro = intro
        self.sections: list[Section] = []

    def section(self, key: str, title: str, lead: str) -> Section:
        """Add a section at the end of the page and return it.

        Parameters
        ----------
        key : str
            Anchor of the section, unique in the report.
        title : str
            Heading, also the entry of the table of contents.
        lead : str
            The one-line explanation under the heading, in plain words.

        Returns
        -------
        section : Section
            Add figures, tables and text to it.
        """
        if any(s.key == key for s in self.sections):
            raise ValueError(f"the report already has a section {key!r}")
        section = Section(key, title, lead)
        self.sections.append(section)
        return section

    def to_html(self) -> str:
        """The whole page as a string.

        Returns
        -------
        html : str
        """
        nav = "".join(f'<a href="#{html.escape(s.key)}">{html.escape(s.title)}</a>'
                      for s in self.sections)
        made = _dt.datetime.now().strftime("%d %B %Y, %H:%M")
        from .. import __version__

        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>"
            f"<header><h1>{html.escape(self.title)}</h1><p>{html.escape(self.subtitle)}</p>"
            f"<p>Made on {html.escape(made)}</p></header><nav>{nav}</nav><main>"
            f'<p class="lead intro">{html.escape(self.intro or _INTRO)}</p>'
            + "\n".join(s.to_html() for s in self.sections)
            + f"</main><footer>Made with skinfluence {html.escape(__version__)}. This page is "
            "one file: it works offline and can be sent as an attachment.</footer></body></html>"
        )

    def write(self, path) -> str:
        """Write the page to a file (UTF-8).

        Parameters
        ----------
        path : str or path-like
            The HTML file; replaced if it exists.

        Returns
        -------
        path : str
            The path written.
        """
        path = os.fspath(path)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_html())
        return path
