"""Lesson 02 — reserved events."""
