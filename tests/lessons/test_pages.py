"""Every learner page for anonymous, learner and staff users; drafts; bad URLs and methods."""

import pytest
from django.urls import reverse

from lessons.models import LessonCompletion, Status
from tests.factories import make_lesson, make_track

pytestmark = pytest.mark.django_db


def test_home_lists_published_tracks_with_counts_and_minutes(client, track):
    make_lesson(track, order=1, minutes=10)
    make_lesson(track, order=2, minutes=15)
    make_lesson(track, order=3, minutes=99, status=Status.DRAFT)
    make_track(slug="hidden", title="Hidden track", status=Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reliability basics" in html
    assert "2 lessons · about 25 min" in html
    assert "Hidden track" not in html
    assert "Set-Cookie" not in str(response.headers)  # anonymous pages are cacheable


@pytest.mark.parametrize(
    "url",
    ["/", "/tracks/reliability/", "/tracks/reliability/first-lesson/", "/search/?q=budget"],
)
def test_pages_for_every_kind_of_user(client, django_user_model, staff, lesson, url):
    learner = django_user_model.objects.create_user("someone", password="pw-123456789")
    for user in (None, learner, staff):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, user)


def test_lesson_page_renders_body_toc_quiz_and_neighbours(client, track):
    make_lesson(track, order=1, slug="one", title="One")
    two = make_lesson(
        track,
        order=2,
        slug="two",
        title="Two",
        body="## Burn rates\n\nText.\n\n```promql\nrate(x_total[5m])\n```\n\n"
        '!!! note "Remember"\n    The window matters.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
    )
    make_lesson(track, order=3, slug="three", title="Three")
    response = client.get(two.get_absolute_url())
    html = response.content.decode()
    assert 'id="burn-rates"' in html and 'href="#burn-rates"' in html  # anchor + TOC
    assert '<div class="highlight">' in html and "<table>" in html
    assert 'class="admonition note"' in html
    assert 'rel="prev" href="/tracks/reliability/one/"' in html
    assert 'rel="next" href="/tracks/reliability/three/"' in html
    assert "min read" in html
    assert "Question 1?" in html
    assert "Log in</a> or" in html  # anonymous: invited to log in to answer
    assert "csrfmiddlewaretoken" not in html  # no forms, no cookie for anonymous readers


def test_learner_sees_forms_with_csrf(learner_client, lesson):
    html = learner_client.get(lesson.get_absolute_url()).content.decode()
    assert "csrfmiddlewaretoken" in html
    assert "Mark as complete" in html and "Submit answers" in html


def test_drafts_are_404_for_learners_and_previewable_by_staff(client, learner, staff, track):
    draft = make_lesson(track, order=1, slug="draft-one", status=Status.DRAFT)
    for user in (None, learner):
        client.logout()
        if user:
            client.force_login(user)
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert "draft-one" not in client.get(track.get_absolute_url()).content.decode()
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()
    assert "lessons/lesson.html" in [template.name for template in response.templates]


def test_draft_track_hides_its_lessons(client, staff):
    hidden = make_track(slug="soon", status=Status.DRAFT)
    lesson = make_lesson(hidden, order=1)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(lesson.get_absolute_url()).status_code == 404
    client.force_login(staff)
    assert client.get(lesson.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/tracks/nope/", "/tracks/reliability/nope/", "/tracks/reliability/first-lesson/x/", "/nope"],
)
def test_unknown_urls_are_the_portals_own_404(client, lesson, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn't find that page" in html and "Browse the tracks" in html


@pytest.mark.parametrize("action", ["complete", "quiz"])
def test_get_on_post_only_endpoints_is_405(client, lesson, action):
    assert client.get(f"{lesson.get_absolute_url()}{action}/").status_code == 405


def test_mark_complete_without_login_redirects_to_login_and_records_nothing(client, lesson):
    response = client.post(f"{lesson.get_absolute_url()}complete/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/tracks/reliability/first-lesson/" in response["Location"]
    assert LessonCompletion.objects.count() == 0


def test_mark_complete_and_undo(learner_client, learner, lesson):
    url = f"{lesson.get_absolute_url()}complete/"
    response = learner_client.post(url, {"action": "complete"})
    assert response.status_code == 302
    assert LessonCompletion.objects.filter(user=learner, lesson=lesson).count() == 1
    learner_client.post(url, {"action": "complete"})  # twice: still one
    assert LessonCompletion.objects.filter(user=learner, lesson=lesson).count() == 1
    html = learner_client.get(lesson.get_absolute_url()).content.decode()
    assert "Mark as not complete" in html
    learner_client.post(url, {"action": "incomplete"})
    assert not LessonCompletion.objects.exists()
    assert learner_client.post(url, {"action": "explode"}).status_code == 400


def test_mark_complete_requires_csrf(client, learner, lesson):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    response = strict.post(f"{lesson.get_absolute_url()}complete/")
    assert response.status_code == 403
    assert "form expired" in response.content.decode()
    assert not LessonCompletion.objects.exists()


def test_progress_page_needs_login(client):
    response = client.get("/progress/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
