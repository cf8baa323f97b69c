"""gunicorn settings for Tongban: ``gunicorn -c deploy/gunicorn.conf.py tongban.wsgi``.

gthread workers: each worker process serves requests on threads, which suits a Django app
that waits on PostgreSQL and Redis more than it computes. Start with 2 workers x 8 threads
on a 2-core machine; the values come from the environment so one file serves every machine.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Requests waiting for a thread queue in the listen backlog (nginx keeps its own queue).
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
# A worker silent this long is killed and replaced (a stuck request cannot take it down).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# A restarted master can bind while workers of a killed one are still leaving.
reuse_port = True
# The application is imported once, in the master (which also runs the production checks):
# a worker that dies is replaced by a fork in milliseconds instead of a fresh import that
# takes seconds on a busy machine, and the workers share the imported code's memory.
preload_app = True
proc_name = "tongban-web"
pidfile = os.environ.get("GUNICORN_PID") or None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# nginx on the same machine sets X-Forwarded-For / -Proto; trust only it.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """The master imported the app and ran the production checks, which opened database
    connections: close them before workers are forked, so that none inherits a socket."""
    from django.db import connections

    connections.close_all()
