"""Tracks of lessons, their quizzes, and what each learner has done with them."""

import hashlib
import json

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from lessons import curriculum, rendering

MAX_BODY_CHARS = 200_000


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Track(models.Model):
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(20_000)])
    description_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Hash of the curriculum file content last loaded into this row ("" if never loaded):
    # load_lessons compares it with the row's current content to see staff edits.
    loaded_hash = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.description = normalize_text(self.description)
        self.description_html = rendering.render_markdown(self.description).html
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("lessons:track", args=[self.slug])

    def content(self) -> dict:
        """The fields the curriculum file format carries (see curriculum/FORMAT.md)."""
        return curriculum.track_content(
            title=self.title,
            slug=self.slug,
            order=self.order,
            summary=self.summary,
            description=self.description,
            status=self.status,
        )

    def content_hash(self) -> str:
        return content_hash(self.content())


class Lesson(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=100, help_text="Unique within the track; part of the URL.")
    order = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text="Position in the track (1 comes first). Unique within the track.",
    )
    summary = models.CharField(max_length=400)
    difficulty = models.CharField(
        max_length=12, choices=Difficulty.choices, default=Difficulty.BEGINNER
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    body = models.TextField(
        help_text="Markdown: headings, tables, fenced code with a language, admonitions "
        '(!!! note "Title"). Raw HTML is stripped.',
        validators=[MaxLengthValidator(MAX_BODY_CHARS)],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Rendered once, when saved: a page view never renders Markdown.
    body_html = models.TextField(blank=True, editable=False)
    toc_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    # PostgreSQL full-text search (weighted title A, summary B, body C); a GIN index is
    # created by migration on PostgreSQL only. Unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    loaded_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["track__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "slug"],
                name="lesson_slug_unique_per_track",
                violation_error_message="A lesson with this slug already exists in this track.",
            )
        ]
        indexes = [models.Index(fields=["track", "status", "order"], name="lesson_track_order")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body = normalize_text(self.body)
        rendered = rendering.render_markdown(self.body)
        self.body_html = rendered.html
        self.toc_html = rendered.toc_html
        self.body_text = rendered.text
        self.word_count = rendered.word_count
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)
        if connection.vendor == "postgresql":
            Lesson.objects.filter(pk=self.pk).update(
                search_vector=SearchVector("title", weight="A", config="english")
                + SearchVector("summary", weight="B", config="english")
                + SearchVector("body_text", weight="C", config="english")
            )

    def get_absolute_url(self) -> str:
        return reverse("lessons:lesson", args=[self.track.slug, self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / rendering.WORDS_PER_MINUTE))

    def clean(self):
        super().clean()
        if self.track_id and self.order:
            clash = (
                Lesson.objects.filter(track_id=self.track_id, order=self.order)
                .exclude(pk=self.pk)
                .first()
            )
            if clash:
                raise ValidationError(
                    {"order": f"Position {self.order} is already taken by “{clash.title}”."}
                )

    def content(self, questions=None) -> dict:
        """The fields the curriculum file format carries, quiz included."""
        if questions is None:
            questions = self.questions.prefetch_related("choices")
        return curriculum.lesson_content(
            title=self.title,
            slug=self.slug,
            order=self.order,
            summary=self.summary,
            difficulty=self.difficulty,
            estimated_minutes=self.estimated_minutes,
            status=self.status,
            quiz=[
                (q.text, q.explanation, [(c.text, c.is_correct) for c in q.choices.all()])
                for q in questions
            ],
            body=self.body,
        )

    def content_hash(self) -> str:
        return content_hash(self.content())


class Question(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField("question", max_length=500)
    explanation = models.TextField(
        help_text="Shown after answering: why the right answer is right.",
        validators=[MaxLengthValidator(5000)],
    )
    order = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return self.lesson.get_absolute_url() + "#quiz"


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField("correct", default=False)
    order = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class LessonCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_completion_per_lesson")
        ]
        indexes = [models.Index(fields=["user", "-completed_at"], name="completion_recent")]

    def __str__(self) -> str:
        return f"{self.user} completed {self.lesson}"


class QuizAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quiz_attempts")
    score = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "lesson", "-created_at"], name="attempt_recent")]

    def __str__(self) -> str:
        return f"{self.user} scored {self.score}/{self.total} on {self.lesson}"

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.total) if self.total else 0


class QuizAnswer(models.Model):
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE)
    is_correct = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.choice}"


def content_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalize_text(text: str) -> str:
    """Browsers submit textareas with CRLF; files use LF. Store one form so hashes compare."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return text + "\n" if text else ""
