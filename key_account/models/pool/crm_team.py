from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..common.groups import KA_MANAGER
from ..common.key_account_number_mixin import check_numbers
from ..common.key_account_number_mixin import module_number_fields

# the pool rules a team may set for its own pool (0: the company's)
TEAM_POOL_RULES = (
    "ka_pool_followup_days",
    "ka_pool_order_days",
    "ka_pool_warning_days",
    "ka_pool_order_exempt_days",
    "ka_pool_max_owned",
    "ka_pool_max_claims_per_day",
    "ka_pool_cooldown_days",
)


class CrmTeam(models.Model):
    _inherit = "crm.team"

    # ---- the team's own pool: its rules (0: the company's, see res.company) ------
    # Not copied: a sales manager who is no Key Account manager duplicates a
    # team without reading them (the copy starts with the company's rules).
    # The team leader (user_id) is the pool's admin: assigns its accounts and
    # overrides the caps with a reason; its members see and claim from it.
    ka_pool_followup_days = fields.Integer(
        string="Pool: Days Without Follow-up",
        groups=KA_MANAGER,
        copy=False,
        help="The team's accounts return to its pool after this many days without "
        "a follow-up (0: the grade's, then the company's setting).",
    )
    ka_pool_order_days = fields.Integer(
        string="Pool: Days Without Order",
        groups=KA_MANAGER,
        copy=False,
        help="The team's accounts return to its pool after this many days without "
        "a confirmed order (0: the grade's, then the company's setting).",
    )
    ka_pool_warning_days = fields.Integer(
        string="Pool: Warning Days",
        groups=KA_MANAGER,
        copy=False,
        help="Warn the owner this many days before the return (0: the grade's, then "
        "the company's setting).",
    )
    ka_pool_order_exempt_days = fields.Integer(
        string="Pool: Exempt After an Order Within Days",
        groups=KA_MANAGER,
        copy=False,
        help="An account with a confirmed order in the last days never returns "
        "(0: the company's setting).",
    )
    ka_pool_max_owned = fields.Integer(
        string="Pool: Maximum Key Accounts per Salesperson",
        groups=KA_MANAGER,
        copy=False,
        help="Claims from this pool stop once the salesperson owns this many key "
        "accounts (0: the company's setting).",
    )
    ka_pool_max_claims_per_day = fields.Integer(
        string="Pool: Maximum Claims per Day",
        groups=KA_MANAGER,
        copy=False,
        help="Claims a salesperson may make per day from this pool (0: the "
        "company's setting).",
    )
    ka_pool_cooldown_days = fields.Integer(
        string="Pool: Re-claim Cooldown (days)",
        groups=KA_MANAGER,
        copy=False,
        help="The previous owner may not claim an account of this pool again for "
        "this many days (0: the company's setting).",
    )

    # the pool rules are numbers in range: the number mixin's checks (added
    # to crm.team's _inherit, the mixin failed the registry's set-up of the
    # team's favorite_user_ids many2many)
    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(self, vals_list, module_number_fields(self))
        return super().create(vals_list)

    def write(self, vals):
        check_numbers(self, [vals], module_number_fields(self))
        return super().write(vals)

    @api.constrains(*TEAM_POOL_RULES, "company_id")
    def _check_ka_pool_rules(self):
        for team in self.sudo():
            if min(team[fname] for fname in TEAM_POOL_RULES) < 0:
                raise ValidationError(
                    self.env._(
                        "The pool rules of team %(team)s cannot be negative.",
                        team=team.name,
                    )
                )
        self._ka_check_pool_periods()

    def _ka_check_pool_periods(self, companies=None, grades=None):
        """Refuse a warning that does not come before the return, for each
        of these teams in each company it may hold accounts of, with each
        grade of that company (by default: all of them)."""
        Grade = self.env["key_account.grade"].sudo()
        all_companies = self.env["res.company"].sudo().search([])
        for team in self.sudo():
            for company in companies or team.company_id or all_companies:
                if team.company_id and company != team.company_id:
                    continue
                company_grades = (
                    grades
                    if grades is not None
                    else Grade.search([("company_id", "in", [False, company.id])])
                )
                for grade in [Grade, *company_grades.sudo()]:
                    company._ka_check_pool_warning(
                        *team._ka_pool_periods(company, grade), name=team.name
                    )

    def _ka_pool_periods(self, company, grade=None):
        """(days without follow-up, days without order, warning days) for the
        accounts of ``grade`` (may be empty) in this team's pool (may be
        empty: the company-wide pool): the team's rule where set, else the
        grade's, else the company's. ``_ka_pool_dues`` is the same in SQL."""
        team = self.sudo()[:1]
        grade = (grade or self.env["key_account.grade"]).sudo()[:1]
        return tuple(
            team[fname] or grade[fname] or company[fname]
            for fname in (
                "ka_pool_followup_days",
                "ka_pool_order_days",
                "ka_pool_warning_days",
            )
        )

    def _ka_pool_rule(self, fname, company):
        """A cap, cooldown or exemption of this team's pool (may be empty):
        the team's where set, else ``company``'s."""
        return self.sudo()[:1][fname] or company.sudo()[fname]

    def _ka_pool_admins(self):
        """Who administers these pools: their team leaders."""
        return self.sudo().user_id

    @api.model
    def _ka_user_teams(self, user):
        """The teams whose pools ``user`` works: those they are an active
        member of, or lead."""
        Team = self.sudo().with_context(active_test=True)
        # active memberships only, whatever the client's context says
        members = (
            self.env["crm.team.member"]
            .sudo()
            .with_context(active_test=True)
            .search([("user_id", "=", user.id)])
        )
        return members.crm_team_id.filtered("active") | Team.search(
            [("user_id", "=", user.id)]
        )
