"""Answer fee questions (online vs at the counter, by province and date) and list fee reductions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_or_slot, latest_entity, sources_button
from actions.kb import get_kb
from actions.render import render
from actions.services import ask_for_service
from knowledge.clock import today
from knowledge.fees import place_notes, quote, reductions_for, territory_note
from knowledge.places import resolve


def answer_fee(dispatcher: CollectingDispatcher, kb, service_id: str, province: str | None,
               on: dt.date | None = None) -> list[dict]:
    """Send the fee of ``service_id`` online and at the counter, with its legal basis and source."""
    service = kb.get(service_id)
    if service is None:
        return ask_for_service(dispatcher, kb, "fee", "ask_fee")
    on = on or today()
    online = quote(kb, service_id, province, online=True, on=on)
    counter = quote(kb, service_id, province, online=False, on=on)
    notes = list(dict.fromkeys(online.notes + counter.notes))
    entries = online.sources + counter.sources + online.possible_reductions + online.disputed
    dispatcher.utter_message(text=render("fee.j2", service=service, place=online.place, on=on,
                                         online=online, counter=counter, notes=notes),
                             buttons=sources_button(entries))
    return [SlotSet("pending", None), SlotSet("service", service_id), SlotSet("last_question", "fee")]


class ActionFee(Action):
    """Fee of the service named now or earlier, in the province named now or earlier."""

    def name(self) -> str:
        return "action_fee"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        service_id = entity_or_slot(tracker, "service")
        if not service_id:
            return ask_for_service(dispatcher, kb, "fee", "ask_fee")
        return answer_fee(dispatcher, kb, service_id, entity_or_slot(tracker, "province"))


def answer_reductions(dispatcher: CollectingDispatcher, kb, province: str | None,
                      on: dt.date | None = None) -> list[dict]:
    """List reductions in force for ``province`` (and national ones)."""
    on = on or today()
    place = resolve(province) if province else None
    notes = place_notes(province, place)
    reductions, disputed = reductions_for(kb, place, on)
    for r in reductions:
        note = territory_note(r, place) if place else None
        if note:
            notes.append(note)
    dispatcher.utter_message(text=render("reductions.j2", reductions=reductions, disputed=disputed, place=place,
                                         on=on, notes=list(dict.fromkeys(notes))),
                             buttons=sources_button(reductions + disputed))
    return [SlotSet("pending", None), SlotSet("last_question", "reduction")]


class ActionFeeReduction(Action):
    """Online fee reductions in a province."""

    def name(self) -> str:
        return "action_fee_reduction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = get_kb()
        province = latest_entity(tracker, "province") or tracker.get_slot("province")
        if not province:
            dispatcher.utter_message(
                text="Bạn muốn hỏi giảm phí ở tỉnh/thành nào? Gõ tên tỉnh (tên cũ hay mới đều được), ví dụ “Nghệ An”.",
                buttons=[{"title": p, "payload": f'/ask_fee_reduction{{"province":"{p}"}}'}
                         for p in ("Lâm Đồng", "Nghệ An", "Hà Nội", "Hồ Chí Minh")])
            return [SlotSet("pending", "reduction")]
        return answer_reductions(dispatcher, kb, province)
