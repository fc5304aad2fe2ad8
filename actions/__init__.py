"""Custom Rasa actions: turn a recognised request into a knowledge query and a rendered Vietnamese answer."""
