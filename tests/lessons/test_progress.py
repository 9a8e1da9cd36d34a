"""Progress: per-track counts, "continue where you left off", and the My progress page."""

import pytest
from django.utils import timezone

from lessons.models import LessonCompletion
from tests.factories import make_lesson, make_track, quiz_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tracks():
    first = make_track(slug="first", title="First track", order=1)
    second = make_track(slug="second", title="Second track", order=2)
    lessons = [make_lesson(first, order=n, slug=f"f{n}", title=f"F{n}") for n in (1, 2, 3)]
    lessons += [make_lesson(second, order=n, slug=f"s{n}", title=f"S{n}") for n in (1, 2)]
    return lessons


def complete(user, lesson, minutes_ago=0):
    LessonCompletion.objects.create(
        user=user,
        lesson=lesson,
        completed_at=timezone.now() - timezone.timedelta(minutes=minutes_ago),
    )


def test_home_shows_progress_and_continue_link(learner_client, learner, two_tracks):
    f1, f2, f3, s1, s2 = two_tracks
    html = learner_client.get("/").content.decode()
    assert "Continue where you left off" not in html  # nothing done yet
    complete(learner, f1, minutes_ago=10)
    complete(learner, s1, minutes_ago=5)
    html = learner_client.get("/").content.decode()
    assert "1 of 3 completed (33%)" in html and "1 of 2 completed (50%)" in html
    # Last completed was S1: continue with S2 in the same track.
    assert 'href="/tracks/second/s2/">Continue where you left off: S2' in html
    complete(learner, s2)
    html = learner_client.get("/").content.decode()
    # Second track finished: first unfinished lesson anywhere.
    assert "Continue where you left off: F2" in html


def test_track_page_marks_completed_lessons(learner_client, learner, two_tracks):
    complete(learner, two_tracks[1])
    html = learner_client.get("/tracks/first/").content.decode()
    assert html.count('class="badge badge-done">Completed') == 1
    assert "1 completed (33%)" in html


def test_progress_page_numbers(learner_client, learner, two_tracks):
    f1 = two_tracks[0]
    complete(learner, f1)
    complete(learner, two_tracks[3])
    url = f"{f1.get_absolute_url()}quiz/"
    learner_client.post(url, quiz_answers(f1, correct=False))
    learner_client.post(url, quiz_answers(f1, correct=True))
    response = learner_client.get("/progress/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "40%" in html  # 2 of 5 lessons
    assert "(2 of 5)" in html
    assert '100%</span><span class="stat-label">quiz accuracy' in html  # best attempt 3/3
    assert '<td class="col-attempts">2</td>' in html  # two attempts on F1


def test_other_learners_progress_is_not_shown(client, django_user_model, learner, two_tracks):
    complete(learner, two_tracks[0])
    other = django_user_model.objects.create_user("other", password="pw-123456789")
    client.force_login(other)
    assert "0 of 3 completed (0%)" in client.get("/").content.decode()


def test_lesson_state_is_the_latest_attempt_and_own_completion(
    client, learner, django_user_model, django_assert_num_queries, two_tracks
):
    from lessons.models import QuizAttempt
    from lessons.progress import AnswerState, lesson_state

    f1, f2, *_ = two_tracks
    other = django_user_model.objects.create_user("other", password="pw-123456789")
    client.force_login(learner)
    url = f"{f1.get_absolute_url()}quiz/"
    assert lesson_state(learner, f1.pk).answers == {}
    client.post(url, quiz_answers(f1, correct=False))
    client.post(url, quiz_answers(f1, correct=True))  # the latest attempt counts
    client.force_login(other)
    client.post(url, quiz_answers(f1, correct=False))  # another learner's attempt is not ours
    client.post(f"{f1.get_absolute_url()}complete/")  # nor their completion
    complete(learner, f2)  # nor our completion of another lesson

    with django_assert_num_queries(1):
        state = lesson_state(learner, f1.pk)
    latest = QuizAttempt.objects.filter(user=learner, lesson=f1).latest("created_at", "id")
    assert state.completed is False
    assert state.answers == {
        answer.question_id: AnswerState(choice_id=answer.choice_id, is_correct=True)
        for answer in latest.answers.all()
    }
    assert len(state.answers) == f1.questions.count() > 0
    complete(learner, f1)
    assert lesson_state(learner, f1.pk).completed is True
    assert lesson_state(other, f2.pk) == lesson_state(other, f2.pk)  # never answered: empty
    assert lesson_state(other, f2.pk).answers == {} and not lesson_state(other, f2.pk).completed
