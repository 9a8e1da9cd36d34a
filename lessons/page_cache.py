"""Cache of published lesson page content (lesson, neighbours, questions and choices) and of the
page body rendered for anonymous readers.

A lesson page is the same for every reader apart from their own progress, so the content part is
kept in Django's cache for `PORTAL_CONTENT_CACHE_SECONDS` (default 30; 0 turns it off). Saving
or deleting a track, lesson, question or choice bumps a generation number that is part of every
key, so the process that saved sees the change at once; other processes see it when their entry
expires (the default cache is per process; point CACHES at a shared cache to make it global).
Drafts and staff previews never go through the cache.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lessons.models import Choice, Lesson, Question, Track

_GENERATION_KEY = "lesson-page:generation"


def _generation() -> int:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = 1
        cache.add(_GENERATION_KEY, generation, timeout=None)
    return generation


def get_or_load(kind: str, path: str, load):
    """`load()` computes the value (None when there is nothing to cache, e.g. an unknown
    lesson); `kind` names what is cached for the page at `path`."""
    seconds = settings.PORTAL_CONTENT_CACHE_SECONDS
    if seconds <= 0:
        return load()
    key = f"lesson-page:{_generation()}:{kind}:{path}"
    content = cache.get(key)
    if content is None:
        content = load()
        if content is not None:
            cache.set(key, content, timeout=seconds)
    return content


@receiver(post_save, sender=Track)
@receiver(post_save, sender=Lesson)
@receiver(post_save, sender=Question)
@receiver(post_save, sender=Choice)
@receiver(post_delete, sender=Track)
@receiver(post_delete, sender=Lesson)
@receiver(post_delete, sender=Question)
@receiver(post_delete, sender=Choice)
def content_changed(**kwargs):
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value makes old keys unreachable
        cache.set(_GENERATION_KEY, 2, timeout=None)
