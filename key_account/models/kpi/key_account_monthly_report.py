from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..common.groups import KA_MANAGER
from ..common.groups import KA_USER
from ..common.lang import envs_by_lang
from ..common.settings import days_setting

# days after the month's end by which its report is due (Settings): seed 000,
# the department's rules, 9: "每月月底以前提交一份个人范围内客户的分析报告"
# (a report submitted before each month's end), so none by default
DEFAULT_REPORT_DUE_DAYS = 0
# days before its deadline on which a salesperson without a submitted report
# of the month is reminded (Settings)
DEFAULT_REPORT_REMINDER_DAYS = 3
ACTIVITY_DEADLINE = "key_account.mail_activity_type_ka_deadline"


class KeyAccountMonthlyReport(models.Model):
    """A salesperson's monthly report: the figures come from Odoo's records,
    the texts from the salesperson."""

    _name = "key_account.monthly.report"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "key_account.month.mixin",
        "key_account.workflow.mixin",
        "key_account.number.mixin",
    ]
    _description = "Salesperson Monthly Report"
    _order = "month desc, user_id"
    _check_company_auto = True

    _ka_workflow_fields = frozenset(
        {"state", "submitted_date", "submitted_day", "late"}
    )

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    month = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Any day of the month reported; stored as its first day.",
    )
    date_to = fields.Date(compute="_compute_name", store=True)
    state = fields.Selection(
        [("draft", "Draft"), ("submitted", "Submitted")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    submitted_date = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    submitted_day = fields.Date(
        string="Submission Day",
        readonly=True,
        copy=False,
        help="The day the report was submitted, in the salesperson's time zone "
        "at that moment: what its deadline is judged on.",
    )
    deadline = fields.Date(
        compute="_compute_deadline",
        store=True,
        help="The month's last day plus the days of Settings (Monthly report due), "
        "as they were when the report was made.",
    )
    on_time = fields.Boolean(
        compute="_compute_on_time",
        store=True,
        help="Submitted by its deadline (the day in the salesperson's time zone "
        "when submitted).",
    )
    late = fields.Boolean(
        readonly=True,
        copy=False,
        index=True,
        help="Submitted after its deadline, or still not submitted when its "
        "deadline passed (the day in the salesperson's time zone).",
    )
    summary = fields.Text()
    forecast = fields.Text(string="Next Month's Forecast")
    problems = fields.Text()
    solutions = fields.Text()
    currency_id = fields.Many2one(related="company_id.currency_id")
    sales_amount = fields.Monetary(
        string="Sales", compute="_compute_figures", currency_field="currency_id"
    )
    sales_target = fields.Monetary(
        compute="_compute_figures",
        currency_field="currency_id",
        help="From the monthly targets of the commission plans (when installed).",
    )
    has_target = fields.Boolean(compute="_compute_figures")
    new_account_count = fields.Integer(
        string="New Key Accounts", compute="_compute_figures"
    )
    churned_account_count = fields.Integer(
        string="Churned Key Accounts", compute="_compute_figures"
    )
    complaint_count = fields.Integer(
        string="Valid Complaints", compute="_compute_figures"
    )
    visit_count = fields.Integer(string="Visits Done", compute="_compute_figures")
    visit_due_count = fields.Integer(
        string="Visits Due",
        compute="_compute_figures",
        help="Visits the grade cadence asks for in the month on the key accounts "
        "the salesperson owns: the month's days ÷ the grade's days between "
        "visits, rounded up, for each account.",
    )

    _sql_constraints = [
        (
            "month_unique",
            "UNIQUE(user_id, month, company_id)",
            "A salesperson has one report per month.",
        ),
    ]

    @api.depends("user_id", "month")
    def _compute_name(self):
        for report in self:
            report.date_to = (
                report.month + relativedelta(day=31) if report.month else False
            )
            report.name = self.env._(
                "%(user)s: %(month)s",
                user=report.user_id.name or "",
                month=report.month.strftime("%Y-%m") if report.month else "",
            )

    @api.model
    def _ka_due_days(self):
        """Days after the month's end by which a monthly report is due."""
        return days_setting(
            self.env, "key_account.monthly_report_due_days", DEFAULT_REPORT_DUE_DAYS
        )

    @api.depends("date_to")
    def _compute_deadline(self):
        days = self._ka_due_days()
        for report in self:
            report.deadline = report.date_to and report.date_to + relativedelta(
                days=days
            )

    @api.depends("submitted_day", "deadline")
    def _compute_on_time(self):
        # the day is kept at submission: a time zone changed afterwards
        # changes nothing
        for report in self:
            report.on_time = bool(
                report.submitted_day
                and report.deadline
                and report.submitted_day <= report.deadline
            )

    def _ka_today(self):
        """Today in the salesperson's time zone."""
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self.user_id.tz or "UTC"))

    @api.model
    def _ka_target_amounts(self, users, date_from, date_to):
        """Sales targets of ``users`` for the month, x the factor of their
        status: {user_id: amount}; users without a target are absent."""
        return self.env["key_account.commission.target"]._ka_effective_targets(
            users, date_from, date_to
        )

    def _ka_indicator_values(self, code, users, date_from, date_to):
        indicator = self.env["key_account.kpi.indicator"].sudo()
        return indicator.new({"code": code})._kpi_compute(users, date_from, date_to)

    @api.model
    def _ka_visits_due(self, users, date_from, date_to):
        """Visits due by the grade cadence in the period, per salesperson, on
        the key accounts they own: one grouped query.

        :return: {user_id: count}
        """
        days = (date_to - date_from).days + 1
        # the cadence of the grade that drives it (the account's company's)
        owned = self.env["res.partner"].sudo()._ka_owned_accounts(users)
        due = defaultdict(int)
        for user_id, grade in owned.values():
            if grade.visit_interval_days > 0:
                due[user_id] += -(-days // grade.visit_interval_days)
        return due

    @api.depends("user_id", "month")
    def _compute_figures(self):
        Indicator = self.env["key_account.kpi.indicator"].sudo()
        Plan = self.env["key_account.development.plan"]
        for (month, date_to), reports in self.grouped(
            lambda r: (r.month, r.date_to)
        ).items():
            if not month:
                reports.update(
                    {
                        "sales_amount": 0,
                        "sales_target": 0,
                        "has_target": False,
                        "new_account_count": 0,
                        "churned_account_count": 0,
                        "complaint_count": 0,
                        "visit_count": 0,
                        "visit_due_count": 0,
                    }
                )
                continue
            users = reports.user_id
            sales = Indicator._kpi_sales_by_user(users, month, date_to)
            targets = self._ka_target_amounts(users, month, date_to)
            new = self._ka_indicator_values("new_accounts", users, month, date_to)
            churn = self._ka_indicator_values("churn", users, month, date_to)
            complaints = self._ka_indicator_values("complaints", users, month, date_to)
            visits = Plan._ka_visits_done(users, month, date_to)
            visits_due = self._ka_visits_due(users, month, date_to)
            for report in reports:
                uid = report.user_id.id
                report.sales_amount = sales.get(uid, (0.0,))[0]
                report.sales_target = targets.get(uid, 0.0)
                report.has_target = uid in targets
                report.new_account_count = int(new[uid]["value"])
                report.churned_account_count = int(churn[uid]["value"])
                report.complaint_count = int(complaints[uid]["value"])
                report.visit_count = visits.get(uid, 0)
                report.visit_due_count = visits_due.get(uid, 0)

    def _ka_locked_message(self, record, what=None):
        return self.env._(
            "%(report)s is submitted: only a manager can reset it to draft.",
            report=record.name,
        )

    def action_submit(self):
        if not self.env.user.has_group(KA_MANAGER):
            others = self.filtered(lambda r: r.user_id != self.env.user)
            if others:
                raise AccessError(
                    self.env._(
                        "%(report)s is not yours: its salesperson submits it.",
                        report=others[0].name,
                    )
                )
        for report in self:
            if report.state != "draft":
                raise UserError(
                    self.env._("%(report)s is already submitted.", report=report.name)
                )
        days = {report: report._ka_today() for report in self}
        for report, today in days.items():
            if report.month > today:
                raise UserError(
                    self.env._(
                        "%(report)s reports a month that has not begun: it can be "
                        "submitted from %(day)s on.",
                        report=report.name,
                        day=format_date(self.env, report.month),
                    )
                )
        now = fields.Datetime.now()
        for report, today in days.items():
            report._ka_workflow_write(
                {
                    "state": "submitted",
                    "submitted_date": now,
                    "submitted_day": today,
                    "late": today > report.deadline,
                }
            )
        self._ka_activities(ACTIVITY_DEADLINE).action_feedback()
        return True

    def action_reset_draft(self):
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers can reset a monthly report.")
            )
        for report in self:
            report._ka_workflow_write(
                {
                    "state": "draft",
                    "submitted_date": False,
                    "submitted_day": False,
                    "late": report._ka_today() > report.deadline,
                }
            )
        return True

    # ---- the deadline's reminder and late mark --------------------------------------
    @api.model
    def _ka_reminder_days(self):
        """Days before its deadline on which a monthly report is asked for."""
        return days_setting(
            self.env,
            "key_account.monthly_report_reminder_days",
            DEFAULT_REPORT_REMINDER_DAYS,
        )

    @api.model
    def _ka_month_due_soon(self, today):
        """The first day of the month whose report is due within the
        reminder days from ``today`` (not past), or None."""
        shifted = today - relativedelta(days=self._ka_due_days())
        month = shifted.replace(day=1)
        days_left = (month + relativedelta(day=31) - shifted).days
        return month if days_left <= self._ka_reminder_days() else None

    @api.model
    def _ka_cron_deadlines(self):
        """Salespeople (who own key accounts) without a submitted report of
        the month due within the reminder days get their draft report, with
        a reminder due on its deadline (once); drafts whose deadline passed,
        in their salesperson's day, are marked late."""
        Report = self.sudo()
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [("groups_id", "in", self.env.ref(KA_USER).id), ("share", "=", False)]
            )
        )
        owners = {
            user_id
            for user_id, _grade in self.env["res.partner"]
            .sudo()
            ._ka_owned_accounts(users)
            .values()
        }
        to_remind = Report
        for user in users.filtered(lambda u: u.id in owners):
            month = self._ka_month_due_soon(
                fields.Date.context_today(self.with_context(tz=user.tz or "UTC"))
            )
            if not month:
                continue
            report = Report.search(
                [
                    ("user_id", "=", user.id),
                    ("month", "=", month),
                    ("company_id", "=", user.company_id.id),
                ]
            )
            if not report:
                report = Report.with_company(user.company_id).create(
                    {
                        "user_id": user.id,
                        "month": month,
                        "company_id": user.company_id.id,
                    }
                )
            to_remind |= report.filtered(lambda r: r.state == "draft")
        reminded = set(to_remind._ka_activities(ACTIVITY_DEADLINE).mapped("res_id"))
        envs = envs_by_lang(self.env, to_remind.user_id)
        for report in to_remind.filtered(lambda r: r.id not in reminded):
            report.activity_schedule(
                ACTIVITY_DEADLINE,
                date_deadline=report.deadline,
                summary=envs[report.user_id.id]._(
                    "Submit your monthly report of %(month)s by %(deadline)s",
                    month=report.month.strftime("%Y-%m"),
                    deadline=format_date(envs[report.user_id.id], report.deadline),
                ),
                user_id=report.user_id.id,
            )
        overdue = Report.search(
            [
                ("state", "=", "draft"),
                ("late", "=", False),
                # no time zone is a day ahead of UTC's: the day's are at most
                ("deadline", "<=", fields.Date.today()),
            ]
        ).filtered(lambda r: r._ka_today() > r.deadline)
        overdue._ka_workflow_write({"late": True})
