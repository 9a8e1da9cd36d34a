"""Grading a quiz form: every question of the lesson answered with one of its own choices."""

import hashlib
from dataclasses import dataclass

from lessons.models import Question


class QuizInputError(ValueError):
    """The submitted form is malformed: the message says what, and nothing is recorded."""


@dataclass
class GradedAnswer:
    question: Question
    choice_id: int
    is_correct: bool


def display_order(question: Question, choices: list) -> list:
    """The choices in the order learners see them: a fixed shuffle per question.

    Authors tend to write the correct answer first (every built-in question did), and shown as
    written, "always pick the first" would score 100%. The order comes from a hash of the texts,
    so it is the same for every learner and every view of the page (cached bodies, a re-shown
    form) and changes only when the texts do. Grading goes by choice id, never by position.
    """

    def rank(choice) -> bytes:
        return hashlib.sha256(f"{question.text}\n{choice.text}".encode()).digest()

    return sorted(choices, key=rank)


def field_name(question: Question) -> str:
    return f"question_{question.pk}"


def selected_choices(questions: list[Question], data) -> dict[int, int]:
    """What the learner picked, keyed by question id; invalid values are left out. Used to
    re-render the form with their choices kept when something is wrong."""
    picked = {}
    for question in questions:
        raw = data.get(field_name(question), "")
        if raw.isdigit():
            picked[question.pk] = int(raw)
    return picked


def grade(questions: list[Question], data) -> list[GradedAnswer]:
    if not questions:
        raise QuizInputError("This lesson has no quiz.")
    answers = []
    unanswered = []
    for number, question in enumerate(questions, start=1):
        raw = data.get(field_name(question))
        if raw is None or raw == "":
            unanswered.append(number)
            continue
        if not raw.isdigit():
            raise QuizInputError(f"Question {number}: the answer must be one of its choices.")
        choice_id = int(raw)
        choices = {choice.pk: choice for choice in question.choice_list}
        if choice_id not in choices:
            raise QuizInputError(
                f"Question {number}: that answer does not belong to this question."
            )
        answers.append(GradedAnswer(question, choice_id, choices[choice_id].is_correct))
    if unanswered:
        listed = ", ".join(str(n) for n in unanswered)
        raise QuizInputError(f"Please answer every question (missing: {listed}).")
    return answers
