"""SQL queries per page: a small constant, independent of how much content there is."""

import pytest

from tests.factories import make_lesson, make_track, quiz_answers

pytestmark = pytest.mark.django_db

LESSON_PAGE_ANONYMOUS = 2  # lesson (+track, neighbours) and questions+choices
LESSON_PAGE_LEARNER = 5  # + session, user, latest attempt's answers


def build(lessons: int, questions: int, choices: int):
    track = make_track(slug=f"t{lessons}{questions}{choices}")
    made = [
        make_lesson(track, order=n, questions=questions, choices=choices)
        for n in range(1, lessons + 1)
    ]
    return made[len(made) // 2]


@pytest.mark.parametrize("size", [(3, 3, 3), (12, 8, 5)])
def test_lesson_page_anonymous(client, django_assert_num_queries, size):
    lesson = build(*size)
    with django_assert_num_queries(LESSON_PAGE_ANONYMOUS):
        assert client.get(lesson.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [(3, 3, 3), (12, 8, 5)])
def test_lesson_page_learner_after_quiz(learner_client, django_assert_max_num_queries, size):
    lesson = build(*size)
    learner_client.post(f"{lesson.get_absolute_url()}quiz/", quiz_answers(lesson))
    learner_client.post(f"{lesson.get_absolute_url()}complete/")
    with django_assert_max_num_queries(LESSON_PAGE_LEARNER):
        response = learner_client.get(lesson.get_absolute_url())
    assert response.status_code == 200
    assert "Completed" in response.content.decode()


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
