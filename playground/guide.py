"""The built guide (mkdocs' ``site/``) at ``/guide/`` of the playground: one URL holds both.

``nox -s docs`` builds it. mkdocs writes a page per directory (``lessons/05-rooms/index.html``,
its default ``use_directory_urls``) with relative links, so it works under any path. Not built:
``/guide/`` says how to build it.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from werkzeug.security import safe_join

from playground.manifest import ROOT

SITE = ROOT / "site"  # mkdocs' default site_dir

guide = Blueprint("guide", __name__, url_prefix="/guide")


@guide.get("/", defaults={"path": ""})
@guide.get("/<path:path>")
def page(path: str):
    site: Path = current_app.config.get("GUIDE_SITE", SITE)
    if not (site / "index.html").is_file():
        return render_template("playground/guide-missing.html", site=site), 404
    found = safe_join(str(site), path)
    if found is None:
        abort(404)
    if Path(found).is_dir():
        if path and not path.endswith("/"):  # its relative links need the slash
            return redirect(f"{request.script_root}/guide/{path}/", code=308)
        path += "index.html"
    return send_from_directory(site, path)
