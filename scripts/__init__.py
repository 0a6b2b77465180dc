"""The measuring scripts behind nox -s bench, soak, floors and suite-time (python -m scripts.X)."""
