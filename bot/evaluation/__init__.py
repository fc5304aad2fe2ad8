"""Measuring the assistant's quality (figures, never pass/fail tests)."""
