from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import is_html_empty

from ..profile.accounts import ACCOUNT_PEOPLE_DOMAIN_STR

DINING_STANDARDS = [
    ("high", "High grade"),
    ("middle", "Middle grade"),
    ("low", "Low grade"),
]


class KeyAccountReception(models.Model):
    _name = "key_account.reception"
    # the calendar event first: it is written after the request's own checks
    _inherit = ["key_account.event.mixin", "key_account.expense.mixin"]
    _description = "Key Account Reception"
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _ka_document_type = "reception"
    _ka_planner_organises = True

    guest_ids = fields.Many2many(
        "res.partner",
        "key_account_reception_guest_rel",
        "reception_id",
        "partner_id",
        string="Guests",
        domain=ACCOUNT_PEOPLE_DOMAIN_STR,
    )
    guest_count = fields.Integer(string="Number of Guests", required=True, default=1)
    date_start = fields.Datetime(
        string="Date and Time", required=True, default=fields.Datetime.now
    )
    date_end = fields.Datetime(string="Until")
    needs = fields.Text(string="Guests' Needs")
    purpose = fields.Selection(
        [
            ("new_partner", "New partner"),
            ("new_relationship", "Celebrating a new relationship"),
            ("visiting_customer", "Hosting a visiting customer"),
            ("staff_visit", "Treating the customer during our visit"),
            ("cooperation_end", "Thanks at the end of a cooperation"),
            ("suggestion", "Thanks for an adopted suggestion"),
            ("goal", "Thanks for a reached goal"),
            ("festival", "Festival or ceremony"),
        ],
        required=True,
        default="visiting_customer",
    )
    dining_standard = fields.Selection(
        DINING_STANDARDS, required=True, default="middle"
    )
    dining_cap = fields.Monetary(
        string="Dining Cap per Guest", compute="_compute_dining", store=True
    )
    dining_per_guest = fields.Monetary(
        string="Planned Dining per Guest", compute="_compute_dining", store=True
    )
    plan = fields.Html(string="Reception Plan")
    host_ids = fields.Many2many(
        "res.users",
        "key_account_reception_host_rel",
        "reception_id",
        "user_id",
        string="Hosts",
    )
    planned_line_ids = fields.One2many(
        "key_account.expense",
        "reception_id",
        string="Planned Expenses",
        domain=[("kind", "=", "planned")],
        context={"default_kind": "planned"},
    )
    expense_line_ids = fields.One2many(
        "key_account.expense",
        "reception_id",
        string="Expenses",
        domain=[("kind", "=", "actual")],
        context={"default_kind": "actual"},
    )
    report = fields.Html(
        string="Reception Report",
        copy=False,
        help="Required to close and to claim expenses.",
    )

    @api.depends(
        "dining_standard",
        "guest_count",
        "planned_line_ids.amount",
        "company_id.ka_dining_cap_high",
        "company_id.ka_dining_cap_middle",
        "company_id.ka_dining_cap_low",
    )
    def _compute_dining(self):
        for reception in self:
            reception.dining_cap = (
                reception.company_id[f"ka_dining_cap_{reception.dining_standard}"]
                if reception.dining_standard
                else 0.0
            )
            dining = sum(
                reception.planned_line_ids.filtered(
                    lambda e: e.expense_type == "hospitality"
                ).mapped("amount")
            )
            reception.dining_per_guest = dining / max(reception.guest_count, 1)

    # ---- the calendar event ---------------------------------------------------------
    def _ka_event_fields(self):
        return super()._ka_event_fields() | {"guest_ids", "host_ids"}

    def _ka_event_partners(self):
        return super()._ka_event_partners() | self.host_ids.partner_id | self.guest_ids

    def _ka_event_name(self):
        return self.env._(
            "Reception %(name)s: %(account)s",
            name=self.name,
            account=self.partner_id.display_name,
        )

    def _ka_locked_fields(self):
        return super()._ka_locked_fields() | {"guest_count", "dining_standard"}

    def _ka_done_locked_fields(self):
        return super()._ka_done_locked_fields() | {"date_start", "date_end"}

    def _ka_over_cap(self):
        return bool(
            self.dining_cap
            and self.currency_id.compare_amounts(self.dining_per_guest, self.dining_cap)
            > 0
        )

    def _ka_over_cap_reason(self):
        return self.env._(
            "%(amount)s per guest for a cap of %(cap)s",
            amount=self.currency_id.format(self.dining_per_guest),
            cap=self.currency_id.format(self.dining_cap),
        )

    @api.constrains("guest_count")
    def _check_guest_count(self):
        for reception in self:
            if reception.guest_count < 1:
                raise ValidationError(
                    self.env._(
                        "Reception %(name)s needs at least one guest.",
                        name=reception.name,
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for reception in self:
            if reception.date_end and reception.date_end < reception.date_start:
                raise ValidationError(
                    self.env._(
                        "Reception %(name)s ends before it starts.",
                        name=reception.name,
                    )
                )

    def _ka_after_done(self):
        today = fields.Date.context_today(self)
        for reception in self:
            reception.partner_id._ka_register_followup(
                "contact", min(reception.date_start.date(), today)
            )

    def _ka_check_close(self):
        if is_html_empty(self.report):
            raise UserError(
                self.env._(
                    "Write the report of reception %(name)s before closing it.",
                    name=self.name,
                )
            )

    def _ka_claim_gate(self):
        if is_html_empty(self.report):
            raise UserError(
                self.env._(
                    "No reception report, no reimbursement: write the report of "
                    "reception %(name)s before claiming its expenses.",
                    name=self.name,
                )
            )
