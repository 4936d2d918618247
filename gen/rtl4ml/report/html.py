"""report.html: one self-contained page (tables + PNG plots beside it), no network needed."""

from __future__ import annotations

import html
from pathlib import Path

PAGE_STYLE = ("body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
              "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child{text-align:left}"
              "img{max-width:100%}")


def markdown_to_html(text: str) -> str:
    """CommonMark with pipe tables, rendered by markdown-it-py; raw HTML in the text is escaped, not passed."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def write_html(report: dict, markdown: str, path: Path) -> Path:
    """The page for `report`, whose tables are the already-written report.md text."""
    path = Path(path)
    images = "".join(f'<h2>{html.escape(name)}</h2><img src="{html.escape(file)}" alt="{html.escape(name)}">'
                     for name, file in report["Plots"].items())
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>rtl4ml report "
                    f"{html.escape(report['ProjectName'])}</title><style>{PAGE_STYLE}</style></head><body>"
                    f"{markdown_to_html(markdown)}{images}</body></html>\n")
    return path
