"""gunicorn settings for every service's web process, from the environment."""
import os

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
