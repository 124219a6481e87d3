from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError

from ..common.groups import KA_MANAGER
from ..common.key_account_guard_mixin import field_labels
from ..profile.accounts import ACCOUNT_PEOPLE_DOMAIN_STR
from ..profile.accounts import KEY_ACCOUNT_DOMAIN_STR

# what a salesperson may not change on the feedback they answer for: whether
# a complaint counts against them, whose it is, when it came and is due
MANAGER_FIELDS = frozenset(
    {
        "is_valid",
        "user_id",
        "received_date",
        "answer_due",
        "answered_date",
        "feedback_type",
        "partner_id",
    }
)

FEEDBACK_TYPES = [
    ("complaint", "Complaint"),
    ("suggestion", "Suggestion"),
    ("praise", "Praise"),
    ("revisit", "Satisfaction revisit"),
]
# default hours to answer, overridden in Settings (ir.config_parameter)
DEFAULT_ANSWER_HOURS = {"complaint": 24, "suggestion": 72, "praise": 72, "revisit": 72}


class KeyAccountFeedback(models.Model):
    _name = "key_account.feedback"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "key_account.number.mixin",
        "key_account.guard.mixin",
    ]
    _description = "Key Account Feedback"
    _order = "received_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Subject", required=True, tracking=True)
    feedback_type = fields.Selection(
        FEEDBACK_TYPES,
        string="Type",
        required=True,
        default="complaint",
        tracking=True,
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=KEY_ACCOUNT_DOMAIN_STR,
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Reported By",
        domain=ACCOUNT_PEOPLE_DOMAIN_STR,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        help="Who answers this feedback; it counts in their appraisal.",
    )
    received_date = fields.Datetime(
        string="Received",
        required=True,
        default=fields.Datetime.now,
        index=True,
        tracking=True,
    )
    is_valid = fields.Boolean(
        string="Valid (Our Fault)",
        tracking=True,
        help="A valid complaint is one where the company is at fault; only "
        "valid complaints count in appraisals.",
    )
    description = fields.Html()
    answer_due = fields.Datetime(
        compute="_compute_answer_due",
        store=True,
        readonly=False,
        index=True,
        help="Received date plus the hours to answer this type of feedback (Settings).",
    )
    answered_date = fields.Datetime(string="Answered", tracking=True, copy=False)
    resolution = fields.Text(copy=False)
    satisfaction = fields.Integer(
        string="Satisfaction (1-5)",
        copy=False,
        aggregator="avg",
        help="The key account's satisfaction, from 1 (very unhappy) to 5 (very "
        "happy); 0 when not rated.",
    )
    answered_in_time = fields.Boolean(
        compute="_compute_answered_in_time",
        store=True,
        help="Answered no later than the answer due date.",
    )
    state = fields.Selection(
        [("open", "To Answer"), ("answered", "Answered")],
        compute="_compute_answered_in_time",
        store=True,
        index=True,
        tracking=True,
    )
    is_overdue = fields.Boolean(
        compute="_compute_is_overdue", search="_search_is_overdue"
    )

    _sql_constraints = [
        (
            "satisfaction_range",
            "CHECK(satisfaction >= 0 AND satisfaction <= 5)",
            "The satisfaction score goes from 1 to 5 (0: not rated).",
        ),
    ]

    @api.model
    def _ka_answer_hours(self, feedback_type):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"key_account.feedback_hours_{feedback_type}")
        )
        try:
            return int(value) if value else DEFAULT_ANSWER_HOURS[feedback_type]
        except ValueError:
            return DEFAULT_ANSWER_HOURS[feedback_type]

    @api.depends("received_date", "feedback_type")
    def _compute_answer_due(self):
        for feedback in self:
            if feedback.received_date and feedback.feedback_type:
                hours = self._ka_answer_hours(feedback.feedback_type)
                feedback.answer_due = feedback.received_date + timedelta(hours=hours)
            else:
                feedback.answer_due = False

    @api.depends("answered_date", "answer_due")
    def _compute_answered_in_time(self):
        for feedback in self:
            feedback.state = "answered" if feedback.answered_date else "open"
            feedback.answered_in_time = bool(
                feedback.answered_date
                and feedback.answer_due
                and feedback.answered_date <= feedback.answer_due
            )

    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for feedback in self:
            feedback.is_overdue = bool(
                not feedback.answered_date
                and feedback.answer_due
                and feedback.answer_due < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        domain = [
            ("answered_date", "=", False),
            ("answer_due", "<", fields.Datetime.now()),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", "&", *domain]

    @api.constrains("satisfaction")
    def _check_satisfaction(self):
        for feedback in self:
            if not 0 <= feedback.satisfaction <= 5:
                raise ValidationError(
                    self.env._(
                        "%(feedback)s: the satisfaction score goes from 1 to 5 "
                        "(0: not rated).",
                        feedback=feedback.display_name,
                    )
                )

    @api.constrains("received_date", "answered_date")
    def _check_dates(self):
        for feedback in self:
            if (
                feedback.answered_date
                and feedback.received_date
                and feedback.answered_date < feedback.received_date
            ):
                raise ValidationError(
                    self.env._(
                        "%(feedback)s: it cannot be answered before it was received.",
                        feedback=feedback.display_name,
                    )
                )

    # ---- who decides what ------------------------------------------------------------
    def _ka_protected_fields(self):
        # answered when the Answered button is pressed, never typed
        return super()._ka_protected_fields() | {"answered_date"}

    def _ka_is_manager(self):
        return self.env.su or self.env.user.has_group(KA_MANAGER)

    def _ka_refuse(self, fnames):
        raise AccessError(
            self.env._(
                "Only Key Account managers change %(fields)s of a feedback.",
                fields=field_labels(self, fnames),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._ka_is_manager():
            for vals in vals_list:
                # a salesperson records feedback for themselves, due when the
                # type says (Settings): judged with the caller's defaults
                vals.pop("answer_due", None)
                defaults = self._ka_client_defaults(vals, {"user_id", "answer_due"})
                if "answer_due" in defaults:
                    self._ka_refuse({"answer_due"})
                if {**defaults, **vals}.get("user_id", self.env.uid) != self.env.uid:
                    self._ka_refuse({"user_id"})
        return super().create(vals_list)

    def write(self, vals):
        fnames = set(vals) & MANAGER_FIELDS
        if fnames and not self._ka_is_manager():
            self._ka_refuse(fnames)
        return super().write(vals)

    def action_answer(self):
        """Button: mark as answered now (the owner of the feedback, or a
        manager; the answer date is the button's, never typed)."""
        if not self._ka_is_manager():
            theirs = self.filtered(lambda f: f.user_id != self.env.user)
            if theirs:
                self._ka_refuse({"answered_date"})
        self.filtered(lambda f: not f.answered_date).sudo().write(
            {"answered_date": fields.Datetime.now()}
        )
        return True

    @api.constrains("received_date")
    def _check_received_date(self):
        now = fields.Datetime.now()
        for feedback in self:
            if feedback.received_date and feedback.received_date > now:
                raise ValidationError(
                    self.env._(
                        "%(feedback)s: it cannot be received in the future.",
                        feedback=feedback.display_name,
                    )
                )
