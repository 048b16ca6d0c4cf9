"""The `techmarket` command: Django's management commands plus the platform's own short names.

`techmarket import FILE` is `manage.py import_listings FILE`; every other word is passed to Django.
"""

import os
import sys

from techmarket.bootstrap import prepare

ALIASES = {
    "import": "import_listings",
    "expire": "expire_listings",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techmarket.settings")
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    if len(argv) > 1 and argv[1] != "runserver":
        # A command ends with its process: background jobs (embeddings) run before it returns.
        os.environ.setdefault("TECHMARKET_JOBS", "inline")
        os.environ.setdefault("TECHMARKET_SEARCH_FOLLOW", "0")
    argv[0] = "techmarket"
    prepare()  # the data directory and the secret key, before the settings are read
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
