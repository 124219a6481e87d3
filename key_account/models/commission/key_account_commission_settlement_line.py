from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..common.bulk import insert_rows
from .key_account_commission_settlement import MANUAL_LINE_TYPES

# copied from the settlement, whatever a create says
HEADER_FIELDS = frozenset({"user_id", "company_id", "currency_id"})
# the computation's
COMPUTED_FIELDS = frozenset(
    {
        "order_id",
        "invoice_id",
        "partial_key",
        "payment_move_id",
        "payee_partner_id",
        "reversed_line_id",
        "amount_excluded",
    }
)


class KeyAccountCommissionSettlementLine(models.Model):
    """One explained figure of a settlement: an order and its commission, a
    fixed reward, the expenses deducted, or an adjustment with a reason."""

    _name = "key_account.commission.settlement.line"
    _inherit = ["key_account.number.mixin", "key_account.guard.mixin"]
    _description = "Commission Settlement Line"
    _order = "settlement_id, line_type, date, id"

    settlement_id = fields.Many2one(
        "key_account.commission.settlement",
        required=True,
        ondelete="cascade",
        index=True,
    )
    # copied from the settlement on create (not related fields: computing
    # them record by record is most of the cost of a month's settlements)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(related="settlement_id.state")
    line_type = fields.Selection(
        [
            ("order", "Sale Order"),
            ("referral", "Referral Share"),
            ("reward", "Fixed Reward"),
            ("expense", "Expenses Deducted"),
            ("reversal", "Cancelled Order"),
            ("award", "Award"),
            ("penalty", "Penalty"),
            ("correction", "Correction"),
        ],
        string="Type",
        required=True,
        default="correction",
    )
    penalized_line_id = fields.Many2one(
        "key_account.commission.settlement.line",
        string="Penalised Award or Commission",
        index="btree_not_null",
        domain="[('line_type', 'in', ('award', 'order')), ('user_id', '=', user_id)]",
        help="For a penalty on fraud (buying oneself to reach a tier): the award "
        "or the order's commission the fraud gained; the penalty defaults to "
        "it times the factor in Settings (10).",
    )
    order_id = fields.Many2one("sale.order", index="btree_not_null", readonly=True)
    invoice_id = fields.Many2one(
        "account.move",
        index="btree_not_null",
        readonly=True,
        help="On plans paid on invoiced and paid amounts: the customer invoice "
        "(or credit note) of the order, paid in the period, this line pays on.",
    )
    # the payment share a line pays on: the reconciliation's id (0: none),
    # kept when the reconciliation is removed (then the line is reversed),
    # never reused
    partial_key = fields.Integer(
        string="Reconciliation",
        index=True,
        readonly=True,
        help="On plans paid on invoiced and paid amounts: the reconciliation "
        "of the invoice with the payment (or credit note) this line pays on.",
    )
    payment_move_id = fields.Many2one(
        "account.move",
        string="Paid With",
        readonly=True,
        help="The payment, or the credit note applied, of the invoice this "
        "line pays on (for a credit note: the refund, or the invoice it was "
        "applied to).",
    )
    payee_partner_id = fields.Many2one(
        "res.partner",
        string="Payable To",
        index="btree_not_null",
        help="Set on a referral share: paid to this contact, not to the salesperson.",
    )
    reversed_line_id = fields.Many2one(
        "key_account.commission.settlement.line",
        index="btree_not_null",
        readonly=True,
    )
    date = fields.Date()
    amount_base = fields.Monetary(string="Base Amount")
    amount_excluded = fields.Monetary(
        string="Left Out",
        readonly=True,
        help="The untaxed amount of the products outside the plan's "
        "commissionable categories: not in the base amount, no commission.",
    )
    price_ratio = fields.Float(
        string="Price Ratio (%)",
        digits=(5, 2),
        help="Net price ÷ list price of the order's lines.",
    )
    tier_rate = fields.Float(string="Tier Rate (%)", digits=(5, 4))
    rate = fields.Float(
        string="Applied Rate (%)",
        digits=(5, 4),
        help="The tier rate, lowered in proportion when the price ratio is "
        "below the plan's discount threshold.",
    )
    amount_commission = fields.Monetary(string="Commission")
    reason = fields.Char()
    entered_by_ids = fields.Many2many(
        "res.users",
        "key_account_settlement_line_entered_by_rel",
        "line_id",
        "user_id",
        string="Entered or Changed By",
        readonly=True,
        copy=False,
        help="Who entered or changed this line by hand: another manager "
        "confirms its settlement.",
    )

    def _ka_protected_fields(self):
        # the computation's: orders, invoices, payments, payees. The
        # salesperson, company and currency are always the settlement's
        # (whatever a create says, see create)
        return (super()._ka_protected_fields() - HEADER_FIELDS) | COMPUTED_FIELDS

    def _ka_overridden_fields(self):
        return super()._ka_overridden_fields() | HEADER_FIELDS

    def _ka_check_manual(self, vals_list):
        """A client enters adjustments only (awards, penalties, corrections):
        the order, referral, reward, expense and reversal lines are the
        computation's, and so are the orders, invoices and payees."""
        if self.env.su:
            return
        for vals in vals_list:
            # a form sends the empty computed fields of a new line: only
            # values count
            if any(vals[f] for f in vals.keys() & COMPUTED_FIELDS) or (
                "line_type" in vals and vals["line_type"] not in MANUAL_LINE_TYPES
            ):
                raise AccessError(
                    self.env._(
                        "Settlement lines of orders, referrals, rewards, expenses "
                        "and reversals come from the computation: enter an award, "
                        "a penalty or a correction."
                    )
                )
        if self.filtered(lambda line: line.line_type not in MANUAL_LINE_TYPES):
            raise AccessError(
                self.env._(
                    "The computed lines of a settlement change when it is "
                    "computed again, not by hand."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # judged as it will be stored: the settlement and the type the
        # caller's defaults give
        vals_list = [
            {**self._ka_client_defaults(vals, {"settlement_id"}), **vals}
            for vals in vals_list
        ]
        self._ka_check_manual(
            [
                {
                    "line_type": "correction",
                    **self._ka_client_defaults(vals, {"line_type"}),
                    **vals,
                }
                for vals in vals_list
            ]
        )
        settlements = self.env["key_account.commission.settlement"].browse(
            {vals["settlement_id"] for vals in vals_list if vals.get("settlement_id")}
        )
        header = {
            s.id: {
                "user_id": s.user_id.id,
                "company_id": s.company_id.id,
                "currency_id": s.currency_id.id,
            }
            for s in settlements
        }
        # whose line, of which company: always its settlement's
        vals_list = [
            {**vals, **header.get(vals.get("settlement_id"), {})} for vals in vals_list
        ]
        for vals in vals_list:
            if vals.get("penalized_line_id") and "amount_commission" not in vals:
                vals["amount_commission"] = self.browse(
                    vals["penalized_line_id"]
                )._ka_default_penalty()
        settlements._ka_check_not_own_edit()
        lines = super().create(vals_list)
        if not self.env.su:
            lines.sudo().write({"entered_by_ids": [Command.link(self.env.uid)]})
        lines.settlement_id._check_draft()
        return lines

    @api.model
    def _ka_create_computed(self, vals_list):
        """The computation's lines ``vals_list``, for the draft settlements it
        checked (as superuser): one INSERT, stored as :meth:`create` stores
        them (the settlement's salesperson, company and currency; the
        model's defaults; amounts rounded to the currency, rates to their
        digits), without its work record by record; the settlements' totals
        are then recomputed once, as after a create.

        :return: the lines
        """
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Settlement lines of orders, referrals, rewards, expenses "
                    "and reversals come from the computation: enter an award, "
                    "a penalty or a correction."
                )
            )
        if not vals_list:
            return self.browse()
        settlements = self.env["key_account.commission.settlement"].browse(
            {vals["settlement_id"] for vals in vals_list}
        )
        settlements._check_draft()
        header = {
            s.id: {
                "user_id": s.user_id.id,
                "company_id": s.company_id.id,
                "currency_id": s.currency_id.id,
            }
            for s in settlements
        }
        vals_list = [{**vals, **header[vals["settlement_id"]]} for vals in vals_list]
        settlements.invalidate_recordset(["line_ids"])
        return insert_rows(self, vals_list, lambda vals: vals["currency_id"])

    def _ka_default_penalty(self):
        """The penalty for fraud on this award or order's commission: minus
        it times the company's factor (the source documents: 10 times)."""
        self.ensure_one()
        return -self.amount_commission * self.company_id.ka_penalty_factor

    @api.onchange("penalized_line_id")
    def _onchange_penalized_line_id(self):
        if self.penalized_line_id:
            self.line_type = "penalty"
            self.amount_commission = self.penalized_line_id._ka_default_penalty()

    def write(self, vals):
        self._ka_check_manual([vals])
        self.settlement_id._check_draft()
        self.settlement_id._ka_check_not_own_edit()
        if vals.keys() & {"settlement_id", "user_id", "company_id", "currency_id"}:
            raise UserError(self.env._("A settlement line cannot change settlement."))
        res = super().write(vals)
        if not self.env.su:
            self.sudo().write({"entered_by_ids": [Command.link(self.env.uid)]})
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_settled(self):
        self.settlement_id._check_draft()
        self.settlement_id._ka_check_not_own_edit()
        # the computation's lines go when it computes again, never by hand (a
        # deleted order would leave no line for another manager to see)
        if not self.env.su and self.filtered(
            lambda line: line.line_type not in MANUAL_LINE_TYPES
        ):
            raise AccessError(
                self.env._(
                    "The computed lines of a settlement change when it is "
                    "computed again, not by hand."
                )
            )

    @api.constrains("line_type", "penalized_line_id")
    def _check_penalized_line(self):
        """A penalty for fraud is linked to an award or an order's commission
        of the same salesperson, the one the fraud gained."""
        for line in self:
            penalized = line.penalized_line_id
            if not penalized:
                continue
            if (
                line.line_type != "penalty"
                or penalized.line_type not in ("award", "order")
                or penalized.user_id != line.user_id
            ):
                raise ValidationError(
                    self.env._(
                        "A penalty for fraud is linked to an award or an order's "
                        "commission of %(user)s, the one the fraud gained.",
                        user=line.user_id.name,
                    )
                )

    @api.constrains("line_type", "reason")
    def _check_reason(self):
        for line in self:
            if line.line_type in ("award", "penalty", "correction") and not line.reason:
                raise ValidationError(self.env._("An adjustment line needs a reason."))
