"""The Textual application and the one factory that builds it.

The first frame is drawn before the store is touched: opening the file,
running migrations and loading protocols happen in a thread worker, and the
home screen says "Opening store…" meanwhile. Store modules (SQLAlchemy,
SQLModel) are imported only inside that worker, so importing this module and
painting the first screen stay quick.

An encrypted store is recognised from its file header alone, so when its
passphrase is not known the first frame already asks for it, and the store's
modules and the protocols are loaded in the background while it is typed.
A known passphrase's key is derived on another thread
(:mod:`formers_tui.store.early_key`) while the modules are imported.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Static
from textual.worker import Worker

from formers_tui.errors import FormersError
from formers_tui.sanitize import clean_text
from formers_tui.store.passphrase import from_environment as passphrase_from_environment
from formers_tui.tui.collector import BurstCollector
from formers_tui.tui.messages import OpenInterview, StoreOpened, Unlock
from formers_tui.tui.screens.home import HomeScreen
from formers_tui.tui.strips import install as keep_strips_acyclic
from formers_tui.tui.workers import DB, post_result, user_error

BACKUP_DELAY = 3.0
"""Seconds after the store opens before the day's backup starts (the list loads first)."""
READ_ONLY_RETRY_SECONDS = 3.0
"""How often a read-only store is tried again at start-up."""
LIST_AFTER_INTERVIEW = 1.0
"""Seconds after an interview opened at start-up is shown before the list under it is read."""
FIRST_PAGE_WAIT = 1.0
"""Most seconds the store's opening waits for the first page, read before it, to be drawn."""

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from formers_tui.protocol.registry import Catalogue
    from formers_tui.store.crypto import StoreKey
    from formers_tui.store.early_key import PendingKey
    from formers_tui.store.store import Store
    from formers_tui.tui.screens.interview import InterviewScreen


def freeze_heap() -> None:
    """Leave everything alive now out of future garbage collections.

    Once the store and an interview are open the heap holds hundreds of
    thousands of long-lived objects (SQLAlchemy, pydantic and Textual
    internals), and each full collection walked them all: about 90 ms on the
    interface thread, landing in the middle of typing every few seconds.
    Frozen objects are never scanned again, so collections only look at what
    was made since; the cost is that garbage already present stays.
    """
    gc.freeze()


HIGH_CONTRAST = Theme(
    name="formers-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#00FFFF",
    warning="#FFD700",
    error="#FF6060",
    success="#60FF60",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#202020",
    boost="#FFFFFF",
    dark=True,
    text_alpha=1.0,
    variables={
        "text": "#FFFFFF",
        "text-muted": "#FFFFFF",
        "text-disabled": "#C0C0C0",
        "foreground-muted": "#FFFFFF",
        "border": "#FFFF00",
        "border-blurred": "#FFFFFF",
        "block-cursor-foreground": "#000000",
        "block-cursor-background": "#FFFF00",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-foreground": "#000000",
        "block-cursor-blurred-background": "#C0C0C0",
        "input-cursor-foreground": "#000000",
        "input-cursor-background": "#FFFF00",
        "input-selection-background": "#0050FF",
        "button-color-foreground": "#000000",
        "footer-background": "#000000",
        "footer-key-foreground": "#FFFF00",
        "footer-description-foreground": "#FFFFFF",
        "scrollbar": "#FFFFFF",
        "scrollbar-background": "#000000",
    },
)
"""Pure white on black with yellow focus: for bright rooms, projectors and low vision."""

DEFAULT_THEME = "textual-dark"
DEFAULT_LOCK_MINUTES = 10.0
IDLE_CHECK_SECONDS = 5.0


def lock_minutes_from_env() -> float:
    """Idle minutes before the app locks: ``FORMERS_LOCK_MINUTES`` (0 turns it off)."""
    text = os.environ.get("FORMERS_LOCK_MINUTES", "")
    try:
        return max(0.0, float(text)) if text else DEFAULT_LOCK_MINUTES
    except ValueError:
        return DEFAULT_LOCK_MINUTES


class FormersApp(App[None]):
    """The interview app: home list, new-interview form, interview screens."""

    CSS_PATH = "app.tcss"
    TITLE = "Formers"
    SUB_TITLE = "Peer mentor readiness interviews"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("f12", "toggle_contrast", "High contrast", show=False),
        # A priority binding: it works over every dialog, so a half-typed quote can be hidden.
        Binding("f11", "lock", "Lock", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        store_path: Path | str,
        open_interview: str | None = None,
        notice: str = "",
        passphrase: str | None = None,
        lock_minutes: float | None = None,
        encrypt_new_store: bool = True,
        early_key: PendingKey | None = None,
        ready: Callable[[], str] | None = None,
    ) -> None:
        """Create the app; nothing is opened until it runs.

        Args:
            store_path: the store file (created if missing), or the
                ``postgresql://`` URL of a server database (no passphrase:
                the server's roles and connection settings guard it).
            open_interview: id (or start of one) of an interview to open at once.
            notice: a line always shown on the home screen.
            passphrase: for an encrypted store, or to create a new store
                encrypted; else ``FORMERS_PASSPHRASE``, else the home screen asks.
            lock_minutes: idle minutes before the app locks itself (0: never);
                default ``FORMERS_LOCK_MINUTES`` or 10.
            encrypt_new_store: ask for a passphrase (twice) before creating a
                new store, so real stores are always encrypted.
            early_key: the store's key, already being derived from the
                passphrase (used instead of deriving it again).
            ready: waits until the store file is built and returns the id of
                an interview to open (the demo builds its store meanwhile);
                called in the background before the store is opened.
        """
        super().__init__()
        keep_strips_acyclic()  # drawn rows are freed when replaced: see tui/strips.py
        self.lock_minutes = lock_minutes if lock_minutes is not None else lock_minutes_from_env()
        self.encrypt_new_store = encrypt_new_store
        self.last_activity = time.monotonic()
        """When a key was last pressed or the mouse last clicked (monotonic seconds)."""
        self.store_path = store_path
        self._passphrase = passphrase if passphrase is not None else passphrase_from_environment()
        self._encrypted = False
        self._early_key = early_key
        self._retry_open: tuple[str | None, StoreKey | None] | None = None
        """What opened the store, kept while it is read-only so it can be tried again."""
        self._read_only_at_start = False
        self._build_store = ready
        self._prepared: Catalogue | None = None
        self._list_waits = False
        """The home list is not read until the interview opened at start-up is up."""
        self._preparing = threading.Lock()
        self.open_on_start = open_interview
        self.notice = notice
        self.store: Store | None = None
        """The open store; ``None`` until the background open has finished."""
        self.catalogue: Catalogue | None = None
        """Protocols found at start-up; set together with :attr:`store`."""
        self.home = HomeScreen(
            open_interview=self.open_interview, open_panel=self.open_panel, notice=notice
        )
        self._theme_before_contrast = DEFAULT_THEME
        self.collector = BurstCollector(self.set_interval)
        """Keeps the slow garbage collections out of typing bursts."""

    def get_default_screen(self) -> Screen[None]:
        return self.home

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = DEFAULT_THEME
        passphrase, self._passphrase = self._passphrase, None  # used once, not kept
        if self.lock_minutes:
            self.set_interval(IDLE_CHECK_SECONDS, self.lock_if_idle)
        if passphrase is None and self._early_key is None and isinstance(self.store_path, Path):
            if self.encrypt_new_store and self._is_new_store():
                self.call_after_refresh(self._ask_new_passphrase)
                return
            if self._header_says_encrypted():
                self._encrypted = True
                self.home.ask_at_start(
                    f"The store at {self.store_path} is encrypted; a passphrase is needed."
                )
                # Once the question is drawn: the imports would compete with drawing it.
                self.call_after_refresh(self.prepare_in_background)
                return
        # After the first frame: the worker's imports would compete with it.
        self.call_after_refresh(self.open_store, passphrase)

    def _header_says_encrypted(self) -> bool:
        """Whether the store file is encrypted, from its header (no store modules needed)."""
        from formers_tui.store.crypto import is_plaintext
        from formers_tui.store.errors import StoreError

        if not isinstance(self.store_path, Path):
            return False  # a server: its roles guard it, not a passphrase
        try:
            return not is_plaintext(self.store_path)
        except StoreError:
            return False  # opening will say what is wrong

    def _is_new_store(self) -> bool:
        if not isinstance(self.store_path, Path):
            return False
        try:
            return not self.store_path.exists() or (
                self.store_path.is_file() and self.store_path.stat().st_size == 0
            )
        except OSError:
            return False  # opening will say what is wrong

    def _ask_new_passphrase(self) -> None:
        from formers_tui.tui.dialogs.new_passphrase import NewPassphraseDialog

        def chosen(passphrase: str | None) -> None:
            if passphrase is None:
                self.exit()
                return
            self.open_store(passphrase)

        self.home.query_one("#status", Static).update("No store yet: choose its passphrase.")
        self.push_screen(NewPassphraseDialog(str(self.store_path)), callback=chosen)

    # -- locking -------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self.last_activity = time.monotonic()
            if isinstance(event, events.Key):
                self.collector.key_pressed()
        if isinstance(event, events.Key) and self.screen is self.home:
            self.home.key_arriving(event)
        await super().on_event(event)

    def lock_if_idle(self) -> None:
        """Lock the app when nobody has touched it for :attr:`lock_minutes`."""
        if self.lock_minutes and time.monotonic() - self.last_activity >= self.lock_minutes * 60:
            self.action_lock()

    def action_lock(self) -> None:
        """Cover the screen until a panelist's PIN or the store passphrase is typed."""
        from formers_tui.tui.screens.lock import Lockable, LockScreen, Unlocked

        if self.store is None or isinstance(self.screen, LockScreen):
            return
        # The interview open under the lock, if any: its panelists may unlock with a PIN.
        host = next((s for s in reversed(self.screen_stack) if isinstance(s, Lockable)), None)
        quick = host.quick_unlock() if host is not None else None

        def unlocked(who: Unlocked | None) -> None:
            if host is not None and who is not None and host in self.screen_stack:  # type: ignore[comparison-overlap]
                host.unlocked(who)

        self.push_screen(LockScreen(self.store, quick), callback=unlocked)

    def on_unmount(self) -> None:
        self.collector.release(collect=False)  # quitting: nothing to collect for
        if self.store is not None:
            self.store.close()

    # -- opening -------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="prepare")
    def prepare_in_background(self) -> None:
        """Load what opening the store needs while its passphrase is typed."""
        self._prepare()

    def _prepare(self) -> Catalogue:
        """Import the store's modules and load the protocols, once (any thread).

        None of it needs the passphrase, so it can run while it is typed.
        """
        with self._preparing:
            if self._prepared is not None:
                return self._prepared
            import importlib

            from formers_tui.protocol.registry import load_catalogue
            from formers_tui.store.common import remember_protocol
            from formers_tui.store.store import configure_models

            importlib.import_module("formers_tui.store.interviews")  # the list's first query
            configure_models()
            catalogue = load_catalogue()
            for loaded in catalogue.protocols.values():  # parsed already: the list need not again
                remember_protocol(loaded.sha256, loaded.protocol)
            self._prepared = catalogue
            return catalogue

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB)
    def open_store(self, passphrase: str | None = None, key: StoreKey | None = None) -> None:
        """Open (create, migrate) the store and load the protocols, off the UI thread.

        Key derivation for an encrypted store is deliberately slow, another
        reason this never runs on the interface thread; it runs on a thread
        of its own while the store's modules are imported.

        Args:
            passphrase: the store's passphrase, when known.
            key: its key, already derived (a retry after a read-only store).
        """
        from formers_tui.store.early_key import derive_early

        pending, self._early_key = self._early_key, None  # the first opening only
        if pending is None and key is None and isinstance(self.store_path, Path):
            pending = derive_early(self.store_path, passphrase)
        ready, self._build_store = self._build_store, None
        if ready is not None:
            self.open_on_start = ready()
        elif not self.open_on_start and self.home.rows is None:
            self._first_look(pending, key)
        catalogue = self._prepare()
        from formers_tui.store.errors import StoreReadOnly
        from formers_tui.store.store import Store, is_encrypted

        try:
            self._encrypted = isinstance(self.store_path, Path) and is_encrypted(self.store_path)
            if pending is not None:
                key = pending.result()
            # The day's backup of a large store takes seconds: taken once the list is up.
            store = Store.open(self.store_path, passphrase=passphrase, key=key, daily=False)
        except StoreReadOnly:
            self._retry_open = (passphrase, key)
            raise
        except OSError as exc:  # a folder, or a file this user may not read
            reason = exc.strerror or str(exc)
            raise FormersError(f"Cannot open the store at {self.store_shown}: {reason}.") from exc
        if not post_result(self, StoreOpened(store, catalogue)):
            store.close()

    def _first_look(self, pending: PendingKey | None, key: StoreKey | None) -> None:
        """Show the list's first page before the store's modules are imported (worker thread).

        The page is read through plain SQLite (:mod:`formers_tui.store.quick`);
        the store is then opened as usual once the page is on screen, so the
        imports do not compete with drawing it. Until it has opened, Enter on
        a row is kept and opens that interview then; the list's other actions
        say the store is still opening.
        """
        from formers_tui.store.quick import first_page
        from formers_tui.tui.screens.home import FIRST_PAGE, HomeScreen, listed_rows

        try:
            if pending is not None:
                key = pending.result()
        except Exception:  # noqa: BLE001 - opening the store says what is wrong
            return
        page = first_page(self.store_path, key, FIRST_PAGE)
        if page is None:
            return
        drawn = threading.Event()
        loaded = HomeScreen.Loaded(listed_rows(page), complete=len(page) < FIRST_PAGE, drawn=drawn)
        if post_result(self.home, loaded):
            drawn.wait(FIRST_PAGE_WAIT)

    @on(StoreOpened)
    def _store_opened(self, message: StoreOpened) -> None:
        self.store = message.store
        self.catalogue = message.catalogue
        if self._read_only_at_start:
            self.home.show_error("")  # it was read-only; it is writable now
        if self.open_on_start:
            # The interview is what was asked for: the list is read once it is up.
            self._list_waits = True
        else:
            self.home.store_opened(message.store, message.catalogue)
        freeze_heap()  # the store's modules are imported and mapped by now
        self.offer_recovered()
        if self.open_on_start:
            self.find_interview(self.open_on_start)
        self.set_timer(BACKUP_DELAY, self.take_daily_backup)

    def _let_the_list_load(self, delay: float = 0.0) -> None:
        """Give the home screen the store (once), after ``delay`` seconds."""
        if not self._list_waits or self.store is None or self.catalogue is None:
            return
        self._list_waits = False
        store, catalogue = self.store, self.catalogue
        if delay:
            self.set_timer(delay, lambda: self.home.store_opened(store, catalogue))
        else:
            self.home.store_opened(store, catalogue)

    @work(thread=True, exit_on_error=False, group="backup")
    def take_daily_backup(self) -> None:
        """Take the day's backup if it is due, beside the panel's work.

        The copy reads a snapshot (WAL), so autosaves go on meanwhile. A copy
        cut short by quitting leaves only a temporary file, cleared later.
        """
        from formers_tui.store.backup import daily_backup
        from formers_tui.store.engine import StoreError

        store = self.store
        if store is None or store.is_server:  # the server's own backups cover it
            return
        try:
            daily_backup(store.path, key=store.key)
        except StoreError as exc:
            self.call_from_thread(
                self.notify, f"The day's backup was not taken: {exc}", severity="warning"
            )

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB)
    def find_interview(self, key: str) -> None:
        """Resolve an interview id or prefix given at start-up, read it, then open it.

        Reading it here, not once its screen is up, lets the screen be laid
        out once, already filled, instead of once empty and once filled.
        """
        from formers_tui.store.sessions import resolve_interview
        from formers_tui.tui.screens.interview import read_interview

        assert self.store is not None
        interview_id = resolve_interview(self.store, key)
        read: InterviewScreen.Loaded | None
        try:
            read = read_interview(self.store, interview_id)
        except Exception:  # noqa: BLE001 - the screen reads it again and says what is wrong
            read = None
        posted = post_result(self, OpenInterview(interview_id, read))
        if not posted and read is not None and read.lease is not None:
            read.lease.release()

    def _retry_read_only(self) -> None:
        if self.store is None and self._retry_open is not None:
            passphrase, key = self._retry_open
            self._retry_open = None
            self.open_store(passphrase, key)

    @on(Unlock)
    def _unlock(self, message: Unlock) -> None:
        self.open_store(message.passphrase)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        error = user_error(event)
        if error is None:
            return
        self._let_the_list_load()  # the interview asked for could not be opened
        from formers_tui.store.errors import StoreReadOnly

        if self.store is None and isinstance(error, StoreReadOnly):
            # Nothing to lose yet: say so, and open it by itself once it can be written.
            self._read_only_at_start = True
            self.home.show_error(f"{error} Trying again every few seconds.")
            self.set_timer(READ_ONLY_RETRY_SECONDS, self._retry_read_only)
            return
        if self.store is None and self._encrypted:
            self.home.ask_passphrase(str(error))
            return
        self.home.show_error(str(error))
        if self.screen is not self.home:
            self.notify(str(error), severity="error")

    @on(OpenInterview)
    def _open_interview(self, message: OpenInterview) -> None:
        self.open_interview(message.interview_id, message.read)
        self._let_the_list_load(LIST_AFTER_INTERVIEW)

    def open_interview(self, interview_id: str, read: InterviewScreen.Loaded | None = None) -> None:
        """Show the interview with the full id ``interview_id`` over the home screen.

        Args:
            interview_id: the interview's full id.
            read: the interview already read (see :func:`read_interview`).
        """
        from formers_tui.tui.screens.interview import InterviewScreen

        assert self.store is not None
        self.push_screen(InterviewScreen(self.store, interview_id, read=read))

    def open_panel(self, interview_id: str) -> None:
        """Show the panel view (ratings, consensus, sign-off) of ``interview_id``."""
        from formers_tui.tui.screens.panel import PanelScreen

        assert self.store is not None
        self.push_screen(PanelScreen(self.store, interview_id))

    # -- app-wide actions ----------------------------------------------------

    def action_help(self) -> None:
        """Show every key of the current screen, grouped by task, then the app's own."""
        from formers_tui.tui.screens.help import HelpScreen, all_groups

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(all_groups(self, self.screen)))

    def action_home(self) -> None:
        """Back to the interview list, closing the screens above it (each saves as it goes)."""
        while len(self.screen_stack) > 1 and self.screen is not self.home:
            self.pop_screen()

    def action_toggle_contrast(self) -> None:
        """Switch between the high-contrast theme and the one used before."""
        if self.theme == HIGH_CONTRAST.name:
            self.theme = self._theme_before_contrast
        else:
            self._theme_before_contrast = self.theme
            self.theme = HIGH_CONTRAST.name

    def action_store_location(self) -> None:
        """Say which store file (or server) is in use (a demo and a real store look alike)."""
        title = "Store file" if isinstance(self.store_path, Path) else "Store server"
        self.notify(self.store_shown, title=title, timeout=10)

    @property
    def store_shown(self) -> str:
        """The store's location for messages (a server URL without any password)."""
        from formers_tui.store.location import shown

        return shown(self.store_path)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if screen is self.home:
            yield SystemCommand(
                "New interview",
                "Fill in a new interview and start it",
                self.home.action_new_interview,
            )
            yield SystemCommand(
                "Resume last interview",
                "Open the most recently changed interview that is not finalized",
                self.home.action_resume,
            )
            yield SystemCommand(
                "Filter interviews", "Type to narrow the list", self.home.action_focus_filter
            )
            yield SystemCommand(
                "Panel view",
                "Ratings matrix, agreement, consensus and sign-off of the selected interview (v)",
                self.home.action_panel,
            )
            yield SystemCommand(
                "Reliability across interviews",
                "Agreement pooled over settled interviews, and each rater's lean (ctrl+r)",
                self.home.action_reliability,
            )
        else:
            yield SystemCommand(
                "Back to the list",
                "Leave this screen for the interview list; the store stays open (Esc)",
                self.action_home,
            )
        yield SystemCommand(
            "High contrast",
            "Switch the high-contrast theme on or off (F12)",
            self.action_toggle_contrast,
        )
        yield SystemCommand(
            "Store location", "Show which store file is open", self.action_store_location
        )
        yield SystemCommand(
            "Lock", "Hide everything until the store passphrase is typed (F11)", self.action_lock
        )
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":  # it would write the interview, unencrypted
                yield command

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification; its text is never read as markup (it often quotes user text)."""
        super().notify(
            clean_text(message),
            title=clean_text(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    async def action_quit(self) -> None:
        """Quit; with text the store has not taken, ask first instead of losing it."""
        editing = next(
            (s for s in self.screen_stack if getattr(s, "has_unsaved_changes", False)), None
        )
        if editing is None:
            self.exit()
            return
        problem = editing.save_before_quitting()  # type: ignore[attr-defined]
        if problem is None:
            self.exit()
            return
        from formers_tui.tui.dialogs.choice import ChoiceDialog

        def chosen(answer: str | None) -> None:
            if answer == "recover":
                try:
                    where = editing.keep_unsaved_in_recovery_file()  # type: ignore[attr-defined]
                except OSError as exc:
                    self.notify(
                        f"The recovery file could not be written either ({exc.strerror}); "
                        "nothing was discarded.",
                        severity="error",
                        timeout=15,
                    )
                    return
                self.log.info(f"Unsaved text kept in {where}")
                self.exit()
            elif answer == "discard":
                editing.discard_unsaved()  # type: ignore[attr-defined]
                self.exit()
            # "keep" or Escape: stay; the autosave goes on trying.

        self.push_screen(
            ChoiceDialog(
                "Not saved",
                f"Some text is not saved: {problem}. Quitting now would lose it.",
                [
                    ("keep", "Keep trying to save (stay in the interview)"),
                    ("recover", "Quit, keeping the text in an encrypted recovery file"),
                    ("discard", "Quit and discard the unsaved text"),
                ],
            ),
            callback=chosen,
        )

    def offer_recovered(self) -> None:
        """Offer back text kept in recovery files when the app last closed, one at a time."""
        from formers_tui.store import recovery

        store = self.store
        if store is None:
            return
        try:
            kept = recovery.pending(store.path, store.key)
        except OSError:
            return
        if not kept:
            return
        item = kept[0]
        from formers_tui.tui.dialogs.choice import ChoiceDialog

        parts = [f"notes of {', '.join(item.notes)}" if item.notes else ""]
        parts.append(f"timeline {', '.join(item.timeline)}" if item.timeline else "")
        what = "; ".join(p for p in parts if p) or "nothing that can be restored"
        other = (
            " Not restorable, to enter again: " + "; ".join(item.other) + "." if item.other else ""
        )

        def chosen(answer: str | None) -> None:
            if answer == "restore":
                try:
                    recovery.restore(store, item, actor="recovery")
                except FormersError as exc:
                    self.notify(f"Not restored: {exc}", severity="error", timeout=15)
                    return
                self.notify("The unsaved text is back in its interview.")
                self.home.load()
            elif answer == "discard":
                recovery.discard(item)
            else:
                return  # later: offered again at the next start
            self.offer_recovered()

        self.push_screen(
            ChoiceDialog(
                "Unsaved text from the last session",
                f"When the app closed on {item.written_at[:16].replace('T', ' ')}, text for "
                f"interview {item.interview_id[:8]} could not be saved and was kept: "
                f"{what}.{other}",
                [
                    ("restore", "Restore it into the interview"),
                    ("later", "Ask again next time"),
                    ("discard", "Discard it"),
                ],
            ),
            callback=chosen,
        )

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Refuse: a screenshot is a plain file of whatever the screen shows (names, notes)."""
        self.notify(
            "Screenshots are off: they would save the interview unencrypted.", severity="warning"
        )
        return None


def make_app(
    *,
    store_path: Path | str,
    open_interview: str | None = None,
    notice: str = "",
    passphrase: str | None = None,
    lock_minutes: float | None = None,
    encrypt_new_store: bool = True,
    early_key: PendingKey | None = None,
    ready: Callable[[], str] | None = None,
) -> FormersApp:
    """Build the app; the command line runs it and the tests drive it.

    Args:
        store_path: the store file to open (created and migrated if needed), or
            a ``postgresql://`` URL.
        open_interview: an interview id, or its first characters, to open at once.
        notice: a line shown on the home screen, e.g. that the store is a demo.
        passphrase: the store's passphrase if already known (a new store is then
            created encrypted); otherwise ``FORMERS_PASSPHRASE``, otherwise the
            home screen asks for it when the store turns out to be encrypted.
        lock_minutes: idle minutes before locking (0: never; default 10 or
            ``FORMERS_LOCK_MINUTES``).
        encrypt_new_store: ask for a passphrase before creating a new store.
        early_key: the store's key, already being derived (see
            :func:`formers_tui.store.early_key.derive_early`).
        ready: waits until the store is built; gives the interview to open.
    """
    return FormersApp(
        store_path=store_path,
        open_interview=open_interview,
        notice=notice,
        passphrase=passphrase,
        lock_minutes=lock_minutes,
        encrypt_new_store=encrypt_new_store,
        early_key=early_key,
        ready=ready,
    )
