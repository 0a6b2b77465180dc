"""Lesson 13 — deploying: gunicorn, nginx, sticky sessions and the 400s."""
