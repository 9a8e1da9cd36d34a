"""The built-in curriculum as files: parse and validate them, and write them back.

Format: see `lessons/curriculum/FORMAT.md`. Parsing never touches the database; errors name the
file, the line or field, and what is wrong.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CURRICULUM_DIR = Path(__file__).resolve().parent / "curriculum"
TRACK_FILE = "_track.md"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DIFFICULTIES = ("beginner", "intermediate", "advanced")
STATUSES = ("draft", "published")
LESSON_FIELDS = {
    "title", "slug", "order", "summary", "difficulty", "estimated_minutes", "quiz", "status",
}  # fmt: skip
TRACK_FIELDS = {"title", "slug", "order", "summary", "status"}


class CurriculumError(Exception):
    """A content file is wrong. The message says which file, where, and what."""


@dataclass
class ChoiceData:
    text: str
    correct: bool


@dataclass
class QuestionData:
    question: str
    explanation: str
    choices: list[ChoiceData]


@dataclass
class LessonData:
    path: Path
    title: str
    slug: str
    order: int
    summary: str
    difficulty: str
    estimated_minutes: int
    body: str
    quiz: list[QuestionData]
    status: str = "published"

    def content(self) -> dict:
        """Same shape as `Lesson.content()`, so hashes compare."""
        return lesson_content(
            title=self.title,
            slug=self.slug,
            order=self.order,
            summary=self.summary,
            difficulty=self.difficulty,
            estimated_minutes=self.estimated_minutes,
            status=self.status,
            quiz=[
                (q.question, q.explanation, [(c.text, c.correct) for c in q.choices])
                for q in self.quiz
            ],
            body=self.body,
        )


@dataclass
class TrackData:
    path: Path
    title: str
    slug: str
    order: int
    summary: str
    description: str
    status: str = "published"
    lessons: list[LessonData] = field(default_factory=list)

    def content(self) -> dict:
        return track_content(
            title=self.title,
            slug=self.slug,
            order=self.order,
            summary=self.summary,
            description=self.description,
            status=self.status,
        )


# --- the canonical content of a file ----------------------------------------------------------
# One definition for files and database rows: load_lessons compares their hashes, and
# export_lessons writes exactly these fields.


def track_content(*, title, slug, order, summary, description, status) -> dict:
    data = {"title": title, "slug": slug, "order": order, "summary": summary}
    data["description"] = description
    if status != "published":
        data["status"] = status
    return data


def lesson_content(
    *, title, slug, order, summary, difficulty, estimated_minutes, status, quiz, body
) -> dict:
    """`quiz` is a list of (question, explanation, [(choice text, correct), ...])."""
    data = {
        "title": title,
        "slug": slug,
        "order": order,
        "summary": summary,
        "difficulty": difficulty,
        "estimated_minutes": estimated_minutes,
    }
    if status != "published":
        data["status"] = status
    data["quiz"] = [
        {
            "question": question,
            "explanation": explanation,
            "choices": [
                {"text": text, "correct": True} if correct else {"text": text}
                for text, correct in choices
            ],
        }
        for question, explanation, choices in quiz
    ]
    data["body"] = body
    return data


# --- parsing -----------------------------------------------------------------------------------


def split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    """Returns (front matter, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise CurriculumError(f"{path}:1: file must start with a '---' front matter line")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            break
    else:
        raise CurriculumError(f"{path}: front matter is not closed by a '---' line")
    try:
        meta = yaml.safe_load("".join(lines[1:index])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 2}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CurriculumError(f"{where}: invalid YAML front matter: {problem}") from None
    if not isinstance(meta, dict):
        raise CurriculumError(f"{path}:2: front matter must be a mapping of field: value")
    body = "".join(lines[index + 1 :]).strip("\n")
    return meta, body + "\n" if body else "", index + 2


def _text(path: Path, meta: dict, name: str, max_length: int) -> str:
    value = meta.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CurriculumError(f"{path}: field '{name}' is required and must be non-empty text")
    if len(value) > max_length:
        raise CurriculumError(f"{path}: field '{name}' is longer than {max_length} characters")
    return value.strip()


def _int(path: Path, meta: dict, name: str, low: int, high: int) -> int:
    value = meta.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CurriculumError(f"{path}: field '{name}' must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise CurriculumError(f"{path}: field '{name}' must be between {low} and {high}")
    return value


def _slug(path: Path, meta: dict) -> str:
    slug = _text(path, meta, "slug", 100)
    if not SLUG_RE.match(slug):
        raise CurriculumError(
            f"{path}: field 'slug' {slug!r} must be lowercase letters, digits and single hyphens"
        )
    return slug


def _status(path: Path, meta: dict) -> str:
    status = meta.get("status", "published")
    if status not in STATUSES:
        raise CurriculumError(f"{path}: field 'status' must be one of {', '.join(STATUSES)}")
    return status


def _unknown(path: Path, meta: dict, allowed: set[str]) -> None:
    unknown = sorted(set(meta) - allowed)
    if unknown:
        raise CurriculumError(
            f"{path}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def parse_quiz(path: Path, raw) -> list[QuestionData]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CurriculumError(f"{path}: field 'quiz' must be a list of questions")
    questions = []
    for number, item in enumerate(raw, start=1):
        where = f"{path}: quiz question {number}"
        if not isinstance(item, dict):
            raise CurriculumError(f"{where}: must be a mapping with question, explanation, choices")
        extra = sorted(set(item) - {"question", "explanation", "choices"})
        if extra:
            raise CurriculumError(f"{where}: unknown field(s) {', '.join(extra)}")
        text = item.get("question")
        explanation = item.get("explanation")
        if not isinstance(text, str) or not text.strip():
            raise CurriculumError(f"{where}: 'question' is required")
        if not isinstance(explanation, str) or not explanation.strip():
            raise CurriculumError(f"{where}: 'explanation' is required")
        raw_choices = item.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2:
            raise CurriculumError(f"{where}: needs at least two choices")
        choices = []
        for c_number, choice in enumerate(raw_choices, start=1):
            if (
                not isinstance(choice, dict)
                or not isinstance(choice.get("text"), str)
                or not choice["text"].strip()
                or set(choice) - {"text", "correct"}
                or not isinstance(choice.get("correct", False), bool)
            ):
                raise CurriculumError(
                    f"{where}, choice {c_number}: must be a mapping with 'text' and optional "
                    "'correct: true'"
                )
            choices.append(
                ChoiceData(text=choice["text"].strip(), correct=choice.get("correct", False))
            )
        correct = sum(c.correct for c in choices)
        if correct != 1:
            raise CurriculumError(f"{where}: needs exactly one correct choice, found {correct}")
        questions.append(
            QuestionData(question=text.strip(), explanation=explanation.strip(), choices=choices)
        )
    return questions


def parse_lesson(path: Path) -> LessonData:
    meta, body, body_line = split_front_matter(path, path.read_text(encoding="utf-8"))
    _unknown(path, meta, LESSON_FIELDS)
    difficulty = meta.get("difficulty")
    if difficulty not in DIFFICULTIES:
        raise CurriculumError(
            f"{path}: field 'difficulty' must be one of {', '.join(DIFFICULTIES)}, "
            f"got {difficulty!r}"
        )
    if not body.strip():
        raise CurriculumError(f"{path}:{body_line}: the lesson body is empty")
    if "quiz" not in meta:
        raise CurriculumError(f"{path}: field 'quiz' is required (use 'quiz: []' for none)")
    return LessonData(
        path=path,
        title=_text(path, meta, "title", 160),
        slug=_slug(path, meta),
        order=_int(path, meta, "order", 1, 999),
        summary=_text(path, meta, "summary", 400),
        difficulty=difficulty,
        estimated_minutes=_int(path, meta, "estimated_minutes", 1, 240),
        body=body,
        quiz=parse_quiz(path, meta.get("quiz")),
        status=_status(path, meta),
    )


def parse_track(folder: Path) -> TrackData:
    path = folder / TRACK_FILE
    if not path.is_file():
        raise CurriculumError(f"{folder}: missing {TRACK_FILE}")
    meta, description, _ = split_front_matter(path, path.read_text(encoding="utf-8"))
    _unknown(path, meta, TRACK_FIELDS)
    track = TrackData(
        path=path,
        title=_text(path, meta, "title", 120),
        slug=_slug(path, meta),
        order=_int(path, meta, "order", 1, 999),
        summary=_text(path, meta, "summary", 300),
        description=description,
        status=_status(path, meta),
    )
    seen_slugs: dict[str, Path] = {}
    seen_orders: dict[int, Path] = {}
    for lesson_path in sorted(folder.glob("*.md")):
        if lesson_path.name == TRACK_FILE:
            continue
        lesson = parse_lesson(lesson_path)
        if lesson.slug in seen_slugs:
            raise CurriculumError(
                f"{lesson_path}: slug {lesson.slug!r} is also used by {seen_slugs[lesson.slug]}"
            )
        if lesson.order in seen_orders:
            raise CurriculumError(
                f"{lesson_path}: order {lesson.order} is also used by {seen_orders[lesson.order]}"
            )
        seen_slugs[lesson.slug] = lesson_path
        seen_orders[lesson.order] = lesson_path
        track.lessons.append(lesson)
    track.lessons.sort(key=lambda item: item.order)
    return track


def parse_curriculum(root: Path = CURRICULUM_DIR) -> list[TrackData]:
    if not root.is_dir():
        raise CurriculumError(f"{root}: not a directory")
    tracks = [parse_track(folder) for folder in sorted(p for p in root.iterdir() if p.is_dir())]
    seen: dict[str, Path] = {}
    for track in tracks:
        if track.slug in seen:
            raise CurriculumError(
                f"{track.path}: track slug {track.slug!r} also in {seen[track.slug]}"
            )
        seen[track.slug] = track.path
    return sorted(tracks, key=lambda t: (t.order, t.slug))


# --- writing -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump_file(meta: dict, body: str) -> str:
    front = yaml.dump(meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    body = body.strip("\n")
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


def track_file_text(content: dict) -> str:
    meta = {k: v for k, v in content.items() if k != "description"}
    return dump_file(meta, content.get("description", ""))


def lesson_file_text(content: dict) -> str:
    meta = {k: v for k, v in content.items() if k != "body"}
    return dump_file(meta, content["body"])


def lesson_file_name(content: dict) -> str:
    return f"{content['order']:02d}-{content['slug']}.md"
