from odoo import api
from odoo import fields
from odoo import models

from ..common.groups import KA_USER
from ..common.lang import envs_by_lang


class ResPartner(models.Model):
    _inherit = "res.partner"

    ka_team_member_ids = fields.One2many(
        "key_account.team.member",
        "partner_id",
        string="Account Team",
        groups=KA_USER,
        help="Besides the owner: they read the account's file, relationship map "
        "and engagement, and may get its follow-up activities.",
    )
    ka_team_reader = fields.Boolean(
        string="Reads as a Team Member",
        compute="_compute_ka_team_reader",
        groups=KA_USER,
        help="The current user is in the account's team: they read its file and "
        "relationship map, its owner and the managers edit them.",
    )
    ka_plan_ids = fields.One2many(
        "key_account.plan", "partner_id", string="Account Plans", groups=KA_USER
    )
    ka_plan_count = fields.Integer(
        string="Plans", compute="_compute_ka_plans", groups=KA_USER
    )
    ka_current_plan_id = fields.Many2one(
        "key_account.plan",
        string="Current Plan",
        compute="_compute_ka_plans",
        groups=KA_USER,
    )
    ka_current_plan_progress = fields.Float(
        string="Current Plan % Done", compute="_compute_ka_plans", groups=KA_USER
    )

    @api.depends_context("uid")
    def _compute_ka_team_reader(self):
        # for the form only: the record rules of the file and the map decide
        accounts = self.commercial_partner_id
        teams = (
            self.env["key_account.team.member"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", accounts._origin.ids),
                    ("user_id", "=", self.env.uid),
                ]
            )
        )
        for partner in self:
            partner.ka_team_reader = (
                partner.commercial_partner_id._origin in teams.partner_id
            )

    @api.depends_context("uid", "tz")
    def _compute_ka_plans(self):
        """The plans the current user reads (record rules): their number and
        the one whose period runs today (an approved one first)."""
        Plan = self.env["key_account.plan"]
        counts = dict(
            Plan._read_group(
                [("partner_id", "in", self._origin.ids)], ["partner_id"], ["__count"]
            )
        )
        current = {}
        for plan in Plan.search(
            [("partner_id", "in", self._origin.ids), ("is_current", "=", True)]
        ).sorted(lambda p: (p.state != "approved", p.date_from)):
            current.setdefault(plan.partner_id.id, plan)
        for partner in self:
            partner.ka_plan_count = counts.get(partner._origin, 0)
            partner.ka_current_plan_id = current.get(partner._origin.id, Plan)
            partner.ka_current_plan_progress = partner.ka_current_plan_id.progress

    def action_ka_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_plan_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ---- handover: open plans and reviews to comment go with their accounts --------
    @api.model
    def _ka_handover_open_documents(self, partners, user):
        """The plans of ``user`` on ``partners`` (None: any account) not yet
        closed or cancelled, and their reviews still to comment (a submitted
        review waits for any manager's signature: it stays theirs)."""
        accounts = [] if partners is None else [("partner_id", "in", partners.ids)]
        plans = (
            self.env["key_account.plan"]
            .sudo()
            .search(
                [
                    *accounts,
                    ("user_id", "=", user.id),
                    ("state", "not in", ("closed", "cancelled")),
                ]
            )
        )
        reviews = (
            self.env["key_account.review"]
            .sudo()
            .search([*accounts, ("user_id", "=", user.id), ("state", "=", "draft")])
        )
        documents = super()._ka_handover_open_documents(partners, user)
        return [*documents, *(records for records in (plans, reviews) if records)]

    # ---- follow-up activities: the team members who get them -------------------------
    def _ka_schedule_once(self, activity_xmlid, summary, deadline):
        """The members of the accounts' teams who get the follow-up activities
        get one too, when the owner gets theirs."""
        todo = super()._ka_schedule_once(activity_xmlid, summary, deadline)
        members = (
            self.env["key_account.team.member"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", todo.ids),
                    ("followup_activities", "=", True),
                    ("user_id.active", "=", True),
                ]
            )
            .filtered(lambda m: m.user_id != m.partner_id.user_id)
        )
        if members:
            activity_type = self.env.ref(activity_xmlid)
            # the summary is a function of an environment: each member reads
            # it in their own language, as the owner does
            envs = envs_by_lang(self.env, members.user_id)
            summaries = {env.lang: summary(env) for env in envs.values()}
            self._ka_create_activities(
                [
                    {
                        "res_id": member.partner_id.id,
                        "activity_type_id": activity_type.id,
                        "user_id": member.user_id.id,
                        "date_deadline": deadline(member.partner_id),
                        "summary": summaries[envs[member.user_id.id].lang],
                        "automated": True,
                    }
                    for member in members
                ]
            )
        return todo

    def _ka_pool_after_move(
        self, to_user, action, old_owners, reason=False, caps_overridden=False
    ):
        """The new owner of an account leaves its team (an owner is no member
        of their own account's team)."""
        if to_user:
            self.env["key_account.team.member"].sudo().search(
                [("partner_id", "in", self.ids), ("user_id", "=", to_user.id)]
            ).unlink()
        return super()._ka_pool_after_move(
            to_user, action, old_owners, reason=reason, caps_overridden=caps_overridden
        )
