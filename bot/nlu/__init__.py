"""Custom Rasa NLU components for Vietnamese: word segmentation and knowledge-base entities."""
