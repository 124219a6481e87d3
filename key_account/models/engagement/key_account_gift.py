from datetime import date

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..common.groups import KA_GIFT_KEEPER
from ..common.lang import env_for
from ..profile.accounts import ACCOUNT_PEOPLE_DOMAIN_STR


class KeyAccountGift(models.Model):
    _name = "key_account.gift"
    _inherit = ["key_account.approval.mixin"]
    _description = "Key Account Gift Request"
    _order = "date desc, id desc"
    _check_company_auto = True
    _ka_document_type = "gift"

    # a person key account is their own recipient: filled in for them
    recipient_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        domain=ACCOUNT_PEOPLE_DOMAIN_STR,
        compute="_compute_recipient_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    date = fields.Date(
        string="Request Date", required=True, default=fields.Date.context_today
    )
    occasion = fields.Char(required=True)
    line_ids = fields.One2many("key_account.gift.line", "gift_id", string="Gifts")
    amount_planned = fields.Monetary(
        string="Total Value", compute="_compute_amount_planned", store=True
    )
    delivered_by_id = fields.Many2one(
        "res.users", string="Handed Out By", readonly=True, copy=False
    )
    delivered_date = fields.Date(string="Handed Out On", readonly=True, copy=False)
    summary = fields.Text(string="Notes", copy=False)

    @api.depends("partner_id")
    def _compute_recipient_id(self):
        for gift in self:
            if gift.recipient_id.commercial_partner_id == gift.partner_id:
                continue
            person = gift.partner_id if not gift.partner_id.is_company else False
            gift.recipient_id = person

    @api.depends("line_ids.subtotal")
    def _compute_amount_planned(self):
        for gift in self:
            gift.amount_planned = sum(gift.line_ids.mapped("subtotal"))

    @api.constrains("recipient_id", "partner_id")
    def _check_recipient(self):
        for gift in self:
            if gift.recipient_id.commercial_partner_id != gift.partner_id:
                raise ValidationError(
                    self.env._(
                        "The recipient of gift %(name)s must be a contact of "
                        "%(partner)s.",
                        name=gift.name,
                        partner=gift.partner_id.display_name,
                    )
                )

    def _ka_locked_fields(self):
        return super()._ka_locked_fields() | {"recipient_id", "date"}

    def _ka_check_submit(self):
        if not self.line_ids:
            raise UserError(
                self.env._("Gift request %(name)s has no gift.", name=self.name)
            )

    # ---- caps ------------------------------------------------------------------------
    def _ka_year_total(self):
        """Value of the other gifts requested for this customer this year."""
        self.ensure_one()
        start = date(self.date.year, 1, 1)
        end = date(self.date.year, 12, 31)
        [[total]] = self.sudo()._read_group(
            [
                ("partner_id", "=", self.partner_id.id),
                ("id", "!=", self.id),
                ("state", "not in", ("draft", "refused", "cancelled")),
                ("date", ">=", start),
                ("date", "<=", end),
            ],
            [],
            ["amount_planned:sum"],
        )
        return total or 0.0

    def _ka_caps(self):
        # the customer's grade in the company giving the gift
        grade = self.partner_id.sudo().with_company(self.company_id).ka_grade_id
        return grade.gift_max_value, grade.gift_max_year

    def _ka_over_cap(self):
        per_gift, per_year = self._ka_caps()
        cmp = self.currency_id.compare_amounts
        return bool(
            (per_gift and cmp(self.amount_planned, per_gift) > 0)
            or (
                per_year
                and cmp(self._ka_year_total() + self.amount_planned, per_year) > 0
            )
        )

    def _ka_over_cap_reason(self):
        per_gift, per_year = self._ka_caps()
        amount = self.currency_id.format(self.amount_planned)
        gift = self.currency_id.format(per_gift)
        year = self.currency_id.format(per_year)
        if per_gift and per_year:
            return self.env._(
                "%(amount)s for caps of %(gift)s per gift and %(year)s per year",
                amount=amount,
                gift=gift,
                year=year,
            )
        if per_gift:
            return self.env._(
                "%(amount)s for a cap of %(gift)s per gift and no cap per year",
                amount=amount,
                gift=gift,
            )
        if per_year:
            return self.env._(
                "%(amount)s for no cap per gift and a cap of %(year)s per year",
                amount=amount,
                year=year,
            )
        return self.env._("%(amount)s with no cap", amount=amount)

    def _ka_after_approved(self):
        """Tell the gift keepers that a gift is ready to be handed out."""
        keepers = (
            self.env.ref(KA_GIFT_KEEPER)
            .sudo()
            .users.filtered(lambda u: u.active and self.company_id in u.company_ids)
        )
        for keeper in keepers:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=keeper.id,
                summary=env_for(self.env, keeper)._(
                    "Hand out gift %(name)s", name=self.name
                ),
            )

    # ---- handing out ----------------------------------------------------------
    def _ka_check_done_rights(self):
        if not self.env.user.has_group(KA_GIFT_KEEPER):
            raise AccessError(self.env._("Only a gift keeper hands out gifts."))

    def action_done(self):
        res = super().action_done()
        self.sudo().activity_feedback(["mail.mail_activity_data_todo"])
        return res

    def _ka_after_done(self):
        # handed out now: the date is needed to register the follow-up
        self.sudo().write(
            {
                "delivered_by_id": self.env.uid,
                "delivered_date": fields.Date.context_today(self),
            }
        )
        for gift in self:
            gift.partner_id._ka_register_followup("contact", gift.delivered_date)


class KeyAccountGiftLine(models.Model):
    _name = "key_account.gift.line"
    _inherit = ["key_account.number.mixin"]
    _description = "Key Account Gift Line"
    _order = "gift_id, id"

    gift_id = fields.Many2one(
        "key_account.gift",
        string="Gift Request",
        required=True,
        index=True,
        ondelete="cascade",
    )
    currency_id = fields.Many2one(related="gift_id.currency_id")
    product_id = fields.Many2one("product.product", string="Gift", required=True)
    name = fields.Char(string="Description")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    unit_value = fields.Monetary()
    subtotal = fields.Monetary(compute="_compute_subtotal", store=True)

    @api.depends("quantity", "unit_value")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.unit_value

    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.product_id and not self.unit_value:
            self.unit_value = (
                self.product_id.standard_price or self.product_id.lst_price
            )

    @api.constrains("quantity", "unit_value")
    def _check_values(self):
        for line in self:
            if (
                line.quantity <= 0
                or line.currency_id.compare_amounts(line.unit_value, 0) <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "Gift %(product)s: the quantity and the unit value must be "
                        "positive.",
                        product=line.product_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.gift_id._ka_check_editable(self.env._("gifts"))
        return lines

    def write(self, vals):
        self.gift_id._ka_check_editable(self.env._("gifts"))
        if "gift_id" in vals and not self.env.su:
            raise AccessError(
                self.env._("A gift line stays on its request: delete it instead.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        self.gift_id._ka_check_editable(self.env._("gifts"))
