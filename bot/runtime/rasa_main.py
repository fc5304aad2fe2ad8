"""``python -m bot.runtime.rasa_main run …``: Rasa's own command line, given the HTTP API token from the
environment (``$DVCBOT_RASA_TOKEN``) instead of the command line.

Rasa 3.6 takes its token only as ``--auth-token`` on the command line, which every local user reads with ``ps``
(``/proc/<pid>/cmdline``). Here the option is added to ``sys.argv`` inside the process, after it started: the
kernel's copy of the command line never holds it. The environment of a process is readable only by its own user
(and root), who can read the tracker store anyway. It also installs :mod:`bot.runtime.rasa_speedups` (the same
results, less CPU per message).
"""

from __future__ import annotations

import os
import sys

# the front environment (no Rasa) imports this module for TOKEN_ENV: Rasa and what patches it load in main() only
TOKEN_ENV = "DVCBOT_RASA_TOKEN"  # the same name as bot.runtime.stack.TOKEN_ENV


def main() -> None:
    token = os.environ.pop(TOKEN_ENV, "")
    args = sys.argv[1:]
    if token and args[:1] == ["run"]:
        args = ["run", f"--auth-token={token}", *args[1:]]
    sys.argv = ["rasa", *args]
    from rasa.__main__ import main as rasa_main  # noqa: PLC0415 (after sys.argv is set; TensorFlow is heavy)

    from bot.runtime import rasa_speedups  # noqa: PLC0415 (imports Rasa: not in the front environment)

    rasa_speedups.apply()

    rasa_main()


if __name__ == "__main__":
    main()
