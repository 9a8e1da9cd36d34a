"""A stand-in for gunicorn that answers every request with what it received (JSON), so the
nginx tests can see exactly which headers nginx forwards and which requests reach the app.

Paths steer the answer: `/static/...` looks like WhiteNoise, `.../slow` sleeps 0.5 s,
`.../set-cookie` sets a cookie, `.../never-cache` sends Django's never_cache headers, `.../big` returns 8 KB of HTML (compressible)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body_size = len(self.rfile.read(length)) if length else 0
        seen = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body_size": body_size,
        }
        self.server.seen.append(seen)
        status, headers = 200, {"X-Request-ID": "set-by-the-app"}
        if "/slow" in self.path:
            time.sleep(0.5)
        if "/set-cookie" in self.path:
            headers["Set-Cookie"] = "csrftoken=abc; Path=/; SameSite=Lax"
        if "/never-cache" in self.path:
            # What Django's never_cache sets (the failure lab uses it).
            headers["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
        if self.path.startswith("/static/"):
            headers["Cache-Control"] = "max-age=315360000, public, immutable"
            headers["Content-Type"] = "text/css"
            payload = b"body { color: black; }\n" * 100
        elif "/big" in self.path:
            headers["Content-Type"] = "text/html; charset=utf-8"
            payload = b"<p>" + b"lesson text " * 700 + b"</p>"
        else:
            headers["Content-Type"] = "application/json"
            payload = json.dumps({**seen, "n": len(self.server.seen)}).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_HEAD = do_POST = _answer


class FakeApp:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.seen = []
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def seen(self) -> list[dict]:
        return self.server.seen

    def paths(self) -> list[str]:
        return [s["path"] for s in self.server.seen]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
