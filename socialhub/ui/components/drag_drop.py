"""HTML5 drag and drop for Reflex 0.10, whose elements expose no drag events.

Two ``div`` subclasses declare the browser's drag events as triggers. The source side is plain JavaScript
(the payload must be set during ``dragstart`` itself, before any event could reach the server); only the
drop becomes a Reflex event, with the dragged id and the target's ``data-slot`` as its arguments.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar, Var
from reflex_base.event import no_args_event_spec
from reflex_base.vars.function import FunctionStringVar

# A type of our own: text, links or files dragged in from elsewhere are not droppable here.
DRAG_TYPE = "application/x-socialhub-id"
OVER_CLASS = "dnd-over"  # the target under the pointer
DRAGGING_CLASS = "dnd-dragging"  # the source while it is carried

# Only an element whose draggable attribute is "true" hands out its id: dragging selected text or a link
# inside a fixed chip must not start a move.
_START = FunctionStringVar.create(
    "(e) => { const el = e.currentTarget; if (el.getAttribute('draggable') !== 'true') return; "
    f"e.dataTransfer.setData('{DRAG_TYPE}', el.dataset.dragId); e.dataTransfer.effectAllowed = 'move'; "
    f"el.classList.add('{DRAGGING_CLASS}'); }}"
)
# dragend fires on the source after any drop (or a cancelled drag): the one place to clear every highlight.
_END = FunctionStringVar.create(
    f"(e) => {{ e.currentTarget.classList.remove('{DRAGGING_CLASS}'); "
    f"document.querySelectorAll('.{OVER_CLASS}').forEach((el) => el.classList.remove('{OVER_CLASS}')); }}"
)
# Cancelling dragover is what makes an element a drop target at all.
_OVER = FunctionStringVar.create(
    f"(e) => {{ if (!e.dataTransfer.types.includes('{DRAG_TYPE}')) return; e.preventDefault(); "
    f"e.dataTransfer.dropEffect = 'move'; e.currentTarget.classList.add('{OVER_CLASS}'); }}"
)
# dragleave also fires when the pointer moves onto a child; only leaving the target itself counts.
_LEAVE = FunctionStringVar.create(
    f"(e) => {{ if (!e.currentTarget.contains(e.relatedTarget)) e.currentTarget.classList.remove('{OVER_CLASS}'); }}"
)


def _drop_spec(e: ObjectVar[dict]) -> tuple[Var[str], Var[str]]:
    """A drop's arguments: the dragged id ("" for foreign data) and the target's slot."""
    return (
        Var(f"({e}.dataTransfer.getData('{DRAG_TYPE}') || '')").to(str),
        Var(f"({e}.currentTarget.dataset.slot || '')").to(str),
    )


class DragSource(rx.el.Div):
    on_drag_start: rx.EventHandler[no_args_event_spec]
    on_drag_end: rx.EventHandler[no_args_event_spec]


class DropTarget(rx.el.Div):
    on_drag_over: rx.EventHandler[no_args_event_spec]
    on_drag_leave: rx.EventHandler[no_args_event_spec]
    on_drop: rx.EventHandler[_drop_spec]


def drag_source(*children: rx.Component, drag_id: Var | str, enabled: Var | bool, **props: object) -> rx.Component:
    """An element that can be carried onto a ``drop_target`` while ``enabled``."""
    return DragSource.create(
        *children,
        draggable=enabled,
        data_drag_id=drag_id,
        on_drag_start=_START,
        on_drag_end=_END,
        **props,
    )


def drop_target(*children: rx.Component, slot: Var | str, on_drop: rx.EventHandler, **props: object) -> rx.Component:
    """An element that takes drops; ``on_drop`` gets (dragged id, ``slot``)."""
    return DropTarget.create(
        *children,
        data_slot=slot,
        on_drag_over=_OVER,
        on_drag_leave=_LEAVE,
        on_drop=on_drop.prevent_default,  # type: ignore[attr-defined]
        **props,
    )
