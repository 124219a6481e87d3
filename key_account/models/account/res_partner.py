from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

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
    ka_team_count = fields.Integer(
        string="Team",
        compute="_compute_ka_account_figures",
        groups=KA_USER,
        help="The members of the account's team, for those who read it: its "
        "owner, its members and the Key Account managers.",
    )
    ka_relation_count = fields.Integer(
        string="Relationship Map Entries",
        compute="_compute_ka_account_figures",
        groups=KA_USER,
        help="The entries of the relationship map of the account (of the "
        "contact's company), for those who read it: its owner, its team and "
        "the Key Account managers.",
    )
    ka_team_reader = fields.Boolean(
        string="Reads as a Team Member",
        compute="_compute_ka_account_figures",
        groups=KA_USER,
        help="The current user is in the account's team: they read its file and "
        "relationship map, its owner and the managers edit them.",
    )
    ka_plan_ids = fields.One2many(
        "key_account.plan", "partner_id", string="Account Plans", groups=KA_USER
    )
    ka_plan_count = fields.Integer(
        string="Plans", compute="_compute_ka_account_figures", groups=KA_USER
    )
    ka_current_plan_id = fields.Many2one(
        "key_account.plan",
        string="Current Plan",
        compute="_compute_ka_account_figures",
        groups=KA_USER,
    )
    ka_current_plan_progress = fields.Float(
        string="Current Plan % Done",
        compute="_compute_ka_current_plan_progress",
        groups=KA_USER,
    )

    @api.depends_context("uid", "tz", "allowed_company_ids")
    def _compute_ka_account_figures(self):
        """The figures of the account capability on the form, in one
        statement, as the user reads them (record rules): the plans and
        quarterly reviews, the plan whose period runs today (an approved one
        first), the entries of the account's relationship map, and the team
        of the account (of the contact's company): its size, and whether the
        user is in it (the record rules of the file and the map decide what a
        member reads).
        The rules of ``key_account.team.member`` show a team to the account's
        owner, its members and the managers, in the companies the user works
        in; others count none."""
        today = fields.Date.context_today(self)
        uid = self.env.uid

        def member(Member, query):
            # 1.0 when the user is in the team
            user = Member._field_to_sql(query.table, "user_id", query)
            return SQL("BOOL_OR(%s = %s)::int::float8", user, uid)

        def current(Plan, query):
            # the current plans' ids, the approved first
            def column(fname):
                return Plan._field_to_sql(query.table, fname, query)

            return SQL(
                """(ARRAY_AGG(%(id)s ORDER BY %(state)s != 'approved', %(start)s)
                    FILTER (WHERE %(state)s NOT IN ('cancelled', 'refused')
                              AND %(start)s <= %(today)s
                              AND %(end)s >= %(today)s))[1]::float8""",
                id=column("id"),
                state=column("state"),
                start=column("date_from"),
                end=column("date_to"),
                today=today,
            )

        # the partners and their companies (the team's) in the same statement
        figures = (
            self._origin | self.commercial_partner_id._origin
        )._ka_figures_by_partner(
            {
                "plans": ("key_account.plan", "partner_id", [], "count"),
                "current": ("key_account.plan", "partner_id", [], current),
                "reviews": ("key_account.review", "partner_id", [], "count"),
                "team": ("key_account.team.member", "partner_id", [], "count"),
                "member": ("key_account.team.member", "partner_id", [], member),
                "relations": ("key_account.relation", "account_id", [], "count"),
            }
        )
        Plan = self.env["key_account.plan"]
        for partner in self:
            id_ = partner._origin.id
            partner.ka_plan_count = int(figures["plans"].get(id_, 0))
            partner.ka_review_count = int(figures["reviews"].get(id_, 0))
            partner.ka_current_plan_id = Plan.browse(
                int(figures["current"].get(id_) or 0) or ()
            )
            account = partner.commercial_partner_id._origin.id
            partner.ka_team_count = int(figures["team"].get(account, 0))
            partner.ka_team_reader = bool(figures["member"].get(account))
            partner.ka_relation_count = int(figures["relations"].get(account, 0))

    @api.depends_context("uid", "tz", "allowed_company_ids")
    def _compute_ka_current_plan_progress(self):
        """Apart from the stat buttons' figures: the progress computes every
        objective's actual from sales and spending, what the form opens
        without (its Account Plan tab reads it when opened)."""
        for partner in self:
            # prefetched together: the objectives are read for all at once
            plan = partner.ka_current_plan_id
            partner.ka_current_plan_progress = plan._ka_progress_only()

    def ka_current_plan_figures(self):
        """The current plan's progress, for the account form's Account Plan
        tab, which calls it when opened (the form opens without computing it):
        the plan, its % done and each objective's, as the user reads them
        (record rules). False without a current plan."""
        self.ensure_one()
        self.check_access("read")
        plan = self.ka_current_plan_id
        if not plan:
            return False
        measures = dict(
            plan.objective_ids._fields["measure"]._description_selection(self.env)
        )
        return {
            "id": plan.id,
            "name": plan.display_name,
            "progress": self.ka_current_plan_progress,
            "objectives": [
                {
                    "id": objective.id,
                    "name": objective.name,
                    "measure": measures.get(objective.measure, objective.measure),
                    "percent": objective.percent,
                }
                for objective in plan.objective_ids
            ],
        }

    def action_ka_team(self):
        """Stat button: the account's team, in a list its owner edits."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_team_member_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        action["display_name"] = self.env._(
            "Team of %(account)s", account=self.display_name
        )
        return action

    def action_ka_relation_map(self):
        """Stat button: the relationship map of the account (of the contact's
        company), in a list its owner and the managers edit, its team reads
        (the record rules and guards of the entries decide); an entry created
        there is one of the account's contacts, a contact created from it one
        of the account's."""
        self.ensure_one()
        account = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_relation_action"
        )
        if not self.ka_file_access:
            view = self.env.ref("key_account.key_account_relation_view_list_readonly")
            action["views"] = [(view.id, "list")]
        action["domain"] = [("account_id", "=", account.id)]
        action["context"] = {
            "ka_account_id": account.id,
            "default_parent_id": account.id,
            "default_type": "contact",
        }
        action["display_name"] = self.env._(
            "Relationship Map of %(account)s", account=account.display_name
        )
        return action

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
