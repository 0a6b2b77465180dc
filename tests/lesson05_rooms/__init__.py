"""Lesson 05 — rooms."""
