"""The built-in curriculum: every file loads, renders and passes content checks; load_lessons is
idempotent, respects staff edits, and round-trips through export_lessons."""

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import Resolver404, resolve

from lessons.curriculum import CURRICULUM_DIR, CurriculumError, parse_curriculum
from lessons.models import Choice, Lesson, Question, QuizAnswer, QuizAttempt, Track
from lessons.rendering import render_markdown

BUILT_IN = parse_curriculum()
ALL_LESSONS = [lesson for track in BUILT_IN for lesson in track.lessons]
LINK = re.compile(r"\]\((/tracks/[^)\s#]*)(#[^)\s]*)?\)")


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_curriculum_size():
    assert len(BUILT_IN) >= 5
    assert len(ALL_LESSONS) >= 20


@pytest.mark.parametrize("lesson", ALL_LESSONS, ids=lambda lesson: lesson.slug)
def test_builtin_lesson_content(lesson):
    rendered = render_markdown(lesson.body)
    assert rendered.word_count >= 700, f"{lesson.path}: {rendered.word_count} words"
    assert len(lesson.quiz) >= 3, f"{lesson.path}: needs at least 3 quiz questions"
    for question in lesson.quiz:
        assert len(question.choices) >= 2
        assert sum(choice.correct for choice in question.choices) == 1
        assert len(question.explanation.split()) >= 5, f"{lesson.path}: thin explanation"
    assert rendered.toc_html, f"{lesson.path}: no headings for a table of contents"
    assert "<script" not in rendered.html


@pytest.mark.django_db
def test_links_between_lessons_resolve(curriculum):
    published = {
        (lesson.track.slug, lesson.slug) for lesson in Lesson.objects.select_related("track")
    }
    anchors = {
        (lesson.track.slug, lesson.slug): set(re.findall(r'id="([^"]+)"', lesson.body_html))
        for lesson in Lesson.objects.select_related("track")
    }
    checked = 0
    for lesson in ALL_LESSONS:
        for path, anchor in LINK.findall(lesson.body):
            try:
                match = resolve(path)
            except Resolver404:
                pytest.fail(f"{lesson.path}: link {path} does not resolve")
            if match.url_name == "lesson":
                key = (match.kwargs["track_slug"], match.kwargs["lesson_slug"])
                assert key in published, f"{lesson.path}: link to unknown lesson {path}"
                if anchor:
                    assert anchor[1:] in anchors[key], f"{lesson.path}: no anchor {path}{anchor}"
            checked += 1
    assert checked >= 10  # lessons do link to each other


@pytest.mark.django_db
def test_every_builtin_lesson_page_renders(client, curriculum):
    for lesson in Lesson.objects.select_related("track"):
        response = client.get(lesson.get_absolute_url())
        assert response.status_code == 200, lesson
        assert lesson.title in response.content.decode()


@pytest.mark.django_db
def test_load_is_idempotent(curriculum):
    counts = (Track.objects.count(), Lesson.objects.count(), Question.objects.count())
    stamps = list(Lesson.objects.order_by("pk").values_list("updated_at", flat=True))
    output = run("load_lessons")
    assert "0 created, 0 updated" in output and "0 skipped" in output
    assert counts == (len(BUILT_IN), len(ALL_LESSONS), sum(len(x.quiz) for x in ALL_LESSONS))
    assert (Track.objects.count(), Lesson.objects.count(), Question.objects.count()) == counts
    assert list(Lesson.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


@pytest.fixture
def tmp_curriculum(tmp_path):
    target = tmp_path / "curriculum"
    shutil.copytree(CURRICULUM_DIR, target)
    return target


def first_lesson_file(root: Path) -> Path:
    return sorted((root / BUILT_IN[0].slug).glob("0*.md"))[0]


@pytest.mark.django_db
def test_changed_file_updates_its_lesson_and_keeps_learner_answers(tmp_curriculum, learner):
    run("load_lessons", str(tmp_curriculum))
    path = first_lesson_file(tmp_curriculum)
    lesson = Lesson.objects.get(slug=BUILT_IN[0].lessons[0].slug)
    question = lesson.questions.first()
    attempt = QuizAttempt.objects.create(user=learner, lesson=lesson, score=1, total=1)
    QuizAnswer.objects.create(
        attempt=attempt, question=question, choice=question.choices.first(), is_correct=True
    )
    text = path.read_text().replace("\n---\n", "\n---\nA new first paragraph.\n\n", 1)
    path.write_text(text)
    output = run("load_lessons", str(tmp_curriculum))
    assert "1 updated" in output and f"updated lesson {BUILT_IN[0].slug}/{lesson.slug}" in output
    lesson.refresh_from_db()
    assert lesson.body.startswith("A new first paragraph.")
    assert "A new first paragraph." in lesson.body_html
    assert QuizAnswer.objects.filter(attempt=attempt).exists()  # history survives


@pytest.mark.django_db
def test_staff_edits_are_not_clobbered_unless_forced(tmp_curriculum):
    run("load_lessons", str(tmp_curriculum))
    slug = BUILT_IN[0].lessons[0].slug
    lesson = Lesson.objects.get(slug=slug)
    lesson.title = "Edited by staff"
    lesson.save()
    path = first_lesson_file(tmp_curriculum)
    path.write_text(path.read_text().replace("\n---\n", "\n---\nFile change.\n\n", 1))
    output = run("load_lessons", str(tmp_curriculum))
    assert "1 skipped" in output and f"skipped lesson {BUILT_IN[0].slug}/{slug}" in output
    assert "--force" in output
    lesson.refresh_from_db()
    assert lesson.title == "Edited by staff"
    output = run("load_lessons", str(tmp_curriculum), "--force")
    assert "1 updated" in output
    lesson.refresh_from_db()
    assert lesson.title != "Edited by staff" and lesson.body.startswith("File change.")


@pytest.mark.django_db
def test_export_then_load_round_trip_loses_nothing(tmp_path, curriculum, staff):
    # Staff edits of every kind, then export, load into an empty database, export again.
    lesson = Lesson.objects.order_by("pk").first()
    lesson.body += "\nEdited in admin: ünïcödé, `code`, and a | pipe.\n"
    lesson.status = "draft"
    lesson.save()
    question = lesson.questions.first()
    question.text = 'A "quoted" question: with colon?'
    question.save()
    Choice.objects.create(question=question, text="- starts with a dash", order=9)
    before = {(x.track.slug, x.slug): x.content() for x in Lesson.objects.select_related("track")}
    first = tmp_path / "first"
    run("export_lessons", str(first))
    Track.objects.all().delete()
    run("load_lessons", str(first))
    after = {(x.track.slug, x.slug): x.content() for x in Lesson.objects.select_related("track")}
    assert after == before
    second = tmp_path / "second"
    run("export_lessons", str(second))
    files = sorted(p.relative_to(first) for p in first.rglob("*.md"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.md"))
    for name in files:
        assert (first / name).read_text() == (second / name).read_text(), name


@pytest.mark.django_db
def test_export_of_builtin_matches_the_files(tmp_path, curriculum):
    run("export_lessons", str(tmp_path))
    exported = parse_curriculum(tmp_path)
    assert [t.content() for t in exported] == [t.content() for t in BUILT_IN]
    assert [[x.content() for x in t.lessons] for t in exported] == [
        [x.content() for x in t.lessons] for t in BUILT_IN
    ]


BAD_FILES = [
    ("no front matter", lambda t: t.replace("---\n", "", 1), "must start with a '---'"),
    ("broken yaml", lambda t: t.replace("title:", "title: [unclosed", 1), "invalid YAML front matter"),
    ("bad difficulty", lambda t: re.sub(r"difficulty: \w+", "difficulty: expert", t, count=1),
     "field 'difficulty' must be one of"),
    ("bad slug", lambda t: re.sub(r"\nslug: [\w-]+", "\nslug: Not A Slug", t, count=1),
     "field 'slug'"),
    ("minutes not a number", lambda t: re.sub(r"estimated_minutes: \d+", "estimated_minutes: soon", t, count=1),
     "field 'estimated_minutes' must be a whole number"),
    ("no correct choice", lambda t: t.replace("correct: true", "correct: false", 1),
     "needs exactly one correct choice, found 0"),
    ("unknown field", lambda t: t.replace("\ntitle:", "\ntitel: x\ntitle:", 1), "unknown field(s) titel"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("name,mutate,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_fail_with_file_and_reason_and_load_nothing(
    tmp_curriculum, name, mutate, message
):
    path = sorted((tmp_curriculum / BUILT_IN[-1].slug).glob("0*.md"))[-1]
    path.write_text(mutate(path.read_text()))
    with pytest.raises(CommandError) as excinfo:
        run("load_lessons", str(tmp_curriculum))
    assert str(path) in str(excinfo.value)
    assert message in str(excinfo.value)
    assert not Track.objects.exists() and not Lesson.objects.exists()  # nothing half-loaded


@pytest.mark.django_db
def test_yaml_error_names_the_line(tmp_curriculum):
    path = first_lesson_file(tmp_curriculum)
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(3, "summary: [broken\n")
    path.write_text("".join(lines))
    with pytest.raises(CurriculumError, match=rf"{re.escape(str(path))}:\d+: invalid YAML"):
        parse_curriculum(tmp_curriculum)


@pytest.mark.django_db
def test_database_error_midway_rolls_back_everything(tmp_curriculum, monkeypatch):
    from lessons import loading

    calls = {"n": 0}
    original = loading._load_lesson

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(loading, "_load_lesson", failing)
    with pytest.raises(RuntimeError):
        run("load_lessons", str(tmp_curriculum))
    assert not Lesson.objects.exists() and not Track.objects.exists()


def test_duplicate_slug_in_a_track_is_rejected(tmp_curriculum):
    src = first_lesson_file(tmp_curriculum)
    copy = src.with_name("99-copy.md")
    copy.write_text(re.sub(r"\norder: \d+", "\norder: 99", src.read_text(), count=1))
    with pytest.raises(CurriculumError, match="is also used by"):
        parse_curriculum(tmp_curriculum)
