"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py reformtracker.wsgi`.

Everything can be overridden by environment variables (GUNICORN_*), e.g. the bind
address behind the reverse proxy.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))  # the annual PDF is built on first download
graceful_timeout = 30
keepalive = 5
# Workers are recycled now and then (a guard against slow leaks). With preload_app they are
# forked from a master that has already imported Django, so a new worker is ready at once;
# without it, workers recycled together under load stalled the server for seconds.
preload_app = True
max_requests = 5000
max_requests_jitter = 2500
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
# gunicorn's default access line, with the request id Django answered with (the same as in its log lines)
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" request=%({x-request-id}o)s'
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
