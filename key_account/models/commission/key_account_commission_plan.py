from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError


class KeyAccountCommissionPlan(models.Model):
    """How a salesperson is paid: which amount picks the tier, which amount
    is paid on, and the tier table (key_account.commission.tier)."""

    _name = "key_account.commission.plan"
    _inherit = ["key_account.number.mixin"]
    _description = "Commission Plan"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="The currency of the amounts of the tiers: the company's.",
    )
    salesperson_kind = fields.Selection(
        [
            ("full_time", "Full-time"),
            ("part_time", "Part-time"),
            ("referral", "Referral"),
        ],
        required=True,
        default="full_time",
    )
    tier_basis = fields.Selection(
        [
            ("period", "The Period's Sales"),
            ("order", "A Single Order's Amount"),
            ("max", "The Higher of the Two"),
            ("target_share", "Share of the Target Reached"),
        ],
        required=True,
        default="period",
        help="The amount that picks the tier. With 'Share of the Target "
        "Reached' the tier bounds are percentages of the period's target.",
    )
    amount_basis = fields.Selection(
        [
            ("confirmed", "Confirmed Orders (Untaxed)"),
            ("paid", "Invoiced and Paid Amounts"),
        ],
        required=True,
        default="confirmed",
        help="Confirmed orders: an order counts in the period of its order date, "
        "for its untaxed amount. Invoiced and paid: an order counts in the "
        "period in which its customer invoices were fully paid, for their "
        "untaxed amount (credit notes paid in the period are deducted).",
    )
    deduct_expenses = fields.Boolean(
        default=lambda self: self._default_deduct_expenses(),
        help="The period's reimbursed expenses are deducted from the sales "
        "before the rate is applied.",
    )
    discount_threshold = fields.Float(
        string="Discount Threshold (%)",
        default=90.0,
        help="Rates assume a price of at least this share of the list price; "
        "below it the rate is multiplied by price ratio ÷ threshold.",
    )
    cadence = fields.Selection(
        [("monthly", "Monthly"), ("bimonthly", "Every Two Months")],
        string="Settlement Cadence",
        required=True,
        default="bimonthly",
    )
    category_ids = fields.Many2many(
        "product.category",
        "key_account_commission_plan_product_category_rel",
        "plan_id",
        "category_id",
        string="Commissionable Categories",
        help="Commission is paid on the products of these categories and of "
        "their subcategories only; the other products of an order are left "
        "out of the base and of the tier, and shown as left out. Empty: every "
        "product.",
    )
    tier_ids = fields.One2many(
        "key_account.commission.tier", "plan_id", string="Tiers", copy=True
    )
    user_ids = fields.One2many(
        "res.users",
        "ka_commission_plan_id",
        string="Salespeople",
        groups="key_account.group_key_account_manager",
    )

    def _default_deduct_expenses(self):
        kind = self.env.context.get("default_salesperson_kind", "full_time")
        return kind == "full_time"

    @api.depends("company_id")
    def _compute_currency_id(self):
        for plan in self:
            plan.currency_id = (plan.company_id or self.env.company).currency_id

    @api.constrains("discount_threshold")
    def _check_discount_threshold(self):
        for plan in self:
            if not 0 < plan.discount_threshold <= 100:
                raise ValidationError(
                    self.env._(
                        "The discount threshold of %(plan)s must be above 0 and "
                        "at most 100%%.",
                        plan=plan.name,
                    )
                )

    def _load_records_write(self, values):
        # the data's tiers are created with the plan, once: loading the data
        # again (-i where the module is installed) keeps its tiers
        if self.tier_ids:
            values = {
                fname: value for fname, value in values.items() if fname != "tier_ids"
            }
        return super()._load_records_write(values)

    @api.constrains("tier_ids", "tier_basis")
    def _check_tiers(self):
        for plan in self:
            if not plan.tier_ids:
                raise ValidationError(
                    self.env._(
                        "The commission plan %(plan)s needs at least one tier.",
                        plan=plan.name,
                    )
                )
            plan.tier_ids._check_bounds()

    def _find_tier(self, amount):
        """The tier of this plan whose [from, to) range holds ``amount``;
        an empty recordset below the first tier."""
        return self._ka_tier_finder()(amount)

    def _ka_tier_finder(self):
        """:meth:`_find_tier` as a function of the amount, the tiers read
        once: for the many orders of a settlement."""
        self.ensure_one()
        ranges = [
            (tier.amount_from, tier.amount_to, tier)
            for tier in self.tier_ids.sorted("amount_from")
        ]
        empty = self.env["key_account.commission.tier"]

        def find(amount):
            for amount_from, amount_to, tier in ranges:
                if amount_from <= amount and (not amount_to or amount < amount_to):
                    return tier
            return empty

        return find

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=plan.name))
            for plan, vals in zip(self, vals_list, strict=True)
        ]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.sudo().filtered("user_ids")
        if used:
            raise UserError(
                self.env._(
                    "The commission plan %(plan)s is assigned to salespeople: "
                    "archive it instead.",
                    plan=used[0].name,
                )
            )
