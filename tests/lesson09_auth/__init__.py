"""Lesson 09 — authenticating a connection."""
