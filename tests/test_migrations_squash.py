"""Every app's migrations squash, and the squashed files alone migrate to the models.

A migration that imports live code, or an operation squashmigrations cannot
write out (a RunPython closure), fails here. Run on a copy of the project, on
SQLite, in two processes: one squashes every app, the other migrates from
nothing with only the squashed files left and checks no change is missing.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.db.migrations.loader import MigrationLoader

PROJECT = Path(__file__).resolve().parent.parent
COPIED = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"}

SQUASH = """
from pathlib import Path
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
for app, last in {targets!r}:
    # Squash the copy's files only, never those of the project or the virtualenv.
    assert Path(apps.get_app_config(app).path).resolve().is_relative_to(Path.cwd().resolve())
    call_command("squashmigrations", app, last, interactive=False, verbosity=0)
"""
MIGRATE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("makemigrations", check=True, dry_run=True, verbosity=0)
"""


def apps_with_several_migrations() -> list[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    # The project's own apps: packages at its top. Django's own (in the virtualenv,
    # which may sit inside the project) are not squashed, and never written to.
    ours = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == PROJECT
    }
    names: dict[str, list[str]] = {}
    for app, name in loader.disk_migrations:
        if app in ours:
            names.setdefault(app, []).append(name)
    return sorted((app, max(found)) for app, found in names.items() if len(found) > 1)


def run(script: str, folder: Path) -> None:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "omnitron.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'squashed.sqlite3'}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_squashes_and_migrates_from_nothing(tmp_path):
    targets = apps_with_several_migrations()
    assert targets, "no app with more than one migration"
    copy = tmp_path / "project"
    shutil.copytree(
        PROJECT,
        copy,
        ignore=lambda folder, names: [
            n for n in names if n in COPIED or n.endswith((".sqlite3", ".pyc"))
        ],
    )

    run(SQUASH.format(targets=targets), copy)

    for app, _ in targets:
        folder = copy / app / "migrations"
        squashed = [path for path in folder.glob("0*.py") if "_squashed_" in path.name]
        assert len(squashed) == 1, f"{app}: {sorted(p.name for p in folder.iterdir())}"
        for path in folder.glob("0*.py"):
            if path not in squashed:
                path.unlink()
    run(MIGRATE, copy)
