"""The cheaper validation of action replies and event look-up accept and refuse exactly what Rasa's own do."""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker as SdkTracker

from bot.runtime import rasa_speedups
from bot.runtime.stack import Stack

GOOD_EVENTS = [
    {"event": "slot", "name": "province", "value": "Huế", "timestamp": None},
    {"event": "slot", "name": "service", "value": None},
    {"event": "bot", "text": "Lệ phí 70.000 đồng.", "data": {"buttons": []}, "metadata": {}},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
    {
        "event": "user",
        "text": "phí bao nhiêu",
        "parse_data": {
            "intent": {"name": "ask_fee", "confidence": 0.9},
            "entities": [{"entity": "service", "value": "x"}],
        },
    },
    {"event": "reset_slots"},
    {"event": "followup", "name": "action_answer"},
    {"event": "session_started", "timestamp": 1.5},
]

BAD_REPLIES = [
    "not an object",
    {"events": "not a list"},
    {"events": [{"name": "x", "value": 1}]},  # no event name
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": 1}]},  # a slot without its name
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"event": "user", "parse_data": "text"}]},
    {"events": [{"event": "entities", "entities": [{"entity": "x"}]}]},  # an entity without its value
    {"events": [{"event": "action", "confidence": "high"}]},
    {"events": [{"event": "bot", "timestamp": "yesterday"}]},
    {"events": [{"event": "bot", "metadata": []}]},
    {"events": ["slot"]},
    {"events": [], "responses": ["text"]},
    {"events": [], "responses": [{"text": "x"}, 5]},
]


def rasa_accepts(reply) -> bool:
    try:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


def fast_accepts(reply) -> bool:
    try:
        return rasa_speedups.validate_action_result(reply)
    except jsonschema.ValidationError as error:
        assert "Failed to validate Action server response" in error.message
        return False


@pytest.mark.parametrize("event", GOOD_EVENTS)
def test_valid_events_pass_both(event):
    reply = {"events": [event], "responses": [{"text": "x"}]}
    assert rasa_accepts(reply) and fast_accepts(reply)


@pytest.mark.parametrize("reply", BAD_REPLIES, ids=range(len(BAD_REPLIES)))
def test_invalid_replies_fail_both(reply):
    assert not rasa_accepts(reply)
    assert not fast_accepts(copy.deepcopy(reply))


def test_every_event_kind_rasa_knows_is_covered():
    names = {alt["properties"]["event"]["const"] for alt in rasa_speedups.EVENT_SCHEMA["oneOf"]}
    assert set(rasa_speedups._event_validators()) == names


def test_an_empty_reply_is_valid():
    assert fast_accepts({}) and rasa_accepts({})


def test_event_classes_resolve_as_rasa_resolves_them():
    rasa_speedups.apply()
    for cls in (SlotSet, BotUttered, UserUttered, ActionExecuted):
        assert Event.resolve_by_type(cls.type_name) is cls
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_rasa_uses_them_once_applied():
    rasa_speedups.apply()
    action = RemoteAction("action_answer", None)
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result({"events": [{"event": "no_such_event"}]})
    assert action._validate_action_result({"events": GOOD_EVENTS})


def _conversation() -> tuple[DialogueStateTracker, Domain]:
    domain = Domain.from_yaml(
        "version: '3.1'\nintents: [ask_fee]\nslots:\n  province:\n    type: text\n    mappings: [{type: custom}]\n"
        "actions: [action_answer]\n"
    )
    events = [
        ActionExecuted("action_listen"),
        UserUttered("lệ phí thường trú", {"name": "ask_fee", "confidence": 0.9}),
        ActionExecuted("action_answer"),
        BotUttered("Lệ phí 20.000 đồng."),
        SlotSet("province", "Huế"),
        ActionExecuted("action_listen"),
        UserUttered("còn phí thì sao", {"name": "ask_fee", "confidence": 0.8}),
    ]
    return DialogueStateTracker.from_events("lan", events, domain.slots), domain


@pytest.mark.parametrize("selective", [False, True])
def test_action_call_carries_what_rasa_sends_with_the_current_turn_only(selective):
    tracker, domain = _conversation()
    action = RemoteAction("action_answer", EndpointConfig("http://localhost:1", enable_selective_domain=selective))
    ours = rasa_speedups.action_call_format(action, tracker, domain)
    rasas = rasa_speedups.RASA_CALL_FORMAT(action, tracker, domain)
    assert [e["event"] for e in ours["tracker"]["events"]] == ["user"]
    assert ours["tracker"]["events"] == rasas["tracker"]["events"][-1:]
    assert {**ours["tracker"], "events": None} == {**rasas["tracker"], "events": None}
    assert {**ours, "tracker": None} == {**rasas, "tracker": None}
    assert ("domain" in ours) is (not selective)
    # what an action reads on the action server is the same
    sdk_ours, sdk_rasas = SdkTracker.from_dict(ours["tracker"]), SdkTracker.from_dict(rasas["tracker"])
    assert sdk_ours.slots == sdk_rasas.slots
    assert sdk_ours.get_slot("province") == "Huế"
    assert sdk_ours.latest_message == sdk_rasas.latest_message
    assert sdk_ours.latest_message["text"] == "còn phí thì sao"


def test_the_stack_asks_rasa_not_to_send_the_domain():
    endpoint = yaml.safe_load(Stack(tracker_url="sqlite:///x.db").endpoints_yaml())["action_endpoint"]
    assert endpoint["enable_selective_domain"] is True
