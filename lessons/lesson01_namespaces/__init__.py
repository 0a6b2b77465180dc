"""Lesson 01 — namespaces."""
