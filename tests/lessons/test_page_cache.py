"""lessons/page_cache.py: expiry, the size bound, and clearing on content changes."""

import pytest
from django.test import override_settings

from lessons import page_cache


@pytest.fixture(autouse=True)
def fresh_cache():
    page_cache.clear()
    with override_settings(PORTAL_CONTENT_CACHE_SECONDS=30):
        yield
    page_cache.clear()


class Clock:
    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(page_cache.time, "monotonic", lambda: self.now)


def loader(values):
    calls = []

    def load():
        calls.append(1)
        return values[len(calls) - 1]

    return load, calls


def test_a_value_is_kept_for_the_configured_seconds(monkeypatch):
    clock = Clock(monkeypatch)
    load, calls = loader(["first", "second"])
    assert page_cache.get_or_load("content", "/a/", load) == "first"
    clock.now += 29.9
    assert page_cache.get_or_load("content", "/a/", load) == "first"
    clock.now += 0.2
    assert page_cache.get_or_load("content", "/a/", load) == "second"
    assert len(calls) == 2


def test_kinds_and_paths_are_separate_and_none_is_not_cached():
    assert page_cache.get_or_load("content", "/a/", lambda: "content a") == "content a"
    assert page_cache.get_or_load("anonymous-body", "/a/", lambda: "body a") == "body a"
    assert page_cache.get_or_load("content", "/b/", lambda: "content b") == "content b"
    load, calls = loader([None, "now it exists"])
    assert page_cache.get_or_load("content", "/new/", load) is None
    assert page_cache.get_or_load("content", "/new/", load) == "now it exists"


def test_zero_seconds_turns_it_off():
    load, calls = loader(["one", "two"])
    with override_settings(PORTAL_CONTENT_CACHE_SECONDS=0):
        assert page_cache.get_or_load("content", "/a/", load) == "one"
        assert page_cache.get_or_load("content", "/a/", load) == "two"


def test_the_cache_never_holds_more_than_its_bound(monkeypatch):
    clock = Clock(monkeypatch)
    monkeypatch.setattr(page_cache, "MAX_ENTRIES", 8)
    for n in range(50):
        clock.now += 0.01
        page_cache.get_or_load("learner-body", f"/a/|{n}", lambda n=n: f"body {n}")
        assert len(page_cache._entries) <= 8
    # The newest entries are the ones kept.
    assert page_cache.get_or_load("learner-body", "/a/|49", lambda: "reloaded") == "body 49"
    # Expired entries go first, before any live one.
    clock.now += 60
    page_cache.get_or_load("content", "/fresh/", lambda: "fresh")
    assert list(page_cache._entries) == [("content", "/fresh/")]


@pytest.mark.django_db
def test_saving_content_clears_this_process_cache(lesson):
    page_cache.get_or_load("content", "/a/", lambda: "stale")
    lesson.title = "Edited"
    lesson.save()
    assert page_cache._entries == {}
