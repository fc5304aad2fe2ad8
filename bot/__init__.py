"""Front ends of dvcbot (Telegram, terminal, the ``dvcbot`` CLI) and its NLU components."""
