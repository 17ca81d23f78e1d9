# syntax=docker/dockerfile:1
# 42Partner: one image for every role (deploy/entrypoint.sh: web, realtime, matchmaker, worker,
# beat, migrate, shell, manage). Build: docker build -t partner42 .
# Run a role: docker run --env-file deploy/env/app.env partner42 web

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: compile mysqlclient, install the requirements, collect the static files -----------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config libmariadb-dev \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
COPY requirements.txt requirements-mysql.txt /tmp/requirements/
RUN pip install -r /tmp/requirements/requirements.txt -r /tmp/requirements/requirements-mysql.txt

WORKDIR /app
COPY . .
# The production storage (hashed names, precompressed copies), with placeholder secrets: settings
# refuse to load without them, and collectstatic touches neither the database nor Redis.
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=build.invalid \
    REDIS_URL=redis://build.invalid:6379/0 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    FORTYTWO_CLIENT_ID=build FORTYTWO_CLIENT_SECRET=build \
    EMAIL_URL=dummymail:// DEFAULT_FROM_EMAIL=build@build.invalid \
    python manage.py collectstatic --noinput \
    && python -m compileall -q /app

# --- runtime: the MariaDB client library, no compiler, an unprivileged user -------------------
FROM ${PYTHON_IMAGE} AS runtime

RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 partner42 \
    && useradd --system --uid 10001 --gid partner42 --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin partner42 \
    && mkdir -p /srv/static /var/log/partner42 \
    && chown partner42:partner42 /srv/static /var/log/partner42

ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=partner42.settings \
    STATIC_ROOT=/app/staticfiles \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    PORT=8000 \
    METRICS_PORT=9100

COPY --from=build /opt/venv /opt/venv
# The code belongs to root: the application cannot rewrite itself.
COPY --from=build /app /app
WORKDIR /app

USER partner42:partner42
EXPOSE 8000 9100

# Probes the role this container runs: /healthz for web, /readyz/realtime (the channel layer
# round-trips) for realtime, a Celery ping for workers.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["/app/deploy/entrypoint.sh", "healthcheck"]

ENTRYPOINT ["/usr/bin/tini", "--", "/app/deploy/entrypoint.sh"]
CMD ["web"]
