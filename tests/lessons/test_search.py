"""Search on whichever database the suite runs against (both run in CI)."""

import pytest
from django.db import connection

from lessons.models import Status
from tests.factories import make_lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def searchable(track):
    make_lesson(
        track,
        order=1,
        slug="budgets",
        title="Error budgets",
        body="## Budgets\n\nThe error budget is what the SLO leaves over. Spend the budget wisely.\n",
    )
    make_lesson(
        track,
        order=2,
        slug="probes",
        title="Readiness probes",
        body="## Probes\n\nA readiness probe removes the pod from endpoints; budget is mentioned once.\n",
    )
    make_lesson(
        track,
        order=3,
        slug="secret",
        title="Draft about budgets",
        body="budget budget budget",
        status=Status.DRAFT,
    )


def test_search_finds_ranks_and_highlights(client, searchable):
    response = client.get("/search/", {"q": "budget"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 results" in html
    assert html.index("Error budgets") < html.index("Readiness probes")  # title match first
    assert "<mark>budget</mark>" in html.lower()
    assert "Draft about budgets" not in html


def test_search_by_body_word(client, searchable):
    html = client.get("/search/", {"q": "endpoints"}).content.decode()
    assert "Readiness probes" in html and "Error budgets" not in html


def test_search_escapes_html_in_query_and_snippets(client, track):
    make_lesson(track, order=1, slug="x", title="Markup", body="Use `<script>` tags never.\n")
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_empty_and_overlong_queries(client, searchable):
    assert client.get("/search/").status_code == 200
    response = client.get("/search/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "limited to 200 characters" in response.content.decode()


def test_no_results_message(client, searchable):
    assert "No lessons match" in client.get("/search/", {"q": "kubernetes"}).content.decode()


def test_search_backend_matches_database(searchable, monkeypatch):
    """PostgreSQL: weighted tsvector with a GIN index. SQLite: the simple fallback."""
    from lessons import search
    from lessons.models import Lesson

    used = []
    for name in ("_search_postgres", "_search_simple"):
        original = getattr(search, name)
        monkeypatch.setattr(search, name, lambda q, _o=original, _n=name: used.append(_n) or _o(q))
    assert search.search("budget")
    if connection.vendor == "postgresql":
        assert used == ["_search_postgres"]
        lesson = Lesson.objects.get(slug="budgets")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_vector::text FROM lessons_lesson WHERE id = %s", [lesson.pk]
            )
            vector = cursor.fetchone()[0]
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'lesson_search_vector_gin'"
            )
            index = cursor.fetchone()
        assert "'budget':2A" in vector  # title words carry weight A, body words C
        assert index and "using gin" in index[0].lower()
    else:
        assert used == ["_search_simple"]
