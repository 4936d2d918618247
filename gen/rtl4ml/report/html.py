"""report.html: one self-contained page (tables + PNG plots beside it), no network needed."""

from __future__ import annotations

import html
from pathlib import Path

PAGE_STYLE = ("body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child{text-align:left}"
          "img{max-width:100%}")


def _markdown_to_html(text: str) -> str:
    """The small subset report.md uses: headings, paragraphs, pipe tables."""
    out, table = [], []

    def flush():
        if table:
            rows = [row for row in table if not set(row.replace("|", "")) <= {"-", " "}]
            out.append("<table>" + "".join(
                "<tr>" + "".join(f"<{'th' if i == 0 else 'td'}>{html.escape(cell.strip())}</{'th' if i == 0 else 'td'}>"
                                 for cell in row.strip().strip("|").split("|")) + "</tr>"
                for i, row in enumerate(rows)) + "</table>")
            table.clear()

    for line in text.splitlines():
        if line.startswith("|"):
            table.append(line)
            continue
        flush()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{html.escape(line.lstrip('#').strip())}</h{level}>")
        elif line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    flush()
    return "\n".join(out)


def write_html(report: dict, markdown: str, path: Path) -> Path:
    """The page for `report`, whose tables are the already-written report.md text."""
    path = Path(path)
    images = "".join(f'<h2>{html.escape(name)}</h2><img src="{html.escape(file)}" alt="{html.escape(name)}">'
                     for name, file in report["Plots"].items())
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>rtl4ml report "
                    f"{html.escape(report['ProjectName'])}</title><style>{PAGE_STYLE}</style></head><body>"
                    f"{_markdown_to_html(markdown)}{images}</body></html>\n")
    return path
