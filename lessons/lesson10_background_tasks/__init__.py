"""Lesson 10 — pushing progress from long jobs."""
