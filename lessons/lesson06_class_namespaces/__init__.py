"""Lesson 06 — class-based namespaces."""
