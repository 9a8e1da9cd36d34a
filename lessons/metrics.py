"""Product metrics. Label sets are bounded: track and lesson slugs come from the database (a few
dozen), never from the URL, so an unknown slug cannot create a series."""

from prometheus_client import Counter

lesson_views = Counter("portal_lesson_views", "Published lesson pages served.", ["track", "lesson"])
lesson_completions = Counter(
    "portal_lesson_completions", "Lessons marked complete by learners.", ["track", "lesson"]
)
quiz_answers = Counter("portal_quiz_answers", "Quiz answers recorded, by result.", ["result"])
