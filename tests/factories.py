"""Small factories for test data (plain functions: no extra dependency)."""

from lessons.models import Choice, Lesson, Question, Status, Track


def make_track(slug="reliability", title="Reliability basics", order=1, status=Status.PUBLISHED):
    return Track.objects.create(
        slug=slug, title=title, order=order, summary=f"Summary of {title}", status=status
    )


def make_lesson(
    track,
    *,
    order=1,
    slug=None,
    title=None,
    status=Status.PUBLISHED,
    body=None,
    questions=3,
    choices=3,
    minutes=10,
):
    slug = slug or f"lesson-{order}"
    lesson = Lesson.objects.create(
        track=track,
        slug=slug,
        title=title or f"Lesson {order}",
        order=order,
        summary=f"Summary of lesson {order}",
        body=body or f"## Section one\n\nError budgets and burn rates, lesson {order}.\n",
        status=status,
        estimated_minutes=minutes,
    )
    for q in range(1, questions + 1):
        question = Question.objects.create(
            lesson=lesson, text=f"Question {q}?", explanation=f"Because {q}.", order=q
        )
        for c in range(1, choices + 1):
            Choice.objects.create(question=question, text=f"Choice {c}", is_correct=c == 1, order=c)
    return lesson


def quiz_answers(lesson, correct=True):
    """POST data answering every question (the first choice is the correct one)."""
    data = {}
    for question in lesson.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        pick = next(c for c in choices if c.is_correct == correct)
        data[f"question_{question.pk}"] = str(pick.pk)
    return data
