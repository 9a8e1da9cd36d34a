"""`manage.py load_lessons [DIR] [--force]`: load the built-in curriculum (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lessons.curriculum import CURRICULUM_DIR, CurriculumError, parse_curriculum
from lessons.loading import load_curriculum


class Command(BaseCommand):
    help = (
        "Load the curriculum files (default: the built-in lessons/curriculum/) into the database. "
        "Running it twice changes nothing; lessons edited in admin are skipped unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(CURRICULUM_DIR))
        parser.add_argument(
            "--force", action="store_true", help="overwrite tracks and lessons edited in admin"
        )

    def handle(self, directory, force, **options):
        try:
            tracks = parse_curriculum(Path(directory))
        except CurriculumError as exc:
            raise CommandError(f"nothing loaded: {exc}") from None
        report = load_curriculum(tracks, force=force)
        lessons = sum(len(t.lessons) for t in tracks)
        self.stdout.write(
            f"{len(tracks)} tracks, {lessons} lessons in {directory}: "
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
        )
        for label in report.created:
            self.stdout.write(f"  created {label}")
        for label in report.updated:
            self.stdout.write(f"  updated {label}")
        for label in report.skipped:
            self.stdout.write(
                self.style.WARNING(f"  skipped {label}: edited in admin (use --force to overwrite)")
            )
