# tinbao in a container: `docker compose up -d` (compose.yaml), or build it alone with
# `docker build -t tinbao .`. The database, its backups and the lock live in the /data
# volume; settings come from the environment (.env, see .env.example).
# Not built in CI (no container daemon there): .ci/run lints it with hadolint and
# tests/test_deploy.py keeps it consistent with the code.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# Dependencies first, pinned by the lock file: a code change does not reinstall them.
COPY constraints.txt pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY config ./config
RUN python -m venv /opt/tinbao \
    && /opt/tinbao/bin/pip install --constraint constraints.txt .

FROM python:3.11-slim-bookworm
# A system user with no shell and no home but the data volume.
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin tinbao \
    && mkdir -p /data/backups \
    && chown -R tinbao:tinbao /data
COPY --from=build /opt/tinbao /opt/tinbao
ENV PATH=/opt/tinbao/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TINBAO_DATABASE_PATH=/data/tinbao.db \
    TINBAO_BACKUP_DIR=/data/backups
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# `tinbao status` exits 1 when a person is needed (backlog stuck, disk full, no backup...).
HEALTHCHECK --interval=60s --timeout=20s --start-period=120s --retries=3 \
    CMD ["tinbao", "status"]
ENTRYPOINT ["tinbao"]
CMD ["run"]
