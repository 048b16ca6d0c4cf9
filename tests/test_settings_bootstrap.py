"""Settings have no side effects: importing them creates no folder and writes no key. The `techmarket`
command prepares a fresh data directory (with its secret key) before Django starts."""

import os
import stat
import subprocess
import sys
from pathlib import Path

TECHMARKET = Path(sys.executable).with_name("techmarket")


def fresh_env(data_dir: Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(TECHMARKET_DATA_DIR=str(data_dir), DATABASE_URL=f"sqlite:///{data_dir / 'techmarket.sqlite3'}",
               DJANGO_SETTINGS_MODULE="techmarket.settings", **extra)
    return env


def test_importing_the_settings_creates_nothing(tmp_path):
    data_dir = tmp_path / "fresh" / "var"
    code = ("import django; django.setup()\n"
            "from django.conf import settings\n"
            "print(settings.DATA_DIR, settings.STATIC_ROOT, settings.MEDIA_ROOT)")
    result = subprocess.run([sys.executable, "-c", code], env=fresh_env(data_dir), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert str(data_dir) in result.stdout
    assert not (tmp_path / "fresh").exists()


def test_techmarket_check_prepares_a_fresh_data_directory(tmp_path):
    data_dir = tmp_path / "fresh" / "var"
    env = fresh_env(data_dir)
    result = subprocess.run([str(TECHMARKET), "check"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    key_file = data_dir / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in data_dir.iterdir()) == ["secret_key"]  # no stray temporary file
    # The key is kept, and the settings read it.
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == key
    subprocess.run([str(TECHMARKET), "check"], env=env, capture_output=True, check=True, timeout=120)
    assert key_file.read_text() == key


def test_a_key_in_the_environment_is_used_and_nothing_written(tmp_path):
    data_dir = tmp_path / "var"
    env = fresh_env(data_dir, SECRET_KEY="k" * 60)
    result = subprocess.run([str(TECHMARKET), "check"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (data_dir / "secret_key").exists()


def test_sqlite_connections_are_kept_between_requests_unless_told_otherwise(tmp_path):
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    for extra, expected in (({}, "60"), ({"DB_CONN_MAX_AGE": "0"}, "0")):
        result = subprocess.run([sys.executable, "-c", code], env=fresh_env(tmp_path / "var", **extra),
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [expected], extra
