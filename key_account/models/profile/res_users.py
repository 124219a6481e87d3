from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import ormcache

from ..common.groups import KA_MANAGER


class ResUsers(models.Model):
    """The department of a user (issue 20 §3): the record rules of the team
    leaders and of the department's roles say it in SQL, on the sales teams'
    memberships; these helpers say it in Python for the forms' figures."""

    _inherit = "res.users"

    # the teams a user leads: the rules reach a document owner's teams
    # through it (``any``)
    # (not readonly: only those who may write users and teams write it, as
    # the teams' own leader field it stands for)
    ka_led_team_ids = fields.One2many("crm.team", "user_id", string="Sales Teams Led")

    def _ka_department_users(self):
        """The users whose documents this user reads as a team leader: the
        active members of the sales teams they lead, and themselves (the
        record rules ``*_rule_team_leader``)."""
        self.ensure_one()
        return self.browse(self._ka_department_user_ids())

    @ormcache("self.id")
    def _ka_department_user_ids(self):
        """The ids of :meth:`_ka_department_users`, cached: the 12-month
        figures of every batch of accounts read (each column of the kanban,
        each page of the list) ask for them. The sales teams and their
        memberships clear the cache when they change."""
        members = (
            self.env["crm.team.member"]
            .sudo()
            .search_fetch(
                [
                    ("crm_team_id.user_id", "=", self.id),
                    ("crm_team_id.active", "=", True),
                    ("active", "=", True),
                ],
                ["user_id"],
            )
        )
        return tuple(sorted({*members.user_id.ids, self.id}))

    def _ka_served_users(self):
        """The department an assistant or a planner serves: the members and
        leaders of the sales teams they are an active member of (the record
        rules ``*_rule_assistant`` and ``*_rule_planner``)."""
        self.ensure_one()
        return self.browse(self._ka_served_user_ids())

    @ormcache("self.id")
    def _ka_served_user_ids(self):
        """The ids of :meth:`_ka_served_users`, cached as
        :meth:`_ka_department_user_ids` is (the same changes clear it)."""
        Member = self.env["crm.team.member"].sudo()
        teams = Member.search_fetch(
            [
                ("user_id", "=", self.id),
                ("crm_team_id.active", "=", True),
                ("active", "=", True),
            ],
            ["crm_team_id"],
        ).crm_team_id
        members = Member.search_fetch(
            [("crm_team_id", "in", teams.ids), ("active", "=", True)], ["user_id"]
        )
        return tuple(sorted({*members.user_id.ids, *teams.user_id.ids}))

    ka_access_log_count = fields.Integer(
        string="Customer Files Read",
        compute="_compute_ka_access_log_count",
        groups=KA_MANAGER,
        help="Lines of the customer-file access log written by this user.",
    )

    @api.depends_context("uid")
    def _compute_ka_access_log_count(self):
        counts = dict(
            self.env["key_account.access.log"]._read_group(
                [("user_id", "in", self._origin.ids)], ["user_id"], ["__count"]
            )
        )
        for user in self:
            user.ka_access_log_count = counts.get(user._origin, 0)

    def action_ka_access_log(self):
        """Stat button (managers): what this user read and exported."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_access_log_action"
        )
        action["domain"] = [("user_id", "=", self.id)]
        return action
