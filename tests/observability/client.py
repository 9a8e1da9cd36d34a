"""A tiny learner for tests against a real server: cookies, CSRF, sign-up, quiz, completion.
Standard library only (urllib); loopback servers only."""

import html
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Learner:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        """(status, headers, body text); redirects are returned, not followed."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(  # noqa: S310 (loopback test server)
            self.base_url + path, data=body, method=method, headers=dict(headers or {})
        )
        if method == "POST":
            req.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(req, timeout=15) as resp:
                return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers=headers)

    def csrf_token(self) -> str:
        for cookie in self.cookies:
            if cookie.name == "csrftoken":
                return cookie.value
        raise AssertionError("no csrftoken cookie yet: GET a page with a form first")

    def post(self, path: str, data: dict, headers=None):
        return self.request(
            "POST", path, {**data, "csrfmiddlewaretoken": self.csrf_token()}, headers=headers
        )

    def sign_up(self, username: str, password: str = "an-unguessable-passphrase-42") -> None:
        status, _, _ = self.get("/accounts/signup/")
        assert status == 200
        status, headers, body = self.post(
            "/accounts/signup/",
            {"username": username, "password1": password, "password2": password},
            headers={"X-Request-ID": f"signup-{username}"},
        )
        assert status == 302, (status, body[:2000])

    def answer_quiz(self, lesson_path: str, correct: bool | None = None) -> int:
        """Answers every question (the first choice of each) and returns how many there were."""
        status, _, page = self.get(lesson_path)
        assert status == 200, status
        picks: dict[str, str] = {}
        for name, value in re.findall(
            r'<input type="radio" name="(question_\d+)" value="(\d+)"', page
        ):
            picks.setdefault(html.unescape(name), value)
        assert picks, "no quiz on " + lesson_path
        status, _, body = self.post(lesson_path + "quiz/", picks)
        assert status == 302, (status, body[:2000])
        return len(picks)

    def complete(self, lesson_path: str) -> None:
        status, _, _ = self.get(lesson_path)
        assert status == 200
        status, _, body = self.post(lesson_path + "complete/", {"action": "complete"})
        assert status == 302, (status, body[:2000])
