"""SQL queries per page: a small constant, independent of how much content there is.

Lesson pages are measured cold (content cache off, every query runs) and warm (the published
content comes from the page cache, as in production after the first view)."""

import pytest
from django.core.cache import cache
from django.test import override_settings

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
    cache.clear()
    with override_settings(PORTAL_CONTENT_CACHE_SECONDS=60):
        yield
    cache.clear()


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
    cache.clear()
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
