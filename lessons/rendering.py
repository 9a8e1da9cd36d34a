"""Lesson Markdown to safe HTML. Runs when a lesson is saved, never per page view.

Markdown extensions give tables, fenced code highlighted by Pygments, heading anchors with a
table of contents, and admonitions. The result then goes through nh3 (ammonia), an allowlist
sanitiser: tags, attributes, classes and URL schemes not listed here are removed, so a body
containing <script>, onerror= or javascript: links is stored and shown without them.
"""

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from pygments.token import STANDARD_TYPES

WORDS_PER_MINUTE = 220

_EXTENSIONS = ["fenced_code", "codehilite", "tables", "toc", "admonition", "sane_lists"]
_EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False, "wrapcode": True},
    "toc": {
        "permalink": "#",
        "permalink_class": "headerlink",
        "permalink_title": "Link to this section",
        "toc_depth": "2-3",
    },
}

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "style"},
    "th": {"align", "style"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
_ALLOWED_CLASSES = {
    "div": {"highlight", "admonition", "note", "tip", "warning", "danger", "important", "toc"},
    "p": {"admonition-title"},
    "a": {"headerlink"},
    "span": {cls for cls in STANDARD_TYPES.values() if cls},
    "code": set(),
}
# Only table cell alignment may carry a style; nh3 filters the CSS properties.
_ALLOWED_STYLE_PROPERTIES = {"text-align"}
_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str
    text: str
    word_count: int


# An <img> whose src was removed (script-carrying or off-site) would be an empty image without
# a text alternative: drop the element.
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def sanitize(raw_html: str) -> str:
    cleaned = nh3.clean(
        raw_html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        allowed_classes=_ALLOWED_CLASSES,
        filter_style_properties=_ALLOWED_STYLE_PROPERTIES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        attribute_filter=_filter_attribute,
    )
    return _IMG_WITHOUT_SRC.sub("", cleaned)


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    # Images only from this site: a lesson must not make the reader's browser call other hosts.
    if element == "img" and attribute == "src" and not value.startswith("/"):
        return None
    return value


_TAG = re.compile(r"<[^>]+>")
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>#</a>')


def html_to_text(fragment: str) -> str:
    """Plain text of a sanitised fragment, for search and word counts."""
    without_links = _PERMALINK.sub("", fragment)
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", without_links))).strip()


def render_markdown(source: str) -> Rendered:
    if not source or not source.strip():
        return Rendered(html="", toc_html="", text="", word_count=0)
    md = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS)
    body_html = sanitize(md.convert(source))
    toc_html = sanitize(md.toc) if getattr(md, "toc_tokens", None) else ""
    text = html_to_text(body_html)
    return Rendered(html=body_html, toc_html=toc_html, text=text, word_count=len(text.split()))
