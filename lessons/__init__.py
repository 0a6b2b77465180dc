"""The lessons: one small Flask-SocketIO app per feature, listed in lessons.toml."""
