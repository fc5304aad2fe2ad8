"""The Telegram front end, by audience: citizens (topics, questions, /phi), volunteers (/huongdan,
/checklist) and staff (statistics, knowledge edits); ``app`` builds and runs the application."""

from bot.telegram.app import build_application, run_polling, run_webhook, webhook_app

__all__ = ["build_application", "run_polling", "run_webhook", "webhook_app"]
