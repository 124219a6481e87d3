from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo import models
from odoo.exceptions import AccessError

from ..common.groups import KA_USER
from .key_account_review import quarter_start


class ResPartner(models.Model):
    """The quarterly reviews of a key account: made on demand here, shown
    as its trend."""

    _inherit = "res.partner"

    ka_review_ids = fields.One2many(
        "key_account.review", "partner_id", string="Quarterly Reviews", groups=KA_USER
    )
    # counted with the plans (res_partner.py: one statement for the buttons)
    ka_review_count = fields.Integer(
        compute="_compute_ka_account_figures", string="Reviews", groups=KA_USER
    )

    def action_ka_reviews(self):
        """Smart button: the account's reviews, its trend quarter by quarter."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_review_action_trend"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["display_name"] = self.env._(
            "Trend of %(account)s", account=self.display_name
        )
        return action

    def action_ka_quarterly_review(self):
        """Button: the review of the last quarter ended, made now when
        missing (the account's owner, or a manager)."""
        self.ensure_one()
        account = self.sudo()
        if not account.ka_type_id or not account.user_id:
            raise AccessError(
                self.env._(
                    "%(account)s is no owned key account: it has no quarterly review.",
                    account=self.display_name,
                )
            )
        if not self._ka_is_manager() and account.user_id != self.env.user:
            raise AccessError(
                self.env._(
                    "%(account)s is not your key account: its owner or a Key "
                    "Account manager reviews it.",
                    account=self.display_name,
                )
            )
        start = quarter_start(fields.Date.context_today(self)) - relativedelta(months=3)
        review = self.env["key_account.review"]._ka_make_reviews(self, start)
        return {
            "type": "ir.actions.act_window",
            "res_model": "key_account.review",
            "res_id": review[:1].id,
            "view_mode": "form",
            "target": "current",
        }
