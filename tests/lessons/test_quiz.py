"""Quiz answering: recorded attempts, results with explanations, and malformed posts."""

import pytest

from lessons.models import QuizAnswer, QuizAttempt
from tests.factories import make_lesson, quiz_answers

pytestmark = pytest.mark.django_db


def test_answering_records_attempt_and_shows_results(learner_client, learner, lesson):
    data = quiz_answers(lesson, correct=True)
    first_question = lesson.questions.first()
    wrong = first_question.choices.filter(is_correct=False).first()
    data[f"question_{first_question.pk}"] = str(wrong.pk)
    response = learner_client.post(f"{lesson.get_absolute_url()}quiz/", data)
    assert response.status_code == 302 and response["Location"].endswith("#quiz")
    attempt = QuizAttempt.objects.get(user=learner, lesson=lesson)
    assert (attempt.score, attempt.total) == (2, 3)
    assert QuizAnswer.objects.filter(attempt=attempt).count() == 3
    html = learner_client.get(lesson.get_absolute_url()).content.decode()
    assert "<strong>2 of 3</strong> correct" in html
    assert "Because 1." in html  # explanations shown after answering
    assert "your answer, incorrect" in html and "correct answer" in html


def test_attempts_accumulate(learner_client, lesson):
    url = f"{lesson.get_absolute_url()}quiz/"
    learner_client.post(url, quiz_answers(lesson, correct=False))
    learner_client.post(url, quiz_answers(lesson, correct=True))
    scores = list(QuizAttempt.objects.order_by("created_at", "id").values_list("score", flat=True))
    assert scores == [0, 3]


def _post(client, lesson, data):
    return client.post(f"{lesson.get_absolute_url()}quiz/", data)


def test_missing_answer_is_400_nothing_recorded_and_choices_kept(learner_client, lesson):
    data = quiz_answers(lesson)
    dropped = lesson.questions.last()
    del data[f"question_{dropped.pk}"]
    response = _post(learner_client, lesson, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please answer every question (missing: 3)" in html
    kept = next(iter(data.values()))
    assert f'value="{kept}" checked' in html  # what the learner picked is not lost
    assert not QuizAttempt.objects.exists()


def test_non_numeric_choice_is_400(learner_client, lesson):
    data = quiz_answers(lesson)
    data[next(iter(data))] = "1 OR 1=1"
    response = _post(learner_client, lesson, data)
    assert response.status_code == 400
    assert "must be one of its choices" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_foreign_choice_is_400(learner_client, track, lesson):
    other = make_lesson(track, order=2, slug="other")
    foreign = other.questions.first().choices.first()
    data = quiz_answers(lesson)
    data[next(iter(data))] = str(foreign.pk)
    response = _post(learner_client, lesson, data)
    assert response.status_code == 400
    assert "does not belong to this question" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_anonymous_quiz_post_redirects_to_login(client, lesson):
    response = _post(client, lesson, quiz_answers(lesson))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not QuizAttempt.objects.exists()


def test_unknown_lesson_quiz_is_404(learner_client, lesson):
    assert learner_client.post("/tracks/reliability/missing/quiz/", {}).status_code == 404


# --- Display order -----------------------------------------------------------------------------
def test_display_order_is_a_fixed_permutation_that_follows_the_texts():
    from types import SimpleNamespace

    from lessons.quiz import display_order

    question = SimpleNamespace(text="Which one?")
    choices = [SimpleNamespace(text=f"choice {n}") for n in range(6)]
    shown = display_order(question, choices)
    assert sorted(c.text for c in shown) == sorted(c.text for c in choices)
    assert display_order(question, list(reversed(choices))) == shown  # input order is irrelevant
    assert [c.text for c in shown] != [c.text for c in choices]
    other = display_order(SimpleNamespace(text="Another question?"), choices)
    assert [c.text for c in other] != [c.text for c in shown]  # each question its own order


@pytest.mark.django_db
def test_the_correct_answer_is_not_always_first(curriculum, client):
    """Every built-in question lists its correct choice first in the source; learners must not
    be able to score by always picking the first."""
    import re
    from collections import Counter

    from lessons.models import Choice, Lesson

    positions = Counter()
    for lesson in Lesson.objects.published().select_related("track"):
        html = client.get(lesson.get_absolute_url()).content.decode()
        correct = set(
            Choice.objects.filter(question__lesson=lesson, is_correct=True).values_list(
                "pk", flat=True
            )
        )
        for fieldset in re.findall(r"<fieldset>(.*?)</fieldset>", html, re.S):
            values = [
                int(v) for v in re.findall(r'type="radio" name="[^"]+" value="(\d+)"', fieldset)
            ]
            positions[next(i for i, v in enumerate(values) if v in correct)] += 1
    total = sum(positions.values())
    assert total == Choice.objects.filter(is_correct=True).count() > 80
    assert positions[0] < total / 2, positions
    assert len(positions) >= 3, positions
