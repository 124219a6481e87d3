from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class KeyAccountCommissionTier(models.Model):
    """One range of a commission plan: ``amount_from`` included,
    ``amount_to`` excluded; an ``amount_to`` of 0 means no upper bound (the
    last tier is open-ended). A tier pays either a rate (%) or a fixed reward
    (``fixed_amount``, company currency, with a label such as "1 g gold")."""

    _name = "key_account.commission.tier"
    _inherit = ["key_account.number.mixin"]
    _description = "Commission Tier"
    _order = "plan_id, amount_from, id"

    plan_id = fields.Many2one(
        "key_account.commission.plan",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    amount_from = fields.Float(
        string="From",
        digits="Product Price",
        help="Included. An amount in company currency, or a percentage of the "
        "target for plans whose tier basis is the share of the target.",
    )
    amount_to = fields.Float(
        string="Up To",
        digits="Product Price",
        help="Excluded. 0 means no upper bound.",
    )
    rate = fields.Float(string="Rate (%)", digits=(5, 2))
    fixed_amount = fields.Monetary(
        string="Fixed Reward",
        help="A fixed reward for the tier instead of a rate, in company currency.",
    )
    label = fields.Char(
        translate=True, help='What the fixed reward is, e.g. "1 g gold".'
    )

    @api.depends("amount_from", "amount_to", "rate", "label")
    def _compute_display_name(self):
        for tier in self:
            upper = (tier.amount_to and f"{tier.amount_to:,.2f}") or "…"
            pay = tier.label or f"{tier.rate:g}%"
            tier.display_name = f"{tier.amount_from:,.2f} - {upper}: {pay}"

    @api.constrains("amount_from", "amount_to", "rate", "fixed_amount", "plan_id")
    def _check_bounds(self):
        for tier in self:
            if tier.amount_from < 0:
                raise ValidationError(self.env._("A tier cannot start below zero."))
            if tier.amount_to and tier.amount_from >= tier.amount_to:
                raise ValidationError(
                    self.env._(
                        "In %(plan)s a tier starts at %(from)s and ends at "
                        "%(to)s: the start must be below the end.",
                        plan=tier.plan_id.name,
                        **{"from": tier.amount_from, "to": tier.amount_to},
                    )
                )
            if not 0 <= tier.rate <= 100:
                raise ValidationError(
                    self.env._(
                        "A commission rate must be between 0 and 100%%, not %(rate)s.",
                        rate=tier.rate,
                    )
                )
            if tier.fixed_amount < 0:
                raise ValidationError(self.env._("A fixed reward cannot be negative."))
        for plan in self.plan_id:
            previous = None
            for tier in plan.tier_ids.sorted(lambda t: (t.amount_from, t.id)):
                if previous is not None and (
                    not previous.amount_to or tier.amount_from < previous.amount_to
                ):
                    raise ValidationError(
                        self.env._(
                            "The tiers %(first)s and %(second)s of %(plan)s overlap.",
                            first=previous.display_name,
                            second=tier.display_name,
                            plan=plan.name,
                        )
                    )
                previous = tier

    @api.ondelete(at_uninstall=False)
    def _unlink_except_last_tier(self):
        for plan in self.plan_id:
            if not plan.tier_ids - self:
                raise ValidationError(
                    self.env._(
                        "The commission plan %(plan)s needs at least one tier.",
                        plan=plan.name,
                    )
                )
