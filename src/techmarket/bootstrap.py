"""What a process prepares before Django starts: the data directory and the secret key.

The settings module only reads (it has no side effects on import). The `techmarket` command and the WSGI
entry point call `prepare()` first, so `make run` works on a fresh checkout: the data directory is created and,
unless SECRET_KEY is set in the environment, a key is generated once into <data dir>/secret_key.
Nothing here imports Django.
"""

import os
import secrets
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
SECRET_KEY_FILE = "secret_key"


def data_dir() -> Path:
    """Where the SQLite database, the secret key, static files and uploads live (TECHMARKET_DATA_DIR)."""
    return Path(os.environ.get("TECHMARKET_DATA_DIR", PROJECT_DIR / "var"))


def read_secret_key() -> str:
    """SECRET_KEY from the environment, else the one kept in the data directory, else ""."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    try:
        return (data_dir() / SECRET_KEY_FILE).read_text().strip()
    except FileNotFoundError:
        return ""


def prepare() -> None:
    """Create the data directory and, if no key is set in the environment, the key file (once; concurrent
    first starts agree on one key)."""
    directory = data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    if os.environ.get("SECRET_KEY"):
        return
    key_file = directory / SECRET_KEY_FILE
    if key_file.exists():
        return
    # Written aside, then linked into place: the file appears whole, and a second process's link fails.
    temporary = directory / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(50))
    try:
        os.link(temporary, key_file)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
