"""The per-install secret behind keyed hashes of sender ids (``$DVCBOT_VAR_DIR/install.key``, mode 0600).

Rasa's tracker store and the Telegram inbox keep a conversation under :func:`keyed_id` of the chat, never
the raw Telegram id: without the key file the stored ids cannot be turned back into people (a plain hash of
a 9–10 digit id could be reversed by trying every id).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from bot.runtime import paths


@lru_cache(maxsize=4)
def install_key(var_dir: str | None = None) -> bytes:
    """The install's 32-byte secret, created on first use."""
    path = os.path.join(var_dir or str(paths.VAR), "install.key")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, "rb") as fh:
            return fh.read()
    with os.fdopen(fd, "wb") as fh:
        key = secrets.token_bytes(32)
        fh.write(key)
    return key


def keyed_id(value: str, var_dir: str | None = None) -> str:
    """A stable id for ``value`` (a chat id…) that only this install can compute.

    :param var_dir: the data directory of the install (default ``$DVCBOT_VAR_DIR``)
    """
    return "h" + hmac.new(install_key(var_dir), value.encode(), hashlib.sha256).hexdigest()[:31]
