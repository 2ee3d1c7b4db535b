"""Running and operating the broker: gunicorn serving, logs, profiling and the operator commands."""
