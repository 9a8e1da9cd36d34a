"""Cache of published lesson page content (lesson, neighbours, questions and choices) and of the
page bodies rendered for anonymous readers and for each learner state.

A lesson page is the same for every reader apart from their own progress, so the content part is
kept for `PORTAL_CONTENT_CACHE_SECONDS` (default 30; 0 turns it off). Saving or deleting a track,
lesson, question or choice empties the cache of the process that saved, so it sees the change at
once; other processes (workers, pods) see it when their entries expire. Drafts and staff previews
never go through the cache.

The cache is a dict in each process rather than Django's cache framework: its values are model
instances read on every page view, and LocMemCache pickles on every read (0.13 ms per lesson
page, a tenth of an anonymous page's cost; bench/lesson_page_costs.py). Values are never
mutated: views copy what they decorate (lessons/views.py). A shared cache would not help
here: it would add a network round trip to save a cheap query.
"""

import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lessons.models import Choice, Lesson, Question, Track

# 22 lessons x (content + anonymous body + a few learner states): far below this; the bound only
# matters if learners' answer combinations pile up.
MAX_ENTRIES = 2000

_entries: dict[tuple[str, str], tuple[float, object]] = {}


def get_or_load(kind: str, path: str, load):
    """`load()` computes the value (None when there is nothing to cache, e.g. an unknown
    lesson); `kind` names what is cached for the page at `path`."""
    seconds = settings.PORTAL_CONTENT_CACHE_SECONDS
    if seconds <= 0:
        return load()
    key = (kind, path)
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = load()
    if value is not None:
        if len(_entries) >= MAX_ENTRIES:
            _make_room(now)
        _entries[key] = (now + seconds, value)
    return value


def _make_room(now: float) -> None:
    # Snapshots (list() runs without releasing the GIL) and pop(): safe when several threads of
    # one process (runserver, a threaded worker) use the cache at the same time.
    for key, (expires, _) in list(_entries.items()):
        if expires <= now:
            _entries.pop(key, None)
    if len(_entries) >= MAX_ENTRIES:  # still full: drop the oldest quarter (insertion order)
        for key in list(_entries)[: MAX_ENTRIES // 4]:
            _entries.pop(key, None)


def clear() -> None:
    _entries.clear()


@receiver(post_save, sender=Track)
@receiver(post_save, sender=Lesson)
@receiver(post_save, sender=Question)
@receiver(post_save, sender=Choice)
@receiver(post_delete, sender=Track)
@receiver(post_delete, sender=Lesson)
@receiver(post_delete, sender=Question)
@receiver(post_delete, sender=Choice)
def content_changed(**kwargs):
    clear()
