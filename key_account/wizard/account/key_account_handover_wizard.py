from odoo import fields
from odoo import models


class KeyAccountHandoverWizard(models.TransientModel):
    """The leaving salesperson's places in the key-account teams go with
    the handover: to the new salesperson, or nobody's."""

    _inherit = "key_account.handover.wizard"

    team_mode = fields.Selection(
        [
            ("transfer", "The new salesperson takes their places"),
            ("remove", "Remove them from the teams"),
        ],
        string="Account Teams",
        required=True,
        default="transfer",
        help="The leaving salesperson's memberships of key-account teams (of any "
        "account). Released to the pool, they are removed.",
    )

    def action_confirm(self):
        res = super().action_confirm()
        self._ka_handover_team()
        return res

    def _ka_handover_team(self):
        """Move or remove the leaving salesperson's team memberships (checked
        by the handover: Key Account managers only)."""
        self.ensure_one()
        Member = self.env["key_account.team.member"].sudo()
        places = Member.search([("user_id", "=", self.user_id.id)])
        new_user = self.new_user_id if self.mode == "reassign" else False
        if not new_user or self.team_mode == "remove":
            places.unlink()
            return
        taken = Member.search(
            [("user_id", "=", new_user.id), ("partner_id", "in", places.partner_id.ids)]
        ).partner_id
        # on the accounts they now own, the new salesperson is no member
        skip = places.filtered(
            lambda m: m.partner_id in taken or m.partner_id.user_id == new_user
        )
        skip.unlink()
        for member in places - skip:
            member.write({"user_id": new_user.id})
            member.partner_id.message_post(
                body=self.env._(
                    "%(new)s takes the place of %(old)s in the account team.",
                    new=new_user.name,
                    old=self.user_id.name,
                )
            )
