"""Hot spots of Rasa 3.6 made cheap: applied by :mod:`bot.runtime.rasa_main`.

Profiled under load (``py-spy`` on a Rasa worker, 20 citizens without pause, see README "Hiệu năng"), about 40%
of a worker's CPU went to validating the action server's reply and 3% to finding an event class by name:

- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every reply. That checks the
  schema itself first, builds a new validator, and tries each event against all 23 event schemas of a
  ``oneOf``. Here the schema is checked once, and each event is validated against the one schema its
  ``event`` name selects. The alternatives of Rasa's ``oneOf`` differ by a ``const`` on ``event``, so an event
  matches exactly one of them exactly when it matches the one it names: the same replies pass and fail.
- ``Event.resolve_by_type`` walks every subclass of ``Event`` for each event it reads back from the tracker
  store. Here the answer is remembered per name (the classes do not change while the process runs).
- ``RemoteAction._action_call_format`` sends the action server every event of the conversation, so each
  reply costs more the longer the conversation (JSON encoding here, decoding and a tracker rebuilt there). The
  actions of dvcbot read only the slots and the latest message, which the call carries on their own; the
  events sent are those of the current turn (from the latest user message on).
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.utils.schemas.events import EVENT_SCHEMA

ORIGINAL_RESOLVE = Event.resolve_by_type
RASA_CALL_FORMAT = RemoteAction._action_call_format


def _validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@functools.cache
def _event_validators() -> dict[str, jsonschema.protocols.Validator]:
    """One validator per event name: the common part of Rasa's event schema and that event's alternative."""
    common = {key: value for key, value in EVENT_SCHEMA.items() if key != "oneOf"}
    return {
        alternative["properties"]["event"]["const"]: _validator({**common, "allOf": [alternative]})
        for alternative in EVENT_SCHEMA["oneOf"]
    }


@functools.cache
def _reply_validator() -> jsonschema.protocols.Validator:
    """The reply without its events: an object whose ``events`` is an array and ``responses`` an array of objects."""
    spec = RemoteAction.action_response_format_spec()
    return _validator({**spec, "properties": {**spec["properties"], "events": {"type": "array"}}})


def _unknown_event(event: Any) -> jsonschema.ValidationError:
    return jsonschema.ValidationError(f"{event!r} is not valid under any of the given schemas")


def validate_action_result(result: dict[str, Any]) -> bool:
    """Validate an action server's reply as Rasa does; raise ``jsonschema.ValidationError`` when it is invalid."""
    try:
        _reply_validator().validate(result)
        events = result.get("events", []) if isinstance(result, dict) else []
        validators = _event_validators()
        for event in events:
            name = event.get("event") if isinstance(event, dict) else None
            validator = validators.get(name) if isinstance(name, str) else None
            if validator is None:
                # not an object, no name, or a name no alternative has: Rasa's full schema says which
                jsonschema.validate(event, EVENT_SCHEMA)
                raise _unknown_event(event)
            validator.validate(event)
    except jsonschema.ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


@functools.cache
def _resolve_known(type_name: str) -> type[Event] | None:
    """The class of a known name (``None`` for Rasa's legacy "topic"); ``ValueError`` (not remembered) otherwise."""
    return ORIGINAL_RESOLVE(type_name, None)


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type`` with the class of each name remembered."""
    try:
        return _resolve_known(type_name)
    except ValueError:
        return ORIGINAL_RESOLVE(type_name, default)


def turn_events(tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    """The events of the current turn as dicts: from the latest user message on (all, if there is none)."""
    events = list(tracker.events)
    start = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), 0)
    return [event.as_dict() for event in events[start:]]


def action_call_format(action: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> dict[str, Any]:
    """Rasa's request to the action server (``RemoteAction._action_call_format``), with the events of the
    current turn only."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = turn_events(tracker)
    body = {"next_action": action.name(), "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not action._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(action.name()):
        body["domain"] = domain.as_dict()
    return body


def apply() -> None:
    """Install both in the running Rasa (idempotent)."""
    RemoteAction._validate_action_result = lambda self, result: validate_action_result(result)
    Event.resolve_by_type = staticmethod(resolve_by_type)
    RemoteAction._action_call_format = action_call_format
