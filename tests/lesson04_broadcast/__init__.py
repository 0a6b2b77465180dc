"""Lesson 04 — broadcast."""
