# syntax=docker/dockerfile:1
# SRE Learning Portal application image (`learning-portal`, see docs/CONTRACTS.md).
#
#   docker build -t learning-portal --build-arg VERSION=0.1.0 --build-arg GIT_COMMIT=$(git rev-parse HEAD) .
#
# Two stages on the same Alpine Python:
#   builder  installs the locked runtime dependencies (uv.lock, no dev group) into /opt/venv from
#            wheels only (--no-build): every one has a musllinux wheel, so no compiler is needed
#            (tests/serving/test_image.py proves it against PyPI with pip download).
#   runtime  the venv, the code and the collected static files; no compiler, no build tools,
#            a numeric non-root user, and nothing written outside /tmp at run time
#            (PROMETHEUS_MULTIPROC_DIR is under /tmp), so it runs with a read-only root filesystem.
#
# Base images are pinned to an exact Python patch and Alpine release. Pinning by digest as well
# (python:3.12.12-alpine3.22@sha256:...) is better still, but the digest cannot be looked up from
# the machines this repository is developed on (no registry access); add it where images are
# built (CI), e.g. with Renovate or `docker buildx imagetools inspect`.

FROM python:3.12.12-alpine3.22 AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv

# The same uv release that wrote uv.lock.
RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /src
COPY pyproject.toml uv.lock ./
# --frozen: exactly uv.lock, never re-resolved. --no-dev: runtime dependencies only.
# --no-build: wheels only; a dependency without a musllinux wheel fails the build here instead of
# pulling in a compiler. Bytecode is compiled now (the runtime never writes .pyc files).
RUN uv sync --frozen --no-dev --no-install-project --no-build --python /usr/local/bin/python3


FROM python:3.12.12-alpine3.22 AS runtime

ARG VERSION=0.1.0
ARG GIT_COMMIT=unknown

LABEL org.opencontainers.image.title="learning-portal" \
      org.opencontainers.image.description="SRE Learning Portal: Django under gunicorn (serve it behind learning-portal-nginx)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}" \
      org.opencontainers.image.base.name="docker.io/library/python:3.12.12-alpine3.22"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONFAULTHANDLER=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-multiproc \
    GUNICORN_BIND=0.0.0.0:8000 \
    PORTAL_VERSION=${VERSION} \
    PORTAL_GIT_COMMIT=${GIT_COMMIT}

# A fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN addgroup -S -g 10001 portal \
    && adduser -S -D -H -u 10001 -G portal -h /app -s /sbin/nologin portal

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# Owned by root and not writable by the app user: the code cannot be changed at run time.
COPY . /app

# Static files are collected into the image (hashed names + manifest + .gz), never at start.
# Production settings refuse to load without these values; the dummy ones below exist ONLY for
# this RUN (they are not ENV, so they are not in the image's environment). No database is used.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    DJANGO_ALLOWED_HOSTS=build \
    DJANGO_ALLOW_SQLITE=1 \
    python manage.py collectstatic --noinput --verbosity 1 \
    && python -m compileall -q /app/portal /app/lessons /app/gunicorn.conf.py

USER 10001:10001
EXPOSE 8000

# No curl in the image: the standard library does it. The Host header is 127.0.0.1, so
# DJANGO_ALLOWED_HOSTS must contain 127.0.0.1 for this check (compose sets it; Kubernetes uses its
# own probes on the pod IP, which production settings allow through POD_IP).
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

# Exec form: gunicorn is PID 1 and receives SIGTERM itself (graceful shutdown of its workers,
# see gunicorn.conf.py); its master reaps its own workers.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi:application"]
