"""Lesson 08 — errors."""
