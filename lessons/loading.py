"""Load parsed curriculum files into the database, idempotently and without clobbering staff edits.

Each loaded row remembers the hash of the file content it was loaded from (`loaded_hash`):
- file hash == loaded_hash: the file has not changed since the last load: nothing to do;
- row's current content hash != loaded_hash: staff edited the row in admin (or created it there):
  skipped unless `force`;
- otherwise the file changed and the row did not: the row is updated.
Questions and choices are updated in place by position, so learners' recorded answers survive
wording fixes.
"""

from dataclasses import dataclass, field

from django.db import transaction

from lessons.curriculum import LessonData, TrackData
from lessons.models import Choice, Lesson, Question, Track, content_hash


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _decide(row, file_hash: str, force: bool) -> str:
    if row is None:
        return "create"
    current = row.content_hash()
    if current == file_hash:
        if row.loaded_hash != file_hash:
            # Edited in admin to exactly what the file now says: in sync again.
            type(row).objects.filter(pk=row.pk).update(loaded_hash=file_hash)
        return "unchanged"
    edited = current != row.loaded_hash
    if edited and not force:
        return "skip"
    return "update"


def _sync_quiz(lesson: Lesson, data: LessonData) -> None:
    questions = list(lesson.questions.prefetch_related("choices"))
    for position, q_data in enumerate(data.quiz, start=1):
        if position <= len(questions):
            question = questions[position - 1]
            question.text, question.explanation, question.order = (
                q_data.question,
                q_data.explanation,
                position,
            )
            question.save()
        else:
            question = Question.objects.create(
                lesson=lesson, text=q_data.question, explanation=q_data.explanation, order=position
            )
        choices = list(question.choices.all()) if position <= len(questions) else []
        for c_position, c_data in enumerate(q_data.choices, start=1):
            if c_position <= len(choices):
                choice = choices[c_position - 1]
                choice.text, choice.is_correct, choice.order = (
                    c_data.text,
                    c_data.correct,
                    c_position,
                )
                choice.save()
            else:
                Choice.objects.create(
                    question=question, text=c_data.text, is_correct=c_data.correct, order=c_position
                )
        for extra in choices[len(q_data.choices) :]:
            extra.delete()
    for extra in questions[len(data.quiz) :]:
        extra.delete()


def _load_track(data: TrackData, force: bool, report: LoadReport) -> Track:
    track = Track.objects.filter(slug=data.slug).first()
    file_hash = content_hash(data.content())
    action = _decide(track, file_hash, force)
    label = f"track {data.slug}"
    if action == "unchanged":
        report.unchanged.append(label)
    elif action == "skip":
        report.skipped.append(label)
    else:
        track = track or Track(slug=data.slug)
        track.title, track.order, track.summary = data.title, data.order, data.summary
        track.description, track.status = data.description, data.status
        track.loaded_hash = file_hash
        track.save()
        (report.created if action == "create" else report.updated).append(label)
    return track


def _load_lesson(track: Track, data: LessonData, force: bool, report: LoadReport) -> None:
    lesson = Lesson.objects.filter(track=track, slug=data.slug).first()
    file_hash = content_hash(data.content())
    action = _decide(lesson, file_hash, force)
    label = f"lesson {track.slug}/{data.slug}"
    if action == "unchanged":
        report.unchanged.append(label)
        return
    if action == "skip":
        report.skipped.append(label)
        return
    lesson = lesson or Lesson(track=track, slug=data.slug)
    lesson.title, lesson.order, lesson.summary = data.title, data.order, data.summary
    lesson.difficulty, lesson.estimated_minutes = data.difficulty, data.estimated_minutes
    lesson.body, lesson.status = data.body, data.status
    lesson.loaded_hash = file_hash
    lesson.save()
    _sync_quiz(lesson, data)
    (report.created if action == "create" else report.updated).append(label)


@transaction.atomic
def load_curriculum(tracks: list[TrackData], force: bool = False) -> LoadReport:
    """All or nothing: one transaction for the whole curriculum."""
    report = LoadReport()
    for track_data in tracks:
        track = _load_track(track_data, force, report)
        for lesson_data in track_data.lessons:
            _load_lesson(track, lesson_data, force, report)
    return report
