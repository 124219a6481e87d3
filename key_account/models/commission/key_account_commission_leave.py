from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..common.groups import KA_MANAGER

MAX_LEAVE_MONTHS = 3


class KeyAccountCommissionLeave(models.Model):
    """A part-timer's leave (the source document's 兼职人员请假单): one to
    three calendar months, asked in advance by the part-timer and approved
    by a Key Account manager (never by the part-timer). The approved months
    do not count in the three months without a sale that end the
    cooperation (:meth:`key_account.commission.settlement._ka_inactive_in`)."""

    _name = "key_account.commission.leave"
    _inherit = [
        "mail.thread",
        "key_account.workflow.mixin",
        "key_account.month.mixin",
        "key_account.number.mixin",
    ]
    _description = "Part-timer's Leave"
    _order = "month desc, id desc"
    _rec_name = "user_id"
    _check_company_auto = True
    _ka_open_states = ("requested",)
    _ka_initial_state = "requested"

    user_id = fields.Many2one(
        "res.users",
        string="Part-timer",
        required=True,
        index=True,
        default=lambda self: self.env.user,
    )
    month = fields.Date(
        string="First Month",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1)
        + relativedelta(months=1),
        help="The first day of the first month of the leave.",
    )
    months = fields.Integer(
        string="Calendar Months",
        required=True,
        default=1,
        help="One to three calendar months.",
    )
    reason = fields.Text(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [
            ("requested", "Requested"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        default="requested",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    approved_by_id = fields.Many2one(
        "res.users", string="Decided By", readonly=True, copy=False
    )

    @api.constrains("months")
    def _check_months(self):
        for leave in self:
            if not 1 <= leave.months <= MAX_LEAVE_MONTHS:
                raise ValidationError(
                    self.env._(
                        "A part-timer's leave lasts one to %(max)s calendar "
                        "months, not %(months)s.",
                        max=MAX_LEAVE_MONTHS,
                        months=leave.months,
                    )
                )

    @api.depends("user_id", "month", "months")
    def _compute_display_name(self):
        for leave in self:
            leave.display_name = self.env._(
                "Leave of %(user)s from %(month)s",
                user=leave.user_id.name or "",
                month=(leave.month and leave.month.strftime("%Y-%m")) or "",
            )

    # ---- who asks --------------------------------------------------------------------
    def _ka_is_manager(self):
        return self.env.su or self.env.user.has_group(KA_MANAGER)

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        # judged on what is stored, whatever the values or the defaults said
        if not self._ka_is_manager():
            leaves._ka_check_own_request()
        return leaves

    def write(self, vals):
        res = super().write(vals)
        if not self._ka_is_manager() and {"user_id", "month"} & set(vals):
            self._ka_check_own_request()
        return res

    def _ka_check_own_request(self):
        start = fields.Date.context_today(self).replace(day=1)
        for leave in self:
            if leave.user_id != self.env.user:
                raise AccessError(
                    self.env._(
                        "You ask for your own leave: only Key Account managers "
                        "enter one for somebody else."
                    )
                )
            if leave.month < start:
                raise UserError(
                    self.env._(
                        "A leave is asked in advance: %(month)s has begun.",
                        month=leave.month.strftime("%Y-%m"),
                    )
                )

    # ---- the decision ----------------------------------------------------------------
    def _ka_check_decider(self):
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers approve a part-timer's leave.")
            )
        for leave in self:
            if leave.user_id == self.env.user:
                raise AccessError(
                    self.env._(
                        "Nobody approves their own leave: another Key Account "
                        "manager does."
                    )
                )
            if leave.state != "requested":
                raise UserError(
                    self.env._(
                        "%(leave)s was already decided.", leave=leave.display_name
                    )
                )

    def action_approve(self):
        self._ka_check_decider()
        self._ka_workflow_write(
            {"state": "approved", "approved_by_id": self.env.user.id}
        )
        return True

    def action_refuse(self):
        self._ka_check_decider()
        self._ka_workflow_write(
            {"state": "refused", "approved_by_id": self.env.user.id}
        )
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        decided = self.filtered(lambda leave: leave.state != "requested")
        if decided:
            raise UserError(
                self.env._(
                    "%(leave)s was decided: it cannot be deleted.",
                    leave=decided[0].display_name,
                )
            )

    @api.model
    def _ka_leave_months(self, users):
        """{user id: set of the first days of the months of their approved
        leaves}."""
        months = {}
        leaves = self.sudo().search(
            [("user_id", "in", users.ids), ("state", "=", "approved")]
        )
        for leave in leaves:
            for n in range(leave.months):
                months.setdefault(leave.user_id.id, set()).add(
                    leave.month + relativedelta(months=n)
                )
        return months
