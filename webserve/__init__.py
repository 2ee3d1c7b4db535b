"""What the broker and the self-service application both need to serve over HTTP: JSON log lines
with the request's id (`logs`), a Flask application under gunicorn with metrics across its workers
(`server`). It imports neither of them, nor the mandates store (tests/test_layers.py)."""
