"""Staff authoring in Django admin: pages, validation, preview links, publishing."""

import pytest
from django.test import Client

from lessons.models import Choice, Lesson, Question, Status
from tests.factories import make_lesson

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/lessons/track/",
        "/admin/lessons/track/add/",
        "/admin/lessons/lesson/",
        "/admin/lessons/lesson/add/",
        "/admin/lessons/lesson/?status__exact=draft",
        "/admin/lessons/lesson/?q=budget",
        "/admin/lessons/question/",
        "/admin/lessons/question/add/",
        "/admin/lessons/quizattempt/",
        "/admin/lessons/lessoncompletion/",
    ],
)
def test_admin_pages_load(staff_client, lesson, url):
    assert staff_client.get(url).status_code == 200


def test_change_pages_show_preview_and_question_links(staff_client, lesson):
    html = staff_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    assert f'href="{lesson.get_absolute_url()}"' in html and "View on site" in html
    assert f"/admin/lessons/question/add/?lesson={lesson.pk}" in html
    assert "Edit question and choices" in html
    question = lesson.questions.first()
    assert staff_client.get(f"/admin/lessons/question/{question.pk}/change/").status_code == 200
    assert staff_client.get(f"/admin/lessons/track/{lesson.track.pk}/change/").status_code == 200


def lesson_form(track, **overrides):
    data = {
        "track": track.pk,
        "title": "Written in admin",
        "slug": "written-in-admin",
        "order": 5,
        "status": "draft",
        "summary": "A summary",
        "difficulty": "beginner",
        "estimated_minutes": 12,
        "body": "## Heading\r\n\r\nBody <script>alert(1)</script>\r\n",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_create_draft_lesson_is_rendered_sanitised_and_hidden(staff_client, track):
    response = staff_client.post("/admin/lessons/lesson/add/", lesson_form(track))
    assert response.status_code == 302, response.content.decode()[:2000]
    lesson = Lesson.objects.get(slug="written-in-admin")
    assert lesson.status == Status.DRAFT
    assert lesson.body == "## Heading\n\nBody <script>alert(1)</script>\n"  # CRLF normalised
    assert "<script" not in lesson.body_html and 'id="heading"' in lesson.body_html
    assert Client().get(lesson.get_absolute_url()).status_code == 404  # anonymous
    assert staff_client.get(lesson.get_absolute_url()).status_code == 200


def test_duplicate_slug_and_order_in_track_are_clear_errors(staff_client, track, lesson):
    response = staff_client.post(
        "/admin/lessons/lesson/add/", lesson_form(track, slug=lesson.slug, order=lesson.order)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A lesson with this slug already exists in this track." in html
    assert "Position 1 is already taken by" in html


def test_body_too_long_is_refused(staff_client, track):
    response = staff_client.post(
        "/admin/lessons/lesson/add/", lesson_form(track, body="x" * 200_001)
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 200000 characters" in response.content.decode()
    assert not Lesson.objects.filter(slug="written-in-admin").exists()


def question_form(lesson, choices):
    data = {
        "lesson": lesson.pk,
        "order": 9,
        "text": "Which is right?",
        "explanation": "Because.",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for index, (text, correct) in enumerate(choices):
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-order"] = str(index + 1)
        if correct:
            data[f"choices-{index}-is_correct"] = "on"
    return data


@pytest.mark.parametrize(
    "choices,error",
    [
        ([("Only one", True)], "A question needs at least two choices."),
        ([("A", False), ("B", False)], "Mark exactly one choice as correct (currently 0 marked)."),
        ([("A", True), ("B", True)], "Mark exactly one choice as correct (currently 2 marked)."),
    ],
)
def test_question_validation(staff_client, lesson, choices, error):
    before = Question.objects.count()
    response = staff_client.post("/admin/lessons/question/add/", question_form(lesson, choices))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Question.objects.count() == before


def test_valid_question_is_saved_with_choices(staff_client, lesson):
    response = staff_client.post(
        "/admin/lessons/question/add/", question_form(lesson, [("A", False), ("B", True)])
    )
    assert response.status_code == 302
    question = Question.objects.get(text="Which is right?")
    assert list(Choice.objects.filter(question=question).values_list("text", "is_correct")) == [
        ("A", False),
        ("B", True),
    ]


def test_publish_action_makes_lesson_visible(staff_client, track):
    draft = make_lesson(track, order=2, slug="soon", status=Status.DRAFT)
    response = staff_client.post(
        "/admin/lessons/lesson/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_at is not None
    assert Client().get(draft.get_absolute_url()).status_code == 200


def test_learners_cannot_reach_admin(learner_client):
    response = learner_client.get("/admin/lessons/lesson/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
