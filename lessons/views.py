"""Learner pages: home, track, lesson (with quiz and completion), search, progress."""

import copy
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from lessons import metrics, page_cache, progress, quiz
from lessons.models import (
    Choice,
    Lesson,
    LessonCompletion,
    QuizAnswer,
    QuizAttempt,
    Status,
    Track,
)
from lessons.search import search as run_search


@dataclass(frozen=True)
class _ChoiceView:
    pk: int
    text: str
    checked: bool
    mark: str  # "correct", "wrong" or ""


def _can_preview(user) -> bool:
    return user.is_active and user.is_staff


@require_GET
def home(request):
    return render(
        request,
        "lessons/home.html",
        {
            "tracks": progress.tracks_with_progress(request.user),
            "next_lesson": progress.next_lesson(request.user),
        },
    )


@require_GET
def track_detail(request, track_slug):
    preview = _can_preview(request.user)
    tracks = Track.objects.all() if preview else Track.objects.published()
    track = get_object_or_404(tracks, slug=track_slug)
    lessons = track.lessons.order_by("order", "id").defer("body", "body_html", "toc_html")
    if not preview:
        lessons = lessons.filter(status=Status.PUBLISHED)
    lessons = list(lessons)
    done = set()
    if request.user.is_authenticated:
        done = set(
            LessonCompletion.objects.filter(user=request.user, lesson__track=track).values_list(
                "lesson_id", flat=True
            )
        )
    published = [lesson for lesson in lessons if lesson.is_published]
    completed = sum(1 for lesson in published if lesson.pk in done)
    return render(
        request,
        "lessons/track.html",
        {
            "track": track,
            "lessons": lessons,
            "done": done,
            "completed": completed,
            "percent": round(100 * completed / len(published)) if published else 0,
            "total_minutes": sum(lesson.estimated_minutes for lesson in published),
        },
    )


def _lesson_queryset(track_slug, lesson_slug, *, preview: bool):
    """The lesson with its track and neighbours, in ONE query."""
    siblings = Lesson.objects.filter(track=OuterRef("track"), status=Status.PUBLISHED)
    before = siblings.filter(order__lt=OuterRef("order")).order_by("-order", "-id")
    after = siblings.filter(order__gt=OuterRef("order")).order_by("order", "id")
    queryset = (
        Lesson.objects.select_related("track")
        .filter(track__slug=track_slug, slug=lesson_slug)
        .defer("body", "body_text", "search_vector", "track__description")
        .annotate(
            prev_slug=Subquery(before.values("slug")[:1]),
            prev_title=Subquery(before.values("title")[:1]),
            next_slug=Subquery(after.values("slug")[:1]),
            next_title=Subquery(after.values("title")[:1]),
        )
    )
    if not preview:
        queryset = queryset.filter(status=Status.PUBLISHED, track__status=Status.PUBLISHED)
    return queryset


def _lesson_content(request, track_slug, lesson_slug):
    """(lesson, questions) for the page; published content comes from the page cache."""
    preview = _can_preview(request.user)

    def load():
        lesson = _lesson_queryset(track_slug, lesson_slug, preview=preview).first()
        return None if lesson is None else (lesson, _questions(lesson))

    key = f"{track_slug}/{lesson_slug}"
    content = load() if preview else page_cache.get_or_load("content", key, load)
    if content is None:
        raise Http404("No such lesson")
    lesson, questions = content
    # Cached objects are shared by later requests of this process: work on copies.
    return copy.copy(lesson), [copy.copy(question) for question in questions]


def _questions(lesson) -> list:
    """Questions with their choices in ONE query (each question gets `choice_list`)."""
    questions: dict[int, object] = {}
    choices = (
        Choice.objects.filter(question__lesson=lesson)
        .select_related("question")
        .order_by("question__order", "question__id", "order", "id")
    )
    for choice in choices:
        question = questions.setdefault(choice.question_id, choice.question)
        if not hasattr(question, "choice_list"):
            question.choice_list = []
        question.choice_list.append(choice)
    for question in questions.values():
        question.choice_list = quiz.display_order(question, question.choice_list)
    return list(questions.values())


def _decorate_questions(questions, answers, selected) -> None:
    """Display state per question and choice, decided here rather than in nested template
    conditions. Only needed when the body is rendered, not when it comes from the cache."""
    graded = bool(answers)
    for question in questions:
        question.field = quiz.field_name(question)
        question.selected = selected.get(question.pk)
        result = answers.get(question.pk)
        question.answered_correctly = result.is_correct if result else None
        question.choice_views = [
            _ChoiceView(
                pk=choice.pk,
                text=choice.text,
                checked=question.selected == choice.pk,
                mark=(
                    "correct"
                    if graded and choice.is_correct
                    else "wrong"
                    if graded and question.selected == choice.pk
                    else ""
                ),
            )
            for choice in question.choice_list
        ]


def _render_lesson(request, lesson, questions, *, status=200, quiz_error=None, selected=None):
    # The learner's own state (never cached): one query, nothing for anonymous readers.
    state = progress.lesson_state(request.user, lesson.pk)
    lesson.completed = state.completed
    answers = state.answers if selected is None else {}
    if selected is None:
        selected = {qid: answer.choice_id for qid, answer in answers.items()}
    # Sibling URLs follow lessons/urls.py: <track>/<lesson>/, <track>/<lesson>/quiz/, ...
    # (two reverse() calls instead of five on the hottest page).
    track_url, lesson_url = lesson.track.get_absolute_url(), lesson.get_absolute_url()
    is_preview = not lesson.is_published or lesson.track.status != Status.PUBLISHED
    context = {
        "lesson": lesson,
        "track": lesson.track,
        "questions": questions,
        "graded": bool(answers),
        "lesson_url": lesson_url,
        "quiz_url": lesson_url + "quiz/",
        "complete_url": lesson_url + "complete/",
        "prev_url": f"{track_url}{lesson.prev_slug}/" if lesson.prev_slug else "",
        "next_url": f"{track_url}{lesson.next_slug}/" if lesson.next_slug else "",
        "score": sum(1 for answer in answers.values() if answer.is_correct),
        "quiz_total": len(questions),
        "quiz_error": quiz_error,
        "is_preview": is_preview,
        "can_answer": request.user.is_authenticated and not is_preview,
    }

    def render_body(**extra) -> str:
        _decorate_questions(questions, answers, selected)
        return render_to_string("lessons/_lesson_body.html", {**context, **extra}, request)

    if is_preview or status != 200:  # drafts and re-shown quiz forms: never cached
        context["body_html"] = render_body()
    else:
        context["body_html"] = _cached_body(request, state, render_body)
    return render(request, "lessons/lesson.html", context, status=status)


# Stands in for the CSRF token in cached bodies; replaced by this request's token.
_CSRF_PLACEHOLDER = "csrf-token-placeholder-3f9c1a"


def _cached_body(request, state, render_body):
    """The lesson body, rendered once per content version and reader state.

    The body depends only on the published content and the reader's state: anonymous, or a
    learner's completion and latest answers. Learners with the same state (most often: not
    answered yet, not completed) share one rendering; the only per-request part, the CSRF token
    in the two forms, is rendered as a placeholder and substituted here. The surrounding page
    (navigation with the learner's name, messages) is rendered per request as usual.
    """
    if not request.user.is_authenticated:
        return page_cache.get_or_load("anonymous-body", request.path, render_body)
    answers = ",".join(
        f"{qid}:{a.choice_id}:{int(a.is_correct)}" for qid, a in sorted(state.answers.items())
    )
    body = page_cache.get_or_load(
        "learner-body",
        f"{request.path}|{int(state.completed)}|{answers}",
        lambda: render_body(csrf_token=_CSRF_PLACEHOLDER),
    )
    return mark_safe(body.replace(_CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308 (our HTML)


@require_GET
def lesson_detail(request, track_slug, lesson_slug):
    lesson, questions = _lesson_content(request, track_slug, lesson_slug)
    if lesson.is_published:
        metrics.lesson_views.labels(track=lesson.track.slug, lesson=lesson.slug).inc()
    return _render_lesson(request, lesson, questions)


def _login_then_lesson(request, track_slug, lesson_slug):
    # After logging in, come back to the lesson page (not to this POST-only URL).
    return redirect_to_login(
        reverse("lessons:lesson", args=[track_slug, lesson_slug]), settings.LOGIN_URL
    )


@require_POST
def lesson_complete(request, track_slug, lesson_slug):
    if not request.user.is_authenticated:
        return _login_then_lesson(request, track_slug, lesson_slug)
    lesson = get_object_or_404(
        Lesson.objects.published().select_related("track"),
        track__slug=track_slug,
        slug=lesson_slug,
        track__status=Status.PUBLISHED,
    )
    action = request.POST.get("action", "complete")
    if action == "complete":
        _, created = LessonCompletion.objects.get_or_create(user=request.user, lesson=lesson)
        if created:
            metrics.lesson_completions.labels(track=lesson.track.slug, lesson=lesson.slug).inc()
        messages.success(request, f"“{lesson.title}” marked as complete.")
    elif action == "incomplete":
        LessonCompletion.objects.filter(user=request.user, lesson=lesson).delete()
        messages.info(request, f"“{lesson.title}” marked as not complete.")
    else:
        return render(
            request,
            "400.html",
            {"message": "Unknown action: use complete or incomplete."},
            status=400,
        )
    return redirect(lesson.get_absolute_url())


@require_POST
def lesson_quiz(request, track_slug, lesson_slug):
    if not request.user.is_authenticated:
        return _login_then_lesson(request, track_slug, lesson_slug)
    lesson, questions = _lesson_content(request, track_slug, lesson_slug)
    if not lesson.is_published:
        raise Http404("Quizzes of draft lessons cannot be answered")
    try:
        graded = quiz.grade(questions, request.POST)
    except quiz.QuizInputError as exc:
        # 400, nothing recorded, and the learner's picks are kept on the re-rendered form.
        return _render_lesson(
            request,
            lesson,
            questions,
            status=400,
            quiz_error=str(exc),
            selected=quiz.selected_choices(questions, request.POST),
        )
    with transaction.atomic():
        score = sum(answer.is_correct for answer in graded)
        attempt = QuizAttempt.objects.create(
            user=request.user, lesson=lesson, score=score, total=len(graded)
        )
        QuizAnswer.objects.bulk_create(
            QuizAnswer(
                attempt=attempt,
                question=answer.question,
                choice_id=answer.choice_id,
                is_correct=answer.is_correct,
            )
            for answer in graded
        )
    metrics.quiz_answers.labels(result="correct").inc(score)
    metrics.quiz_answers.labels(result="incorrect").inc(len(graded) - score)
    messages.success(request, f"Quiz recorded: {score} of {len(graded)} correct.")
    return redirect(lesson.get_absolute_url() + "#quiz")


@require_GET
def search(request):
    query = request.GET.get("q", "")
    limit = settings.PORTAL_SEARCH_MAX_QUERY
    if len(query) > limit:
        return render(
            request,
            "lessons/search.html",
            {"query": query[:limit], "error": f"Search terms are limited to {limit} characters."},
            status=400,
        )
    results = run_search(query) if query.strip() else []
    return render(request, "lessons/search.html", {"query": query, "results": results})


@login_required
@require_GET
def my_progress(request):
    return render(request, "lessons/progress.html", progress.learner_report(request.user))
