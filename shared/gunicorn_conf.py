"""gunicorn settings for every service's web process, from the environment."""

import os
import shutil
import tempfile

# An empty value counts as unset, as everywhere else: docker-compose.yml passes every setting, set or not.
bind = f"{os.environ.get('WEB_HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '5000'}"
workers = int(os.environ.get("WEB_WORKERS") or "2")
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT") or "30")
graceful_timeout = 10
preload_app = False  # each worker builds its app (and connects) after the fork
accesslog = None  # the app logs one JSON line per request itself
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "shared.logs.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


# Metrics across the workers (shared/metrics_http.py): each worker writes its values to files in
# PROMETHEUS_MULTIPROC_DIR, and a scrape of any worker adds them all up. The directory holds this master's
# workers only, and is emptied when it starts, so that no count of an earlier run is added in. Without the
# variable, a directory of its own in the temporary folder, removed again when gunicorn stops. The
# variable is set before any worker is forked (and so before it imports prometheus_client, which reads it
# once at import).
MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_made_here: list[str] = []


def on_starting(server):
    given = os.environ.get(MULTIPROC_DIR_VARIABLE)
    if given:
        os.makedirs(given, exist_ok=True)
        for name in os.listdir(given):
            path = os.path.join(given, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
    else:
        service = os.environ.get("SKILLPASS_SERVICE", "web")
        given = tempfile.mkdtemp(prefix=f"skillpass-{service}-metrics-")
        _made_here.append(given)
        os.environ[MULTIPROC_DIR_VARIABLE] = given


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, os.environ[MULTIPROC_DIR_VARIABLE])


def on_exit(server):
    for path in _made_here:
        shutil.rmtree(path, ignore_errors=True)
