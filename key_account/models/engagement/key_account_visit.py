from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import is_html_empty
from odoo.tools import plaintext2html

from ..common.dates import local_day
from ..common.key_account_guard_mixin import trusted_write
from ..common.lang import env_for
from ..common.lang import envs_by_lang
from ..common.settings import days_setting
from ..profile.accounts import ACCOUNT_PEOPLE_DOMAIN_STR
from .key_account_event_mixin import DEFAULT_DURATION

# hours after a visit's planned end by which its record is due (Settings):
# seed 002 二(四)3, "24小时内填写客户跟进记录表"
DEFAULT_RECORD_HOURS = 24
ACTIVITY_DEADLINE = "key_account.mail_activity_type_ka_deadline"


class KeyAccountVisit(models.Model):
    _name = "key_account.visit"
    # the calendar event first: it is written after the request's own checks
    _inherit = ["key_account.event.mixin", "key_account.expense.mixin"]
    _description = "Key Account Visit"
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _ka_document_type = "visit"

    contact_ids = fields.Many2many(
        "res.partner",
        "key_account_visit_contact_rel",
        "visit_id",
        "partner_id",
        string="Contacts to Meet",
        domain=f"{ACCOUNT_PEOPLE_DOMAIN_STR[:-1]}, ('type', '=', 'contact')]",
        help="People of the relationship map of the key account.",
    )
    date_start = fields.Datetime(
        string="Planned Start", required=True, default=fields.Datetime.now
    )
    date_end = fields.Datetime(string="Planned End")
    method = fields.Selection(
        [
            ("face", "Face to face"),
            ("phone", "Phone"),
            ("message", "Message"),
            ("email", "E-mail"),
            ("video", "Video"),
        ],
        required=True,
        default="face",
    )
    purpose = fields.Text()
    preparation = fields.Text(help="Materials to prepare, gift to bring.")
    planned_line_ids = fields.One2many(
        "key_account.expense",
        "visit_id",
        string="Planned Budget",
        domain=[("kind", "=", "planned")],
        context={"default_kind": "planned"},
    )
    expense_line_ids = fields.One2many(
        "key_account.expense",
        "visit_id",
        string="Expenses",
        domain=[("kind", "=", "actual")],
        context={"default_kind": "actual"},
    )
    # ---- the record of the visit ----------------------------------------------
    actual_date = fields.Date(string="Visit Date", copy=False)
    met_contact_ids = fields.Many2many(
        "res.partner",
        "key_account_visit_met_rel",
        "visit_id",
        "partner_id",
        string="People Met",
        domain=ACCOUNT_PEOPLE_DOMAIN_STR,
        copy=False,
    )
    duration = fields.Float(string="Time Spent (hours)", copy=False)
    attitude = fields.Selection(
        [("warm", "Warm"), ("neutral", "Neutral"), ("cold", "Cold")],
        string="Customer Attitude",
        copy=False,
    )
    progress_stage = fields.Selection(
        [
            ("relationship", "Relationship built"),
            ("product", "Product shown"),
            ("proposal", "Proposal made"),
            ("negotiation", "Negotiation"),
            ("deal", "Deal closed"),
        ],
        string="Progress",
        copy=False,
    )
    points = fields.Text(string="Points Discussed", copy=False)
    customer_view = fields.Text(string="Customer's View", copy=False)
    next_visit_date = fields.Date(string="Next Visit", copy=False)
    outcome_reason = fields.Text(string="Success or Failure Reason", copy=False)
    summary = fields.Html(copy=False, help="Required to close and to claim expenses.")
    # ---- the record's deadline --------------------------------------------------
    record_due = fields.Datetime(
        compute="_compute_record_due",
        store=True,
        help="The planned end (else the start plus an hour) plus the hours of "
        "Settings (Visit record due): by then the visit is marked done with "
        "its record.",
    )
    record_late = fields.Boolean(
        readonly=True,
        copy=False,
        index=True,
        help="The record of the visit was not done by its due time.",
    )

    _RECORD_FIELDS = (
        "actual_date",
        "attitude",
        "progress_stage",
        "points",
        "customer_view",
        "next_visit_date",
        "outcome_reason",
    )

    @api.model
    def _ka_record_hours(self):
        """Hours after the planned end by which a visit's record is due."""
        return days_setting(
            self.env, "key_account.visit_record_hours", DEFAULT_RECORD_HOURS
        )

    @api.depends("date_start", "date_end")
    def _compute_record_due(self):
        hours = timedelta(hours=self._ka_record_hours())
        for visit in self:
            end = visit._ka_planned_end()
            visit.record_due = end and end + hours

    def _ka_planned_end(self):
        self.ensure_one()
        if self.date_end:
            return self.date_end
        return self.date_start and self.date_start + DEFAULT_DURATION

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for visit in self:
            if visit.date_end and visit.date_end < visit.date_start:
                raise ValidationError(
                    self.env._("Visit %(name)s ends before it starts.", name=visit.name)
                )

    @api.constrains("actual_date")
    def _check_actual_date(self):
        # the visit date moves the account's follow-up and pool clocks
        for visit in self:
            if visit.actual_date and visit.actual_date > fields.Date.context_today(
                visit
            ):
                raise ValidationError(
                    self.env._(
                        "Visit %(name)s: the visit date is still to come; record "
                        "the visit once it took place.",
                        name=visit.name,
                    )
                )

    @api.constrains("partner_id", "contact_ids", "met_contact_ids")
    def _check_contacts(self):
        for visit in self:
            strangers = (visit.contact_ids | visit.met_contact_ids).filtered(
                lambda c, v=visit: c.commercial_partner_id != v.partner_id
            )
            if strangers:
                raise ValidationError(
                    self.env._(
                        "Visit %(name)s: %(contacts)s are not contacts of %(partner)s.",
                        name=visit.name,
                        contacts=", ".join(strangers.mapped("display_name")),
                        partner=visit.partner_id.display_name,
                    )
                )

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        self.contact_ids = self.contact_ids.filtered(
            lambda c: c.commercial_partner_id == self.partner_id
        )

    # ---- the calendar event ---------------------------------------------------------
    def _ka_event_fields(self):
        return super()._ka_event_fields() | {"contact_ids", "purpose"}

    def _ka_event_partners(self):
        return super()._ka_event_partners() | self.contact_ids

    def _ka_event_name(self):
        return self.env._(
            "Visit %(name)s: %(account)s",
            name=self.name,
            account=self.partner_id.display_name,
        )

    def _ka_event_values(self):
        vals = super()._ka_event_values()
        vals["description"] = plaintext2html(self.purpose) if self.purpose else False
        return vals

    def _ka_check_done(self):
        missing = [
            self._fields[f].get_description(self.env)["string"]
            for f in self._RECORD_FIELDS
            if not self[f]
        ]
        if missing:
            raise UserError(
                self.env._(
                    "Fill in the record of visit %(name)s before marking it "
                    "done: %(fields)s.",
                    name=self.name,
                    fields=", ".join(missing),
                )
            )

    def _ka_after_done(self):
        now = fields.Datetime.now()
        with trusted_write():
            for visit in self.sudo():
                late = bool(visit.record_due and now > visit.record_due)
                if visit.record_late != late:
                    visit.record_late = late
        self._ka_activities(ACTIVITY_DEADLINE).action_feedback()
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("key_account.visit_followup_days", 7)
        )
        for visit in self:
            visit.partner_id._ka_register_followup("visit", visit.actual_date)
            visit.partner_id.sudo().activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=visit.actual_date + timedelta(days=days),
                summary=env_for(self.env, visit.user_id)._(
                    "Follow-up of visit %(name)s", name=visit.name
                ),
                user_id=visit.user_id.id,
            )

    def _ka_has_summary(self):
        self.ensure_one()
        return not is_html_empty(self.summary)

    def _ka_check_close(self):
        if not self._ka_has_summary():
            raise UserError(
                self.env._(
                    "Write the summary of visit %(name)s before closing it.",
                    name=self.name,
                )
            )

    def _ka_done_locked_fields(self):
        # when it took place: what the KPIs and the plans count
        return super()._ka_done_locked_fields() | {
            "actual_date",
            "date_start",
            "date_end",
        }

    def _ka_claim_gate(self):
        if not self._ka_has_summary():
            raise UserError(
                self.env._(
                    "No visit summary, no reimbursement: write the summary of "
                    "visit %(name)s before claiming its expenses.",
                    name=self.name,
                )
            )

    # ---- the record's reminder and late mark ----------------------------------------
    def action_cancel(self):
        res = super().action_cancel()
        # a cancelled visit owes no record
        self._ka_activities(ACTIVITY_DEADLINE).unlink()
        return res

    @api.model
    def _ka_cron_visit_records(self):
        """Approved visits whose planned end has passed: their owner gets a
        reminder due on the record's due day (once); those still not done
        after their due time are marked late."""
        now = fields.Datetime.now()
        Visit = self.sudo()
        ended = Visit.search(
            [
                ("state", "=", "approved"),
                ("date_start", "<=", now),
                ("record_due", "!=", False),
            ]
        ).filtered(lambda v: v._ka_planned_end() <= now)
        reminded = set(ended._ka_activities(ACTIVITY_DEADLINE).mapped("res_id"))
        envs = envs_by_lang(self.env, ended.user_id)
        for visit in ended.filtered(lambda v: v.id not in reminded):
            visit.activity_schedule(
                ACTIVITY_DEADLINE,
                date_deadline=local_day(visit.user_id, visit.record_due),
                summary=envs[visit.user_id.id]._(
                    "Record visit %(name)s: what was said, the customer's view, "
                    "the next step",
                    name=visit.name,
                ),
                user_id=visit.user_id.id,
            )
        late = ended.filtered(lambda v: v.record_due < now and not v.record_late)
        with trusted_write():
            late.write({"record_late": True})
