"""Lesson search: PostgreSQL full-text search (weighted, GIN-indexed) or a simple SQLite fallback.

Snippets come back as HTML with the matches in <mark>; everything else in them is escaped.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lessons.models import Lesson, Status

MAX_RESULTS = 30
_START, _STOP = "\x02", "\x03"  # never in lesson text; replaced by <mark> after escaping


@dataclass
class Result:
    lesson: Lesson
    snippet: SafeString


def _published():
    return (
        Lesson.objects.published()
        .filter(track__status=Status.PUBLISHED)
        .select_related("track")
        .defer("body", "body_html", "toc_html")
    )


def _marked(text: str) -> SafeString:
    return mark_safe(  # noqa: S308 - escaped first; only our own <mark> tags are added
        escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    )


def search(query: str) -> list[Result]:
    query = " ".join(query.split())
    if not query:
        return []
    if connection.vendor == "postgresql":
        return _search_postgres(query)
    return _search_simple(query)


def _search_postgres(query: str) -> list[Result]:
    ts_query = SearchQuery(query, search_type="websearch", config="english")
    lessons = (
        _published()
        .filter(search_vector=ts_query)
        .annotate(
            rank=SearchRank(F("search_vector"), ts_query),
            headline=SearchHeadline(
                "body_text",
                ts_query,
                config="english",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "track__order", "order")[:MAX_RESULTS]
    )
    return [Result(lesson, _marked(lesson.headline)) for lesson in lessons]


def _search_simple(query: str) -> list[Result]:
    terms = [t for t in re.split(r"\W+", query.lower()) if len(t) > 1][:8]
    if not terms:
        return []
    condition = Q()
    for term in terms:
        condition &= (
            Q(title__icontains=term) | Q(summary__icontains=term) | Q(body_text__icontains=term)
        )
    scored = []
    for lesson in _published().filter(condition):
        title, summary, body = (
            lesson.title.lower(),
            lesson.summary.lower(),
            lesson.body_text.lower(),
        )
        score = sum(3 * (t in title) + 2 * (t in summary) + body.count(t) * 0.01 for t in terms)
        scored.append((score, lesson))
    scored.sort(key=lambda pair: (-pair[0], pair[1].track.order, pair[1].order))
    return [Result(lesson, _snippet(lesson.body_text, terms)) for _, lesson in scored[:MAX_RESULTS]]


def _snippet(text: str, terms: list[str], width: int = 220) -> SafeString:
    lower = text.lower()
    positions = [lower.find(t) for t in terms if lower.find(t) >= 0]
    start = max(0, min(positions) - 60) if positions else 0
    fragment = text[start : start + width]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    fragment = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", fragment)
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return _marked(prefix + fragment + suffix)
