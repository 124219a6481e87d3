from datetime import date

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..common.groups import KA_MANAGER
from ..common.lang import env_for

PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6}


class KeyAccountScorecard(models.Model):
    """A person's appraisal over a period: indicator lines computed from
    Odoo's records, manual lines filled by the appraisers."""

    _name = "key_account.scorecard"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "key_account.workflow.mixin",
        "key_account.number.mixin",
    ]
    _description = "KPI Scorecard"
    _ka_workflow_fields = frozenset({"state", "confirmed_date"})
    _order = "date_from desc, user_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users", string="Appraised", required=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    template_id = fields.Many2one(
        "key_account.kpi.template",
        required=True,
        check_company=True,
        ondelete="restrict",
    )
    date_from = fields.Date(string="From", required=True, index=True)
    date_to = fields.Date(string="To", required=True, index=True)
    line_ids = fields.One2many(
        "key_account.scorecard.line", "scorecard_id", string="Lines"
    )
    score = fields.Float(
        compute="_compute_score",
        store=True,
        aggregator="avg",
        tracking=True,
        help="Sum of the lines' weighted scores, out of 100.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    superior_weight = fields.Float(
        string="Superior's Share (%)",
        help="Copied from the template when the scorecard is computed.",
    )
    peer_weight = fields.Float(string="HR / Colleagues' Share (%)")
    computed_date = fields.Datetime(string="Computed On", readonly=True)
    confirmed_date = fields.Datetime(string="Confirmed On", readonly=True, copy=False)

    @api.depends("user_id", "date_from", "date_to")
    def _compute_name(self):
        for card in self:
            card.name = self.env._(
                "%(user)s: %(date_from)s - %(date_to)s",
                user=card.user_id.name or "",
                date_from=card.date_from or "",
                date_to=card.date_to or "",
            )

    @api.depends("line_ids.weighted_score")
    def _compute_score(self):
        for card in self:
            card.score = sum(card.line_ids.mapped("weighted_score"))

    # ---- rules -------------------------------------------------------------------
    @api.constrains("date_from", "date_to", "user_id", "state")
    def _check_period(self):
        for card in self:
            if card.date_from > card.date_to:
                raise ValidationError(
                    self.env._(
                        "%(card)s: the period ends before it starts.", card=card.name
                    )
                )
        confirmed = self.sudo().search(
            [
                ("state", "=", "confirmed"),
                ("user_id", "in", self.user_id.ids),
                ("date_from", "<=", max(self.mapped("date_to"))),
                ("date_to", ">=", min(self.mapped("date_from"))),
            ]
        )
        for card in self:
            clash = confirmed.filtered(
                lambda c, card=card: c != card
                and c.user_id == card.user_id
                and c.date_from <= card.date_to
                and c.date_to >= card.date_from
            )[:1]
            if clash:
                raise ValidationError(
                    self.env._(
                        "%(card)s overlaps the confirmed scorecard %(clash)s of "
                        "the same person.",
                        card=card.name,
                        clash=clash.name,
                    )
                )

    def _ka_locked_message(self, record, what=None):
        return self.env._(
            "%(card)s is confirmed: it can no longer change. A manager "
            "can reopen it, with a reason.",
            card=record.name,
        )

    def _ka_check_draft(self):
        self._ka_check_open()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        self._ka_check_draft()

    def _ka_check_not_own_edit(self):
        """Nobody scores themselves: a manager's own scorecard is computed
        by the module and scored by another manager."""
        if self.env.su:
            return
        own = self.filtered(lambda card: card.user_id == self.env.user)
        if own:
            raise AccessError(
                self.env._(
                    "%(card)s is your own scorecard: another manager scores it.",
                    card=own[0].name,
                )
            )

    def write(self, vals):
        self._ka_check_not_own_edit()
        return super().write(vals)

    # ---- computation ---------------------------------------------------------------
    @api.model
    def _ka_compute_scorecards(self, template, users, date_from, date_to):
        """Compute the scorecards of ``users`` with ``template`` over the period.

        Set-based: each indicator is computed once for all the users. Draft
        scorecards of the same person, template and period are recomputed (their
        manual points kept); people with a confirmed scorecard overlapping the
        period are skipped.

        :return: (scorecards computed, users skipped)
        """
        if not (self.env.su or self.env.user.has_group(KA_MANAGER)):
            raise AccessError(
                self.env._("Only Key Account managers can compute scorecards.")
            )
        template = template.sudo()
        # checked: the computation writes its figures as superuser (a
        # manager's own scorecard is computed like the others'). No creation
        # log nor "assigned to you" e-mail per scorecard: the appraised person
        # still follows their scorecard
        cards = self.sudo().with_context(
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
            mail_auto_subscribe_no_notify=True,
        )
        confirmed = cards.sudo().search(
            [
                ("state", "=", "confirmed"),
                ("user_id", "in", users.ids),
                ("date_from", "<=", date_to),
                ("date_to", ">=", date_from),
            ]
        )
        skipped = confirmed.user_id
        users -= skipped
        if not users:
            return cards.browse(), skipped
        values = {}
        for line in template.line_ids.filtered(lambda rec: rec.kind == "indicator"):
            values[line.id] = line.indicator_id._kpi_compute(
                users, date_from, date_to, scope=line.scope
            )
        drafts = cards.search(
            [
                ("state", "=", "draft"),
                ("template_id", "=", template.id),
                ("user_id", "in", users.ids),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        manual_points = {
            (line.scorecard_id.user_id.id, line.template_line_id.id): (
                line.superior_points,
                line.peer_points,
            )
            for line in drafts.line_ids.filtered(lambda rec: rec.kind == "manual")
        }
        by_user = {card.user_id.id: card for card in drafts}
        drafts.line_ids.unlink()
        now = fields.Datetime.now()
        create_vals = []
        for user in users:
            lines = []
            for line in template.line_ids:
                lines.append(
                    fields.Command.create(
                        line._ka_scorecard_line_vals(
                            values.get(line.id), user, manual_points
                        )
                    )
                )
            vals = {
                "line_ids": lines,
                "superior_weight": template.superior_weight,
                "peer_weight": template.peer_weight,
            }
            card = by_user.get(user.id)
            if card:
                card.write(vals)
            else:
                create_vals.append(
                    {
                        **vals,
                        "user_id": user.id,
                        "template_id": template.id,
                        "date_from": date_from,
                        "date_to": date_to,
                        "company_id": (template.company_id or self.env.company).id,
                    }
                )
        computed = drafts | cards.create(create_vals)
        # the computation's own date (a field no client writes)
        computed.write({"computed_date": now})
        computed._ka_translate_line_names()
        return computed.with_env(self.env), skipped

    def _ka_translate_line_names(self):
        """The lines read in each reader's language, whoever computed them: a
        line whose name is still its indicator's takes the indicator's
        translations, any other its template line's (one statement)."""
        lines = self.line_ids
        if not lines:
            return
        lines.flush_recordset(["name", "template_line_id"])
        self.env["key_account.kpi.template.line"].flush_model(["name", "indicator_id"])
        self.env["key_account.kpi.indicator"].flush_model(["name"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE key_account_scorecard_line sl
                   SET name = CASE
                           WHEN ind.id IS NOT NULL
                            AND tl.name->>'en_US' = ind.name->>'en_US'
                           THEN ind.name ELSE tl.name END
                  FROM key_account_kpi_template_line tl
                  LEFT JOIN key_account_kpi_indicator ind ON ind.id = tl.indicator_id
                 WHERE sl.template_line_id = tl.id AND sl.id = ANY(%s)
                """,
                lines.ids,
            )
        )
        lines.invalidate_recordset(["name"])

    def action_recompute(self):
        for card in self:
            if card.state != "draft":
                raise UserError(
                    self.env._(
                        "%(card)s is confirmed: reopen it before recomputing.",
                        card=card.name,
                    )
                )
        for (template, date_from, date_to), cards in self.grouped(
            lambda c: (c.template_id, c.date_from, c.date_to)
        ).items():
            self._ka_compute_scorecards(template, cards.user_id, date_from, date_to)
        return True

    def action_confirm(self):
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers can confirm a scorecard.")
            )
        own = self.filtered(lambda c: c.user_id == self.env.user)
        if own:
            raise AccessError(
                self.env._(
                    "%(card)s is your own scorecard: another manager confirms it.",
                    card=own[0].name,
                )
            )
        for card in self:
            if card.state != "draft":
                raise UserError(
                    self.env._("%(card)s is already confirmed.", card=card.name)
                )
        self._ka_workflow_write(
            {"state": "confirmed", "confirmed_date": fields.Datetime.now()}
        )
        return True

    def action_reopen_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reopen Scorecard"),
            "res_model": "key_account.scorecard.reopen",
            "view_mode": "form",
            "target": "new",
            "context": {"default_scorecard_ids": self.ids},
        }

    def _ka_reopen(self, reason):
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers can reopen a scorecard.")
            )
        own = self.filtered(lambda c: c.user_id == self.env.user)
        if own:
            raise AccessError(
                self.env._(
                    "%(card)s is your own scorecard: another manager reopens it.",
                    card=own[0].name,
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for reopening the scorecard."))
        for card in self:
            if card.state != "confirmed":
                raise UserError(
                    self.env._("%(card)s is not confirmed.", card=card.name)
                )
        self._ka_workflow_write({"state": "draft", "confirmed_date": False})
        for card in self:
            card.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    env_for(self.env, card.user_id)._("Scorecard reopened. Reason:"),
                    reason,
                )
            )
        return True

    # ---- periods and cron ------------------------------------------------------------
    @api.model
    def _ka_last_period(self, period_type, today=None):
        """The last full period of ``period_type`` before ``today``."""
        today = today or fields.Date.context_today(self)
        months = PERIOD_MONTHS[period_type]
        start_month = ((today.month - 1) // months) * months + 1
        current_start = date(today.year, start_month, 1)
        start = current_start - relativedelta(months=months)
        return start, current_start - relativedelta(days=1)

    @api.model
    def _ka_cron_compute(self):
        """Daily: on the first day after a period, compute the scorecards of
        the people of each template for the period just ended."""
        today = fields.Date.context_today(self)
        for template in self.env["key_account.kpi.template"].search(
            [("user_ids", "!=", False)]
        ):
            date_from, date_to = self._ka_last_period(template.period_type, today)
            if date_to != today - relativedelta(days=1):
                continue
            company = template.company_id or self.env.company
            self.with_company(company)._ka_compute_scorecards(
                template, template.user_ids, date_from, date_to
            )
