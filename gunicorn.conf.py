"""gunicorn's settings for a team's server: `make serve`, the crash tests and the save bench."""

# Sync workers: a worker takes a request from the listening socket only when it is free, so
# requests wait in one queue (the kernel's) for whichever worker frees up first. A gthread
# worker keeps each keep-alive connection it accepted, and accepts more than it can serve at
# once, so under load one worker's clients waited while another had time to spare:
# bench/bench_save_load.py measured twice the p95 at the same throughput. A sync worker holds
# a connection for one request, so it wants a buffering proxy in front of it (nginx, Caddy),
# which a team's server has anyway for TLS.
worker_class = "sync"
# CPU-bound Python: a process per core, and one more to use the time another spends waiting
# for the database.
workers = 3
