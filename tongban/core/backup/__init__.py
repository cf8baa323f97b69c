"""Backups of a whole instance, and restores that prove they are whole (docs/backup.md).

A backup is one directory::

    database.sqlite3 | database.dump   the SQLite online backup, or ``pg_dump -Fc``
    files/                             every stored file under MEDIA_ROOT
    manifest.json                      what a restore must find again, and its own hash

``services.create_backup`` writes it, ``services.restore_backup`` loads it into a fresh
instance and ``services.verify_instance`` checks an instance against its manifest. Keys and
secrets are never part of it: they live in the environment (docs/backup.md, "Keys").
"""


class BackupError(Exception):
    """A backup cannot be made, read or restored; ``str()`` is Chinese / English."""

    def __init__(self, message: str, message_en: str):
        self.message, self.message_en = message, message_en
        super().__init__(f"{message} / {message_en}")
