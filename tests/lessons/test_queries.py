"""SQL queries per page: a small constant, independent of how much content there is.

Lesson pages are measured cold (content cache off, every query runs) and warm (the published
content comes from the page cache, as in production after the first view)."""

import pytest
from django.test import override_settings

from lessons import page_cache
from tests.factories import make_lesson, make_track, quiz_answers

pytestmark = pytest.mark.django_db

ANONYMOUS_COLD = 2  # lesson (+track, neighbours) and questions+choices
ANONYMOUS_WARM = 0  # all from the content cache
LEARNER_COLD = 5  # + session, user, and the learner's state (progress.lesson_state)
LEARNER_WARM = 3  # session, user, and completion + latest attempt's answers in one query

SIZES = [(3, 3, 3), (12, 8, 5)]


def build(lessons: int, questions: int, choices: int):
    track = make_track(slug=f"t{lessons}{questions}{choices}")
    made = [
        make_lesson(track, order=n, questions=questions, choices=choices)
        for n in range(1, lessons + 1)
    ]
    return made[len(made) // 2]


@pytest.fixture
def content_cache():
    page_cache.clear()
    with override_settings(PORTAL_CONTENT_CACHE_SECONDS=60):
        yield
    page_cache.clear()


@pytest.mark.parametrize("size", SIZES)
def test_lesson_page_anonymous_cold(client, django_assert_num_queries, size):
    lesson = build(*size)
    with django_assert_num_queries(ANONYMOUS_COLD):
        assert client.get(lesson.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_lesson_page_anonymous_warm(client, django_assert_num_queries, content_cache, size):
    lesson = build(*size)
    client.get(lesson.get_absolute_url())
    with django_assert_num_queries(ANONYMOUS_WARM):
        response = client.get(lesson.get_absolute_url())
    assert response.status_code == 200 and "Question 1?" in response.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_lesson_page_learner_after_quiz(
    learner_client, django_assert_max_num_queries, content_cache, size
):
    lesson = build(*size)
    learner_client.post(f"{lesson.get_absolute_url()}quiz/", quiz_answers(lesson))
    learner_client.post(f"{lesson.get_absolute_url()}complete/")
    page_cache.clear()
    with django_assert_max_num_queries(LEARNER_COLD):
        learner_client.get(lesson.get_absolute_url())
    with django_assert_max_num_queries(LEARNER_WARM):
        response = learner_client.get(lesson.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Completed" in html and f"<strong>{size[1]} of {size[1]}</strong>" in html


def test_content_cache_sees_edits_at_once_in_this_process(client, content_cache, track):
    lesson = make_lesson(track, order=1, title="Before")
    assert "Before" in client.get(lesson.get_absolute_url()).content.decode()
    lesson.title = "After the edit"
    lesson.save()
    assert "After the edit" in client.get(lesson.get_absolute_url()).content.decode()
    question = lesson.questions.first()
    question.text = "A reworded question?"
    question.save()
    assert "A reworded question?" in client.get(lesson.get_absolute_url()).content.decode()
    lesson.status = "draft"
    lesson.save()  # unpublishing through the model (as admin does) takes effect at once
    assert client.get(lesson.get_absolute_url()).status_code == 404


def test_learner_state_is_never_cached(client, django_user_model, content_cache, lesson):
    first = django_user_model.objects.create_user("first", password="pw-123456789")
    second = django_user_model.objects.create_user("second", password="pw-123456789")
    client.force_login(first)
    client.post(f"{lesson.get_absolute_url()}complete/")
    assert "Mark as not complete" in client.get(lesson.get_absolute_url()).content.decode()
    client.force_login(second)
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Mark as not complete" not in html and "Mark as complete" in html


@pytest.mark.parametrize("size", [(2, 1, 2), (10, 1, 2)])
def test_home_and_track_pages_are_constant(learner_client, django_assert_max_num_queries, size):
    lesson = build(*size)
    learner_client.post(f"{lesson.get_absolute_url()}complete/")
    with django_assert_max_num_queries(6):
        assert learner_client.get("/").status_code == 200
    with django_assert_max_num_queries(5):
        assert learner_client.get(lesson.track.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(7):
        assert learner_client.get("/progress/").status_code == 200


# --- The learner body: rendered once per content version and learner state ---------------------
def _csrf_fields(html: str) -> list[str]:
    import re

    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_learners_in_the_same_state_share_one_rendering(
    django_user_model, content_cache, lesson, monkeypatch
):
    from django.test import Client

    from lessons import views

    renders = []
    real = views.render_to_string
    monkeypatch.setattr(
        views, "render_to_string", lambda *a, **k: renders.append(a[0]) or real(*a, **k)
    )
    pages = []
    for name in ("ann", "bob"):
        user = django_user_model.objects.create_user(name, password="pw-123456789")
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        html = browser.get(lesson.get_absolute_url()).content.decode()
        pages.append((browser, html))
        assert name in html  # the page around the body (navigation) is theirs
    assert renders == ["lessons/_lesson_body.html"]  # rendered once, for ann; bob got the copy

    # Each page carries its own browser's CSRF token (never the placeholder, never ann's), and it
    # works: bob marks the lesson complete through the strict CSRF check.
    (ann, ann_html), (bob, bob_html) = pages
    ann_tokens, bob_tokens = _csrf_fields(ann_html), _csrf_fields(bob_html)
    assert len(ann_tokens) == len(bob_tokens) == 3  # log out (nav), quiz and completion forms
    assert views._CSRF_PLACEHOLDER not in ann_html + bob_html
    assert set(ann_tokens).isdisjoint(bob_tokens)
    response = bob.post(
        f"{lesson.get_absolute_url()}complete/",
        {"action": "complete", "csrfmiddlewaretoken": bob_tokens[2]},
    )
    assert response.status_code == 302

    # bob's state changed, so he gets a different rendering; ann's is unchanged.
    bob_after = bob.get(lesson.get_absolute_url()).content.decode()
    assert "Mark as not complete" in bob_after
    assert "Mark as not complete" not in ann.get(lesson.get_absolute_url()).content.decode()
    assert renders == ["lessons/_lesson_body.html"] * 2


def test_a_learner_never_gets_another_learners_answers(django_user_model, content_cache, lesson):
    from django.test import Client

    wrong, right = Client(), Client()
    wrong.force_login(django_user_model.objects.create_user("w", password="pw-123456789"))
    right.force_login(django_user_model.objects.create_user("r", password="pw-123456789"))
    url = lesson.get_absolute_url()
    wrong.post(f"{url}quiz/", quiz_answers(lesson, correct=False))
    right.post(f"{url}quiz/", quiz_answers(lesson, correct=True))
    for _ in range(2):  # second time round both come from the cache
        wrong_html = wrong.get(url).content.decode()
        right_html = right.get(url).content.decode()
        assert "<strong>0 of 3</strong>" in wrong_html and "Not quite." in wrong_html
        assert "<strong>3 of 3</strong>" in right_html and "Not quite." not in right_html
