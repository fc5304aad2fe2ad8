"""``python -m bot.cli``: the ``dvcbot`` command."""

import sys

from bot.cli.main import main

sys.exit(main())
