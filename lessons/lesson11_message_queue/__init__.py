"""Lesson 11 — more than one server: a Redis message queue."""
