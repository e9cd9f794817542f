"""The one HTML frame of the gateway's pages: inline style, no script, nothing fetched."""

from __future__ import annotations

from html import escape

__all__ = ["page"]

_STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2430;
background:#f4f6f9;margin:0}
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:10px;padding:2rem 2.25rem;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
main.wide{max-width:64rem}
h1{font-size:1.45rem;margin:0 0 1rem}h2{font-size:1.15rem;margin-top:2rem}
h3{font-size:1rem;margin:1.4rem 0 .4rem}
p.muted{color:#5b6574;font-size:.92rem}
button{font:inherit;background:#0b6bcb;color:#fff;border:0;border-radius:6px;
padding:.65rem 1.3rem;cursor:pointer}button:hover{background:#0957a6}
table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{border-bottom:1px solid #e3e7ed;padding:.35rem .5rem;text-align:left;vertical-align:top}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em}
code.m{font-weight:600}
.ok{color:#17663a}.bad{color:#a4262c}
ul.businesses{padding-left:1.2rem}
label{display:block;font-size:.92rem;margin:.8rem 0 .25rem}
input[type=text],input[type=password]{font:inherit;width:100%;box-sizing:border-box;
padding:.5rem .6rem;border:1px solid #c5ccd6;border-radius:6px;margin-bottom:.2rem}
form button{margin-top:1.1rem}
"""


def page(title: str, body_html: str, *, wide: bool = False) -> str:
    """A whole HTML page; ``body_html`` must already be escaped where it holds input."""
    width = " class=wide" if wide else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main{width}><h1>{escape(title)}</h1>{body_html}</main></body></html>"
    )
