from collections import defaultdict

from odoo import Command
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError


class KeyAccountCommissionSettlement(models.Model):
    """Settlements in Accounting: confirming one books it (when its company
    set a journal and the commission accounts), its entries' payment marks it
    paid, cancelling it reverses them."""

    _inherit = "key_account.commission.settlement"

    ka_move_ids = fields.One2many(
        "account.move",
        "ka_settlement_id",
        string="Journal Entries",
        groups="account.group_account_invoice",
    )
    ka_move_count = fields.Integer(string="Entries", compute="_compute_ka_move_count")
    ka_booked = fields.Boolean(
        string="Booked",
        compute="_compute_ka_move_count",
        help="Booked in Accounting: paid when its entries and bills are paid.",
    )

    def _compute_ka_move_count(self):
        groups = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("ka_settlement_id", "in", self.ids)],
                ["ka_settlement_id", "state"],
                ["__count"],
            )
        )
        counts = defaultdict(int)
        live = set()
        for settlement, state, count in groups:
            counts[settlement.id] += count
            if state != "cancel":
                live.add(settlement.id)
        for settlement in self:
            settlement.ka_move_count = counts[settlement.id]
            # booked while an entry is not cancelled in Accounting
            settlement.ka_booked = settlement.id in live

    def action_view_ka_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal Entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("ka_settlement_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # workflow
    # ------------------------------------------------------------------

    def action_confirm(self):
        res = super().action_confirm()
        # checked by the confirmation (a manager, not on their own
        # settlement): booked as superuser, the confirmer need not be an
        # accountant
        self.sudo()._ka_book()
        return res

    def action_pay(self):
        booked = self.filtered("ka_booked")
        if booked:
            raise UserError(
                self.env._(
                    "%(name)s is booked in Accounting: it is paid when its "
                    "entries are paid there (register the payment on them).",
                    name=booked[0].name,
                )
            )
        return super().action_pay()

    def action_cancel(self, reason):
        touched = (
            self.sudo()
            ._ka_original_moves()
            .filtered(lambda move: move._ka_is_touched())
        )
        if touched:
            raise UserError(
                self.env._(
                    "%(move)s of %(name)s is already (partly) paid in Accounting: "
                    "undo its payment first, or correct the settlement with a "
                    "line in a later one.",
                    move=touched[0].display_name,
                    name=touched[0].ka_settlement_id.name,
                )
            )
        res = super().action_cancel(reason)
        self.sudo()._ka_reverse_moves()
        return res

    # ------------------------------------------------------------------
    # booking
    # ------------------------------------------------------------------

    def _ka_original_moves(self):
        """The posted entries and bills booking these settlements (not their
        reversals)."""
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("ka_settlement_id", "in", self.ids),
                    ("reversed_entry_id", "=", False),
                    ("state", "=", "posted"),
                ]
            )
        )

    def _ka_book(self):
        """Book the confirmed settlements of the companies that book
        commissions: one journal entry of the salespeople's commissions
        (their referral shares to colleagues included), one vendor bill (or
        refund) per outside referral contact. As superuser: the caller
        checked who confirms."""
        moves = self.env["account.move"]
        for settlement in self:
            company = settlement.company_id
            if not company._ka_commission_accounting():
                continue
            settlement = settlement.with_company(company)
            moves |= settlement._ka_book_entry()
            moves |= settlement._ka_book_bills()
        moves.action_post()
        return moves

    def _ka_line_label(self, line_type):
        labels = dict(
            self.env["key_account.commission.settlement.line"]
            ._fields["line_type"]
            ._description_selection(self.env)
        )
        return f"{self.name}: {labels[line_type]}"

    def _ka_outside_payee(self, partner):
        """A referral contact who is nobody's internal user is paid by a
        vendor bill; a colleague through the commission entry."""
        return bool(partner) and not partner.user_ids.filtered(
            lambda user: not user.share
        )

    def _ka_book_entry(self):
        """The journal entry: per line type, the commission expense (debit;
        a credit for deductions and cancelled orders), against the payable of
        each salesperson or colleague it is owed to."""
        self.ensure_one()
        company = self.company_id
        currency = self.currency_id
        expense = defaultdict(float)
        payable = defaultdict(float)
        for line in self.line_ids:
            payee = line.payee_partner_id
            if self._ka_outside_payee(payee):
                continue
            expense[line.line_type] += line.amount_commission
            payable[(payee or self.user_id.partner_id).id] += line.amount_commission
        line_vals = []
        for line_type, amount in sorted(expense.items()):
            if currency.is_zero(amount):
                continue
            line_vals.append(
                Command.create(
                    {
                        "name": self._ka_line_label(line_type),
                        "account_id": company.ka_commission_expense_account_id.id,
                        "partner_id": self.user_id.partner_id.id,
                        "balance": currency.round(amount),
                    }
                )
            )
        for partner_id, amount in sorted(payable.items()):
            if currency.is_zero(amount):
                continue
            line_vals.append(
                Command.create(
                    {
                        "name": self.env._("Commission %(name)s", name=self.name),
                        "account_id": company.ka_commission_payable_account_id.id,
                        "partner_id": partner_id,
                        "balance": -currency.round(amount),
                    }
                )
            )
        if not line_vals:
            return self.env["account.move"]
        return self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": company.ka_commission_journal_id.id,
                "company_id": company.id,
                "date": fields.Date.context_today(self),
                "ref": self.env._("Commission %(name)s", name=self.name),
                "ka_settlement_id": self.id,
                "line_ids": line_vals,
            }
        )

    def _ka_purchase_journal(self):
        journal = self.company_id.ka_commission_journal_id
        if journal.type == "purchase":
            return journal
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company_id),
                ("type", "=", "purchase"),
            ],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no purchase journal for the vendor bills of "
                    "referral shares: choose a purchase journal as the commission "
                    "journal in Settings.",
                    company=self.company_id.name,
                )
            )
        return journal

    def _ka_book_bills(self):
        """A vendor bill per outside referral contact: their shares, and the
        cancelled orders' shares deducted (a refund when these weigh more)."""
        self.ensure_one()
        currency = self.currency_id
        by_payee = defaultdict(lambda: defaultdict(float))
        for line in self.line_ids:
            if self._ka_outside_payee(line.payee_partner_id):
                by_payee[line.payee_partner_id][line.line_type] += (
                    line.amount_commission
                )
        vals_list = []
        for payee, amounts in by_payee.items():
            total = currency.round(sum(amounts.values()))
            if currency.is_zero(total):
                continue
            sign = 1 if total > 0 else -1
            vals_list.append(
                {
                    "move_type": "in_invoice" if sign > 0 else "in_refund",
                    "journal_id": self._ka_purchase_journal().id,
                    "company_id": self.company_id.id,
                    "partner_id": payee.id,
                    "currency_id": currency.id,
                    "invoice_date": fields.Date.context_today(self),
                    "ref": self.env._("Referral shares %(name)s", name=self.name),
                    "ka_settlement_id": self.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self._ka_line_label(line_type),
                                "account_id": (
                                    self.company_id.ka_commission_expense_account_id.id
                                ),
                                "quantity": 1,
                                "price_unit": sign * currency.round(amount),
                                "tax_ids": [Command.clear()],
                            }
                        )
                        for line_type, amount in sorted(amounts.items())
                        if not currency.is_zero(amount)
                    ],
                }
            )
        return self.env["account.move"].create(vals_list)

    def _ka_reverse_moves(self):
        """Cancelled settlements: their posted entries and bills reversed
        (credit notes for the bills), matched with them."""
        moves = self._ka_original_moves().filtered(
            lambda move: not move.reversal_move_ids
        )
        if not moves:
            return moves
        today = fields.Date.context_today(self)
        reversals = moves._reverse_moves(
            [
                {
                    "date": today,
                    "invoice_date": today if move.is_invoice() else False,
                    "ref": self.env._(
                        "Reversal of %(move)s: settlement cancelled",
                        move=move.name,
                    ),
                    "ka_settlement_id": move.ka_settlement_id.id,
                }
                for move in moves
            ],
            cancel=True,
        )
        return reversals

    # ------------------------------------------------------------------
    # payment
    # ------------------------------------------------------------------

    def _ka_follow_payment(self, payer_env):
        """A confirmed settlement whose entries and bills are all paid is
        paid; a paid one whose payment is undone is confirmed again. Called
        by Accounting's matching, in ``payer_env``: whoever registers the
        payment, who may not pay their own commission."""
        settlements = self.sudo().filtered(lambda s: s.state in ("confirmed", "paid"))
        if not settlements:
            return
        moves = settlements._ka_original_moves()
        by_settlement = defaultdict(lambda: self.env["account.move"])
        for move in moves:
            by_settlement[move.ka_settlement_id] |= move
        for settlement in settlements:
            own = by_settlement.get(settlement)
            if not own:
                continue
            if not payer_env.su and settlement.user_id == payer_env.user:
                raise AccessError(
                    payer_env._(
                        "%(name)s is your own commission: another person "
                        "registers its payment.",
                        name=settlement.name,
                    )
                )
            if not payer_env.su:
                # nor the commission they entered or changed by hand
                settlement.with_env(payer_env)._ka_check_manual_lines_by_another()
            paid = all(move._ka_is_paid() for move in own)
            if paid and settlement.state == "confirmed":
                settlement._ka_workflow_write({"state": "paid"})
            elif not paid and settlement.state == "paid":
                settlement._ka_workflow_write({"state": "confirmed"})
