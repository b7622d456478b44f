# Guards the protocol advice (formers protocol validate --advice): each check
# fires on the mistake it names, with its place, and stays quiet otherwise;
# advice never stops a protocol from loading.

from __future__ import annotations

from formers_tui.protocol.advice import advise
from formers_tui.protocol.loader import load_text
from tests.protocol.test_order_of_asking import BASE, RUNNING


def advice_for(text: str) -> list[str]:
    return [str(a) for a in advise(load_text(text).protocol)]


def test_a_sound_protocol_draws_no_advice() -> None:
    assert advice_for(BASE + RUNNING) == []


def test_each_check_names_its_place() -> None:
    text = (BASE + RUNNING).replace('"1" = "one"', '"1" = "Shown, and references confirm it."', 1)
    text = text.replace('critical_rationale = "Why it is critical."', "", 1)
    text = text.replace('prompts = ["Tell us about it."]', 'prompts = ["Do you? And why?"]', 1)
    text = text.replace(
        'prompts = ["Walk us through what you would do."]',
        'prompts = ["What treatment are you on?"]',
    )
    text = text.replace("Limits of confidentiality and mandated reporting.", "Breaks.")
    assert advice_for(text) == [
        "A-1: critical, but critical_rationale does not say why",
        "A-1: the anchor for level 1 requires collateral; say 'where available'",
        "A-1: can be answered yes or no: 'Do you? And why?'",
        "A-1: asks more than one question: 'Do you? And why?'",
        "V-1: asks about health or substances: 'What treatment are you on?'",
        "opening: does not cover the limits of confidentiality, mandated reporting",
    ]


def test_collateral_where_available_and_below_met_are_fine() -> None:
    text = (BASE + RUNNING).replace(
        '"1" = "one"', '"1" = "Shown; collateral, where available, agrees."', 1
    )
    text = text.replace('"0" = "zero"', '"0" = "Collateral contradicts it."', 1)
    assert advice_for(text) == []


def test_no_opening_is_advice() -> None:
    assert advice_for(BASE) == [
        "opening: none: an opening covers the purpose, consent, the limits of confidentiality "
        "and mandated reporting before the first question"
    ]
