from datetime import timedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError

# the states in which a request has no place in a calendar (its event is archived)
OFF_CALENDAR_STATES = ("refused", "cancelled")
# what the planned time, the people or the status of a request are made of
EVENT_FIELDS = frozenset({"name", "partner_id", "user_id", "date_start", "date_end"})
# the calendar view's colour of each state (indexes of Odoo's colour palette)
STATE_COLORS = {
    "draft": 0,
    "submitted": 2,
    "approved": 4,
    "done": 10,
    "closed": 7,
    "refused": 1,
    "cancelled": 9,
}
DEFAULT_DURATION = timedelta(hours=1)


def _event_value(event, fname):
    """The value of ``fname`` on ``event`` as :meth:`_ka_event_values` gives it."""
    value = event[fname]
    return value.id if isinstance(value, models.BaseModel) else value


class KeyAccountEventMixin(models.AbstractModel):
    """A request planned at a time (a visit, a reception): its owner's
    ``calendar.event``, with the customer contacts to meet as attendees,
    follows it. Planning it creates the event, a new time moves it, refusing
    or cancelling it archives the event (back to draft restores it), deleting
    it deletes the event.

    Concrete models come first in ``_inherit`` (the event is written after
    the request's own checks), define ``date_start`` and ``date_end``, and
    may extend ``_ka_event_partners``, ``_ka_event_name``,
    ``_ka_event_fields``."""

    _name = "key_account.event.mixin"
    _description = "Key Account Calendar Event Mixin"

    ka_event_id = fields.Many2one(
        "calendar.event",
        string="Calendar Event",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    ka_state_color = fields.Integer(
        string="Status Colour", compute="_compute_ka_state_color"
    )

    @api.depends("state")
    def _compute_ka_state_color(self):
        for record in self:
            record.ka_state_color = STATE_COLORS.get(record.state, 0)

    # ---- what the event says ----------------------------------------------------
    def _ka_event_fields(self):
        """The fields of the request that its event shows."""
        return EVENT_FIELDS | {"state"}

    def _ka_event_partners(self):
        """Who attends: the owner; models add the customer contacts."""
        self.ensure_one()
        return self.user_id.partner_id

    def _ka_event_name(self):
        self.ensure_one()
        return f"{self.name}: {self.partner_id.display_name}"

    def _ka_event_values(self):
        """The event of the request, as written on ``calendar.event``."""
        self.ensure_one()
        stop = self.date_end or self.date_start + DEFAULT_DURATION
        return {
            "name": self._ka_event_name(),
            "start": self.date_start,
            "stop": max(stop, self.date_start),
            "user_id": self.user_id.id,
            "privacy": "private",
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "active": self.state not in OFF_CALENDAR_STATES,
        }

    @api.model
    def _ka_event_model(self):
        """``calendar.event`` as superuser, in a context of our own: the
        request's checks ran already, and a client's context (``default_*``
        keys, ``active_test``...) must not shape the event."""
        context = {
            "lang": self.env.context.get("lang"),
            "tz": self.env.context.get("tz"),
            # the customer's contacts hear of a visit from the salesperson, not
            # from an automatic invitation
            "no_mail_to_attendees": True,
            "active_test": False,
        }
        return self.env["calendar.event"].with_env(self.env(context=context, su=True))

    def _ka_sync_events(self):
        """Create, move or archive the events of ``self`` to match them."""
        Event = self._ka_event_model()
        for record in self.with_env(Event.env):
            vals = record._ka_event_values()
            partners = record._ka_event_partners()
            event = record.ka_event_id
            if not event:
                if not vals["active"]:
                    continue
                vals["partner_ids"] = [Command.set(partners.ids)]
                record.ka_event_id = Event.create(vals)
                continue
            vals = {
                fname: value
                for fname, value in vals.items()
                if _event_value(event, fname) != value
            }
            if set(event.partner_ids.ids) != set(partners.ids):
                vals["partner_ids"] = [Command.set(partners.ids)]
            if vals:
                event.write(vals)

    # ---- ORM ----------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any("ka_event_id" in vals for vals in vals_list):
            raise AccessError(self.env._("The calendar event of a request is its own."))
        records = super().create(vals_list)
        records._ka_sync_events()
        return records

    def write(self, vals):
        if not self.env.su and "ka_event_id" in vals:
            raise AccessError(self.env._("The calendar event of a request is its own."))
        res = super().write(vals)
        if not vals.keys() <= {"ka_event_id"} and vals.keys() & self._ka_event_fields():
            self._ka_sync_events()
        return res

    def unlink(self):
        events = self.sudo().ka_event_id
        res = super().unlink()
        events.unlink()
        return res
