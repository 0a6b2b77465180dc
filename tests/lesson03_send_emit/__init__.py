"""Lesson 03 — send vs emit."""
