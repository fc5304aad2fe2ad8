"""The staff web page (``dvcbot staff``): accounts and sessions, the entry forms, the check before publish,
history and diffs, unanswered questions, statistics and the model page.

Nothing here imports Rasa or TensorFlow: the page runs in the front-end environment and reaches Rasa's NLU
over HTTP (``/model/parse``); answers are chosen and rendered by the same plain functions the action server
uses (:mod:`actions.answers`).
"""
