"""The exercises: the learner writes a lesson's handlers, and the lesson's own tests judge them.

- model.py      what an exercise is (lessons/NN/exercise.toml) and the files made from the lesson
- workspace.py  the learner's folder: their files, progress, backups, the one-watcher lock
- judge.py      runs the lesson's tests against the learner's file and reads what happened
- plugin.py     the pytest plugin the judge runs the tests with
- verdict.py    a judgement in plain words: the claim, the test, what came and what was expected
- cli.py        ``nox -s exercise -- …``: watch, list, hint, reset, solution, check, serve
"""
