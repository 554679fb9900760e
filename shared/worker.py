"""The worker process: outbox relay, event consumer and periodic jobs, as threads."""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path

from shared.consumer import EventConsumer
from shared.housekeeping import housekeeping_job
from shared.metrics_server import serve_metrics, stop_serving
from shared.prometheus import beat, worker_registry
from shared.relay import Relay
from shared.service import PeriodicJob, Runtime

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5.0
HEARTBEAT_STALE_SECONDS = 30.0


def run_worker(runtime: Runtime) -> int:
    spec, settings = runtime.spec, runtime.settings
    stop = threading.Event()

    def _stop(signum, _frame):
        log.info("worker stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    targets = {"relay": Relay(runtime.database, settings, stop).run}
    if spec.handlers:
        consumer = EventConsumer(
            service=spec.name,
            settings=settings,
            database=runtime.database,
            handlers=spec.handlers,
            stop=stop,
        )
        targets["consumer"] = consumer.run
    for job in periodic_jobs(runtime, stop):
        targets[f"job:{job.name}"] = _periodic(job, runtime, stop)

    threads = [threading.Thread(target=t, name=name, daemon=True) for name, t in targets.items()]
    for thread in threads:
        thread.start()
    metrics = serve_metrics(worker_metrics(runtime), settings.web_host, settings.worker_metrics_port)
    log.info("worker started", extra={"threads": list(targets)})

    heartbeat = Path(settings.worker_heartbeat_file)
    exit_code = 0
    while not stop.is_set():
        dead = [t.name for t in threads if not t.is_alive()]
        if dead:
            log.error("worker thread ended unexpectedly; stopping", extra={"threads": dead})
            exit_code = 1
            stop.set()
            break
        now = time.time()
        heartbeat.write_text(str(now))
        beat(spec.name, now)
        stop.wait(HEARTBEAT_SECONDS)

    stop_serving(metrics)
    for thread in threads:
        thread.join(timeout=10)
    heartbeat.unlink(missing_ok=True)
    log.info("worker stopped")
    return exit_code


def worker_metrics(runtime: Runtime):
    """The registry a worker's /metrics serves: the shared metrics and the service's own."""
    spec = runtime.spec
    return worker_registry(
        spec.name,
        runtime.database,
        runtime.settings.amqp_url,
        consumes=bool(spec.handlers),
        extra=[make(runtime) for make in spec.metrics_collectors],
    )


def periodic_jobs(runtime: Runtime, stop: threading.Event) -> list[PeriodicJob]:
    """The service's own periodic jobs, and the housekeeping of the shared tables every worker runs."""
    return [*runtime.spec.periodic_jobs, housekeeping_job(runtime.settings, stop)]


def _periodic(job: PeriodicJob, runtime: Runtime, stop: threading.Event):
    every = job.interval(runtime.settings)  # read once, before the thread starts: a bad setting stops the start

    def loop():
        wait = every if job.first_run_after_seconds is None else job.first_run_after_seconds
        while not stop.wait(wait):
            wait = every
            try:
                job.run(runtime)
            except Exception:  # a failed run is retried at the next tick
                log.exception("periodic job failed", extra={"job": job.name})

    return loop


def heartbeat_is_fresh(path: str) -> bool:
    try:
        return time.time() - float(Path(path).read_text()) < HEARTBEAT_STALE_SECONDS
    except (OSError, ValueError):
        return False
