from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError

from ..profile.accounts import KEY_ACCOUNT_DOMAIN_STR

ROLES = [
    ("manager", "Key-account manager"),
    ("sales", "Sales"),
    ("service", "Service / support"),
    ("assistant", "Assistant"),
]


class KeyAccountTeamMember(models.Model):
    """A member of a key account's team besides its owner: reads the
    account's customer file, relationship map and engagement (record rules),
    gets its follow-up activities when ``followup_activities`` is set, and
    appears on its plans' resources. Written by the account's owner and Key
    Account managers (record rules)."""

    _name = "key_account.team.member"
    _inherit = ["key_account.number.mixin"]
    _description = "Key Account Team Member"
    _order = "partner_id, sequence, id"
    _rec_name = "user_id"

    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        ondelete="cascade",
        domain=KEY_ACCOUNT_DOMAIN_STR,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Member",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('share', '=', False)]",
    )
    # the account's owner, kept here as on the customer file: the record
    # rule of the owner reads it, instead of a subquery on the partners that
    # PostgreSQL joins with the members' (one rule on partner_id for both)
    # by scanning every partner
    owner_id = fields.Many2one(
        related="partner_id.user_id",
        string="Account Owner",
        store=True,
        index="btree_not_null",
    )
    role = fields.Selection(ROLES, required=True, default="sales")
    followup_activities = fields.Boolean(
        string="Gets Follow-up Activities",
        help="The member gets the account's follow-up and revisit activities, "
        "as its owner does.",
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        help="The key account's company; for an account shared by the "
        "companies, the one its processes (owner, pool) run in.",
    )

    _sql_constraints = [
        (
            "partner_user_uniq",
            "unique (partner_id, user_id)",
            "A user is a member of an account's team once.",
        ),
    ]

    @api.depends("partner_id.company_id")
    def _compute_company_id(self):
        for member in self:
            member.company_id = (
                member.partner_id._ka_process_company() if member.partner_id else False
            )

    @api.constrains("partner_id", "user_id")
    def _check_member(self):
        for member in self:
            user = member.user_id.sudo()
            account = member.partner_id.sudo()
            if not account.ka_type_id or account.commercial_partner_id != account:
                raise ValidationError(
                    self.env._(
                        "%(account)s is not a key account: only key accounts have "
                        "a team.",
                        account=account.display_name,
                    )
                )
            if user == account.user_id:
                raise ValidationError(
                    self.env._(
                        "%(user)s owns %(account)s: the owner is not a member of "
                        "its team.",
                        user=user.name,
                        account=account.display_name,
                    )
                )
            if user.share or member.company_id not in user.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot join the team of %(account)s: a member is "
                        "an internal user of %(company)s.",
                        user=user.name,
                        account=account.display_name,
                        company=member.company_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        members._ka_post_change("added")
        return members

    def write(self, vals):
        if "partner_id" in vals and not self.env.su:
            raise AccessError(
                self.env._(
                    "A team member stays on the team of their account: remove "
                    "them and add them to the other team instead."
                )
            )
        return super().write(vals)

    def unlink(self):
        self._ka_post_change("removed")
        return super().unlink()

    def _ka_post_change(self, change):
        """Log the team's changes on the account's chatter."""
        for member in self:
            body = (
                self.env._(
                    "%(user)s joined the account team (%(role)s).",
                    user=member.user_id.name,
                    role=member._fields["role"].convert_to_export(member.role, member),
                )
                if change == "added"
                else self.env._(
                    "%(user)s left the account team.", user=member.user_id.name
                )
            )
            member.partner_id.sudo().message_post(body=body)
