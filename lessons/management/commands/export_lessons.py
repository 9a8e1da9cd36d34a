"""`manage.py export_lessons DIR`: write the database's tracks and lessons as curriculum files,
in the format load_lessons reads, so staff edits can be reviewed in git."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from lessons.curriculum import TRACK_FILE, lesson_file_name, lesson_file_text, track_file_text
from lessons.models import Lesson, Question, Track


class Command(BaseCommand):
    help = "Write every track and lesson (drafts included) to DIR/<track>/ as Markdown files."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, directory, **options):
        root = Path(directory)
        if root.exists() and not root.is_dir():
            raise CommandError(f"{root} exists and is not a directory")
        root.mkdir(parents=True, exist_ok=True)
        questions = Prefetch("questions", queryset=Question.objects.prefetch_related("choices"))
        tracks = Track.objects.prefetch_related(
            Prefetch(
                "lessons", queryset=Lesson.objects.order_by("order").prefetch_related(questions)
            )
        )
        written = removed = 0
        for track in tracks:
            folder = root / track.slug
            folder.mkdir(exist_ok=True)
            names = {TRACK_FILE}
            (folder / TRACK_FILE).write_text(track_file_text(track.content()), encoding="utf-8")
            written += 1
            for lesson in track.lessons.all():
                content = lesson.content(questions=lesson.questions.all())
                name = lesson_file_name(content)
                (folder / name).write_text(lesson_file_text(content), encoding="utf-8")
                names.add(name)
                written += 1
            # A lesson whose order or slug changed leaves its old file behind: remove it, or the
            # next load would see the same slug twice.
            for stale in folder.glob("*.md"):
                if stale.name not in names:
                    stale.unlink()
                    removed += 1
                    self.stdout.write(f"  removed stale {stale}")
        self.stdout.write(f"wrote {written} files to {root} ({removed} stale files removed)")
