"""Shared machinery of the lessons: manifest, app wiring, runner, launcher and console."""
