# One image for every service and every kind of process: docker-compose.yml picks the process with
# its command (`skillpass <service> init|web|worker`, see shared/cli.py), so there is no ENTRYPOINT.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what `pip install .` needs; the source is removed afterwards so that nothing but the installed
# package can be imported (`python -m gunicorn` puts the working directory first on sys.path).
COPY pyproject.toml README.md requirements.lock /tmp/src/
COPY shared /tmp/src/shared
COPY services /tmp/src/services
# The versions the tests ran (requirements.lock), not whatever is newest within pyproject.toml's ranges.
RUN pip install -c /tmp/src/requirements.lock /tmp/src && rm -rf /tmp/src

# A fixed numeric uid, so that orchestrators can check "non-root" without resolving names.
RUN groupadd --system --gid 10001 skillpass \
    && useradd --system --uid 10001 --gid skillpass --create-home --home-dir /home/skillpass skillpass \
    && mkdir -p /data \
    && chown skillpass:skillpass /data
USER 10001:10001
WORKDIR /home/skillpass

# Listen on every interface of the container (the local default is loopback only). /data holds the
# SQLite files when no DATABASE_SERVER_URL is given; compose always gives one.
ENV WEB_HOST=0.0.0.0 \
    SKILLPASS_DATA_DIR=/data

CMD ["skillpass", "--help"]
