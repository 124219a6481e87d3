from datetime import datetime
from datetime import time
from datetime import timedelta

import pytz

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..common.groups import KA_ASSISTANT
from ..common.groups import KA_MANAGER
from ..common.key_account_guard_mixin import field_labels
from ..common.settings import days_setting

DEFAULT_LARGE_DAYS = 3
DEFAULT_SMALL_DAYS = 1
# the requester's: what is asked, how big (its due time), and of whom
REQUESTER_FIELDS = frozenset({"kind", "size", "assistant_id"})


class KeyAccountRequest(models.Model):
    """A request to the department's assistant: a data analysis or a
    support task, due within days by its size (the department's rules: a
    large analysis in 3 days, a small one in 1), done by the assistant.
    Its timeliness feeds the assistant's appraisal.

    Who decides what: the requester is the user who creates it (a Key
    Account manager may create one on behalf of someone); its kind, size
    and assistant are the requester's, changed by them or a manager only
    (never by the assistant, whose appraisal they weigh); the assistant is
    a user of the Assistant group, never the requester."""

    _name = "key_account.request"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "key_account.workflow.mixin",
    ]
    _description = "Request to the Assistant"
    _order = "requested_at desc, id desc"
    _check_company_auto = True
    _ka_workflow_fields = frozenset({"state", "done_at"})
    _ka_open_states = ("open",)
    _ka_initial_state = "open"

    name = fields.Char(string="Subject", required=True, tracking=True)
    kind = fields.Selection(
        [("analysis", "Data analysis"), ("support", "Support")],
        required=True,
        default="analysis",
        tracking=True,
    )
    size = fields.Selection(
        [("large", "Large"), ("small", "Small")],
        required=True,
        default="small",
        tracking=True,
        help="Large requests are due within the days set for them in Settings "
        "(3), small ones within theirs (1), counted in whole days of the "
        "assistant's time zone after the day of the request.",
    )
    description = fields.Html()
    requester_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    assistant_id = fields.Many2one(
        "res.users",
        required=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(KA_ASSISTANT).id)],
        index=True,
        tracking=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        index="btree_not_null",
        domain="[('ka_type_id', '!=', False), '|', ('is_company', '=', True), "
        "('parent_id', '=', False)]",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    requested_at = fields.Datetime(string="Requested On", readonly=True, copy=False)
    due_at = fields.Datetime(
        string="Due On",
        compute="_compute_due_at",
        store=True,
        index=True,
    )
    done_at = fields.Datetime(string="Done On", readonly=True, copy=False)
    on_time = fields.Boolean(
        string="Done on Time", compute="_compute_on_time", store=True
    )
    state = fields.Selection(
        [("open", "Open"), ("done", "Done")],
        default="open",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )

    @api.model
    def _ka_request_days(self, size):
        if size == "large":
            return days_setting(
                self.env, "key_account.request_large_days", DEFAULT_LARGE_DAYS
            )
        return days_setting(
            self.env, "key_account.request_small_days", DEFAULT_SMALL_DAYS
        )

    @api.depends("requested_at", "size", "assistant_id.tz")
    def _compute_due_at(self):
        """The end of the N-th day after the day of the request, N by its
        size, in the assistant's time zone (the requester's, else UTC)."""
        days = {size: self._ka_request_days(size) for size in ("large", "small")}
        for request in self:
            if not request.requested_at:
                request.due_at = False
                continue
            tz = pytz.timezone(
                request.assistant_id.tz or request.requester_id.tz or "UTC"
            )
            local = pytz.utc.localize(request.requested_at).astimezone(tz)
            end = datetime.combine(
                local.date() + timedelta(days=days[request.size]),
                time(23, 59, 59),
            )
            request.due_at = tz.localize(end).astimezone(pytz.utc).replace(tzinfo=None)

    @api.depends("done_at", "due_at")
    def _compute_on_time(self):
        for request in self:
            request.on_time = bool(
                request.done_at and request.due_at and request.done_at <= request.due_at
            )

    @api.constrains("assistant_id", "requester_id")
    def _check_assistant(self):
        for request in self:
            if request.assistant_id == request.requester_id:
                raise ValidationError(
                    self.env._(
                        "%(request)s: %(user)s cannot be the assistant of their "
                        "own request.",
                        request=request.name,
                        user=request.requester_id.name,
                    )
                )
            if not request.assistant_id._has_group(KA_ASSISTANT):
                raise ValidationError(
                    self.env._(
                        "%(request)s: %(user)s is not an assistant of Key "
                        "Accounts; requests go to a user of the Assistant group.",
                        request=request.name,
                        user=request.assistant_id.name,
                    )
                )

    # ---- who decides what ------------------------------------------------------------
    def _ka_is_manager(self):
        return self.env.su or self.env.user.has_group(KA_MANAGER)

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        # the requester is who creates it, judged on the stored requests:
        # whatever the values or the caller's defaults said
        if not self._ka_is_manager() and requests.filtered(
            lambda r: r.requester_id != self.env.user
        ):
            raise AccessError(
                self.env._(
                    "You request for yourself: only Key Account managers "
                    "create a request on behalf of someone else."
                )
            )
        # the request's own time: no client sets it
        requests._ka_workflow_write({"requested_at": fields.Datetime.now()})
        return requests

    def write(self, vals):
        if not self._ka_is_manager():
            changed = self._ka_changed_fields(
                {f: vals[f] for f in REQUESTER_FIELDS | {"requester_id"} if f in vals}
            )
            if "requester_id" in changed:
                raise AccessError(
                    self.env._("Only Key Account managers change who made a request.")
                )
            if changed:
                for request in self:
                    if request.requester_id != self.env.user:
                        raise AccessError(
                            self.env._(
                                "Only %(requester)s, who made %(request)s, or a Key "
                                "Account manager changes its %(fields)s.",
                                requester=request.requester_id.name,
                                request=request.name,
                                fields=field_labels(self, changed),
                            )
                        )
        return super().write(vals)

    def _ka_locked_message(self, record, what=None):
        return self.env._(
            "%(request)s is done: it can no longer change.", request=record.name
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        done = self.filtered(lambda r: r.state == "done")
        if done:
            raise UserError(
                self.env._(
                    "%(request)s is done: it counts in the assistant's appraisal "
                    "and cannot be deleted.",
                    request=done[0].name,
                )
            )

    def action_done(self):
        """The assigned assistant marks the request done, now."""
        for request in self:
            if request.assistant_id != self.env.user:
                raise AccessError(
                    self.env._(
                        "Only %(assistant)s, the assistant of %(request)s, marks "
                        "it done.",
                        assistant=request.assistant_id.name,
                        request=request.name,
                    )
                )
            if request.state != "open":
                raise UserError(
                    self.env._("%(request)s is already done.", request=request.name)
                )
        self._ka_workflow_write({"state": "done", "done_at": fields.Datetime.now()})
        return True
