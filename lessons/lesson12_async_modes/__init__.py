"""Lesson 12 — async modes, measured."""
