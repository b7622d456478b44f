"""One panelist's rating of the current indicator: a level (or omit) and a rationale.

The dialog rates for the panelist at the keyboard only (whose PIN the
interview screen has confirmed) and shows only their own rating; switching
panelist happens outside it, behind the next panelist's PIN.

The level is chosen in its own list: a digit (or ``o``) picks a level only
while that list has the cursor, so words typed in the rationale, or after
tabbing past it, are never read as levels. The level about to be saved is
repeated next to the Save button.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option, OptionDoesNotExist

from formers_tui.errors import ValidationError
from formers_tui.protocol.model import Indicator, Scale
from formers_tui.store.models import Rating
from formers_tui.tui.dialogs.base import FormDialog
from formers_tui.tui.dialogs.store_form import ChoiceList, FormTextArea
from formers_tui.tui.literal import literal

OMIT = "omit"
"""Option id of the omit choice; level options use their value as id."""


@dataclass(frozen=True)
class NewRating:
    """A rating to store for one panelist."""

    panelist_id: str
    value: int | None
    """A level value, or ``None`` for omit (insufficient information)."""
    rationale: str


def _choice(key: str, label: str, anchor: str) -> Content:
    """A level as its key, label and anchor."""
    return Content.from_markup(
        "[b]$key  $label[/] — $anchor", key=key, label=label, anchor=" ".join(anchor.split())
    )


class RatingDialog(FormDialog[NewRating]):
    """Pick a level in its list (digit keys there, anchors beside each), then say why."""

    key_hint: ClassVar[str] = "ctrl+s save · esc"

    DEFAULT_CSS = """
    RatingDialog {
        & #rating-who { height: 1; }
        & #rating-who > Label { width: auto; color: $text-muted; }
        & #rating-levels { height: auto; max-height: 45vh; }
        & #rating-rationale { height: 3; }
        & #rating-chosen { width: auto; color: $accent; text-style: bold; margin-right: 2; }
    }
    """

    def __init__(
        self,
        *,
        indicator: Indicator,
        scale: Scale,
        panelist_id: str,
        panelist_name: str,
        current: Rating | None,
    ) -> None:
        """Prepare the form.

        Args:
            indicator: the indicator to rate (its anchors are shown).
            scale: the protocol's rating scale.
            panelist_id: who is rating (their PIN confirmed).
            panelist_name: their name.
            current: their existing rating of the indicator, if any.
        """
        super().__init__()
        self._indicator = indicator
        self._scale = scale
        self._rater = panelist_id
        self._name = panelist_name
        self._current = current

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = f"Rate {self._indicator.id} · {self._indicator.title}"
            with Horizontal(id="rating-who"):
                yield Label(
                    literal(f"Rating as {self._name}"), id="rating-panelist", classes="field-first"
                )
                if self._current is not None and self._current.submitted_at is not None:
                    yield Label(
                        " · submitted: a change is kept with the earlier version",
                        id="rating-submitted",
                    )
            keys = "/".join(str(v) for v in self._scale.values)
            yield Label(
                f"Level (↑↓ and enter, or {keys}; o to omit; anchors beside each)",
                classes="field",
            )
            options = [
                Option(
                    _choice(
                        str(level.value),
                        level.label,
                        self._indicator.anchors.get(level.value, level.meaning),
                    ),
                    id=str(level.value),
                )
                for level in self._scale.levels
            ]
            options.append(
                Option(_choice("o", self._scale.omit_label, self._scale.omit_meaning), id=OMIT)
            )
            shortcuts = {str(v): str(v) for v in self._scale.values} | {"o": OMIT, "minus": OMIT}
            yield ChoiceList(*options, id="rating-levels", compact=True, shortcuts=shortcuts)
            yield Label("Rationale (what you heard or saw that supports it)", classes="field")
            yield FormTextArea(id="rating-rationale")
            yield from self.buttons()

    def beside_buttons(self) -> ComposeResult:
        yield Static("", id="rating-chosen")

    def on_mount(self) -> None:
        self._fill(self._current)
        self.query_one("#rating-levels", OptionList).focus()

    def _fill(self, rating: Rating | None) -> None:
        """Show ``rating`` in the form (or an empty form for ``None``)."""
        levels = self.query_one("#rating-levels", OptionList)
        if rating is None:
            levels.highlighted = None
        else:
            self._highlight(OMIT if rating.value is None else str(rating.value))
        self.query_one("#rating-rationale", TextArea).load_text(
            rating.rationale if rating is not None else ""
        )
        self._show_choice()

    def _highlight(self, option_id: str) -> bool:
        levels = self.query_one("#rating-levels", OptionList)
        try:
            levels.highlighted = levels.get_option_index(option_id)
        except OptionDoesNotExist:  # a digit not on this scale: leave the choice as it is
            return False
        return True

    def _show_choice(self) -> None:
        chosen = self._chosen_id()
        if chosen is None:
            text = "No level chosen"
        elif chosen == OMIT:
            text = f"Level: {self._scale.omit_label}"
        else:
            text = f"Level: {chosen} {self._scale.level(int(chosen)).label}"
        self.query_one("#rating-chosen", Static).update(text)

    def _chosen_id(self) -> str | None:
        levels = self.query_one("#rating-levels", OptionList)
        if levels.highlighted is None:
            return None
        return levels.get_option_at_index(levels.highlighted).id

    def choice_moved(self, choices: OptionList) -> None:
        self._show_choice()

    @on(OptionList.OptionHighlighted, "#rating-levels")
    def _highlighted(self) -> None:
        self._show_choice()

    def result(self) -> NewRating:
        chosen = self._chosen_id()
        if chosen is None:
            keys = "/".join(str(v) for v in self._scale.values)
            raise ValidationError(f"Pick a level ({keys}) or o to omit.")
        rationale = self.query_one("#rating-rationale", TextArea).text.strip()
        value = None if chosen == OMIT else int(chosen)
        return NewRating(panelist_id=self._rater, value=value, rationale=rationale)
