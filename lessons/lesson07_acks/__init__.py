"""Lesson 07 — acknowledgements."""
