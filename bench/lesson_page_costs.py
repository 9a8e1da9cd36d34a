"""Where does a lesson page's time go? The parts of one request, timed in-process, in one run.

    uv run python bench/lesson_page_costs.py              # about 30 s; needs PostgreSQL
    uv run python bench/lesson_page_costs.py --repeat 2000

bench/run.py measures whole requests through gunicorn and nginx; this explains its figures. It
loads Django in this process with production settings against a throwaway PostgreSQL database
with the built-in lessons (tests/support/postgres.py), warms the caches, then times, --repeat
times each, the full requests through Django's test client (all middleware, no network):

  healthz      the minimal view (bench/run.py's floor)
  anonymous    the anonymous lesson page (content and body from the page cache)
  signed-in    the same page for a signed-in learner who has not answered the quiz

and the parts of the signed-in page, called directly:

  healthcheck  the `SELECT 1` with which Django checks a reused connection before a request's
               first query (CONN_HEALTH_CHECKS; under gunicorn, once per request that queries)
  session      loading the session row (django.contrib.sessions, database engine)
  user         loading the user (django.contrib.auth's ModelBackend.get_user)
  state        the learner's completion and latest answers (lessons.progress.lesson_state)
  content      the cached lesson, neighbours and questions (lessons.page_cache), copied
  layout       rendering the page around the cached body (templates/base.html, nav, messages)

It prints milliseconds per call and each as a ratio to healthz. Database time is included: the
server is on loopback and shares the CPUs. Compare the ratios within one run.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.serving.stack import BEHIND_TLS, collect_static, production_env  # noqa: E402
from tests.support.postgres import portal_database  # noqa: E402

LESSON = "/tracks/service-levels/slis-slos-and-error-budgets/"


def timed(function, repeat: int) -> float:
    """Milliseconds per call: the median of 5 batches (other work on the machine hits a batch,
    not the figure)."""
    function()
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(max(repeat // 5, 1)):
            function()
        batches.append((time.perf_counter() - started) / max(repeat // 5, 1) * 1000)
    return statistics.median(batches)


def measure(repeat: int) -> list[tuple[str, float]]:
    import django
    from django.conf import settings

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.backends import ModelBackend
    from django.db import connections
    from django.test import Client
    from django.utils.module_loading import import_string

    from lessons import progress, views

    get = {"headers": {"X-Forwarded-Proto": BEHIND_TLS["X-Forwarded-Proto"]}}
    learner = get_user_model().objects.create_user("bench-costs", password="bench-Pa55word-1")
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(learner)
    for client in (anonymous, signed_in):  # warm the page cache and the template loader
        assert client.get(LESSON, **get).status_code == 200
    assert "bench-costs" in signed_in.get(LESSON, **get).content.decode()

    session_key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    track_slug, lesson_slug = LESSON.strip("/").split("/")[1:]
    request = views_request(signed_in, learner, store(session_key))
    lesson, questions = views._lesson_content(request, track_slug, lesson_slug)

    def layout():
        context = {"lesson": lesson, "track": lesson.track, "body_html": "<p>cached body</p>"}
        return views.render_to_string("lessons/lesson.html", context, request)

    return [
        ("healthz", timed(lambda: anonymous.get("/healthz", **get), repeat)),
        ("anonymous", timed(lambda: anonymous.get(LESSON, **get), repeat)),
        ("signed-in", timed(lambda: signed_in.get(LESSON, **get), repeat)),
        ("healthcheck", timed(connections["default"].is_usable, repeat)),
        ("session", timed(lambda: store(session_key).load(), repeat)),
        ("user", timed(lambda: ModelBackend().get_user(learner.pk), repeat)),
        ("state", timed(lambda: progress.lesson_state(learner, lesson.pk), repeat)),
        (
            "content",
            timed(lambda: views._lesson_content(request, track_slug, lesson_slug), repeat),
        ),
        ("layout", timed(layout, repeat)),
    ]


def views_request(client, user, session):
    from django.test import RequestFactory

    request = RequestFactory().get(LESSON, headers={"X-Forwarded-Proto": "https"})
    request.user, request.session = user, session
    return request


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1000, help="calls per figure (default 1000)")
    args = parser.parse_args(argv)
    print("creating a PostgreSQL database with the built-in lessons ...", flush=True)
    with portal_database() as database_url, tempfile.TemporaryDirectory() as tmp:
        static_root = collect_static(Path(tmp) / "static")
        os.environ.update(production_env(database_url, static_root))
        os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
        os.environ["DJANGO_LOG_LEVEL"] = "WARNING"  # no access log lines in the timings
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        results = measure(args.repeat)
        from django.db import connections

        connections.close_all()  # so the database can be dropped
    floor = results[0][1]
    print(f"\n{'part':<12}{'ms':>8}{'x healthz':>11}")
    for name, ms in results:
        print(f"{name:<12}{ms:>8.3f}{ms / floor:>11.2f}")
    parts = dict(results)
    own = parts["session"] + parts["user"] + parts["state"]
    print(
        f"\nsigned-in minus anonymous: {parts['signed-in'] - parts['anonymous']:.3f} ms, "
        f"of which session + user + state {own:.3f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
