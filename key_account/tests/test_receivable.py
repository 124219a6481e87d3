from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .common import KeyAccountCase

FIGURES = (
    "ka_receivable_open",
    "ka_receivable_overdue",
    "ka_overdue_days",
    "ka_collected_12m",
    "ka_days_to_pay",
)


class ReceivableCase(KeyAccountCase):
    """A key account of ``ka_user`` with customer invoices and payments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = cls._today()
        cls.account = cls._account("Paying Co", user_id=cls.ka_user.id)
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Ann Buyer", "parent_id": cls.account.id}
        )

    @classmethod
    def _invoice(cls, partner, amount, days_ago, due_in, company=None, refund=False):
        """A posted customer invoice (or credit note) of ``amount``, no tax,
        dated ``days_ago`` days before today and due ``due_in`` days after
        its date."""
        day = cls.today - timedelta(days=days_ago)
        move = (
            cls.env["account.move"]
            .with_company(company or cls.company)
            .create(
                {
                    "move_type": "out_refund" if refund else "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "invoice_date_due": day + timedelta(days=due_in),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Service",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, move, amount, days_ago):
        """Register a payment of ``amount`` of ``move``, ``days_ago`` days
        before today (a refund paid out for a credit note)."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "payment_date": cls.today - timedelta(days=days_ago),
                    "amount": amount,
                }
            )
            ._create_payments()
        )

    @staticmethod
    def _terms(moves):
        return moves.line_ids.filtered(lambda line: line.display_type == "payment_term")

    def _figures(self, partner, user=None, company=None):
        partner = partner.with_user(user or self.ka_user)
        if company:
            partner = partner.with_company(company)
        partner.invalidate_recordset(list(FIGURES))
        return tuple(partner[fname] for fname in FIGURES)


@tagged("post_install", "-at_install")
class TestReceivables(ReceivableCase):
    def test_figures_follow_the_accounting(self):
        """Open, overdue, oldest overdue days, collected and days to pay come
        from the posted invoices and their reconciliations, as they change."""
        self.assertEqual(self._figures(self.account), (0, 0, 0, 0, 0))
        # 1,000 invoiced 40 days ago, due 10 days ago; 500 due in 20 days,
        # invoiced to a contact of the company
        late = self._invoice(self.account, 1_000, days_ago=40, due_in=30)
        self._invoice(self.buyer, 500, days_ago=10, due_in=30)
        # a draft counts nothing
        draft = late.copy({"invoice_date": self.today})
        self.assertEqual(self._figures(self.account), (1_500, 1_000, 10, 0, 0))
        # 400 paid 5 days ago, 35 days after the invoice
        payment = self._pay(late, 400, days_ago=5)
        self.assertEqual(self._figures(self.account), (1_100, 600, 10, 400, 35))
        # a credit note of 100 applied to the invoice collects nothing
        refund = self._invoice(self.account, 100, days_ago=2, due_in=0, refund=True)
        self.assertEqual(self._figures(self.account)[0], 1_000)
        self._terms(late | refund).reconcile()
        self.assertEqual(self._figures(self.account), (1_000, 500, 10, 400, 35))
        # the payment undone: the invoice is overdue again, the payment is
        # still money of the customer's (not collected against an invoice)
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(self._figures(self.account), (1_000, 900, 10, 0, 0))
        # the invoice cancelled: 500 due later, less the payment and the
        # credit note, both unapplied
        late.button_draft()
        late.button_cancel()
        self.assertEqual(self._figures(self.account), (0, 0, 0, 0, 0))
        draft.unlink()
        # a partner who is no key account keeps no figures, until it is one
        other = self.env["res.partner"].create({"name": "Plain Co", "is_company": True})
        self._invoice(other, 300, days_ago=40, due_in=0)
        self.assertEqual(self._figures(other, user=self.ka_manager), (0, 0, 0, 0, 0))
        other.ka_type_id = self.type_strategic
        self.assertEqual(
            self._figures(other, user=self.ka_manager), (300, 300, 40, 0, 0)
        )
        other.ka_type_id = False
        self.assertEqual(self._figures(other, user=self.ka_manager), (0, 0, 0, 0, 0))

    def test_days_and_overdue_move_with_the_calendar(self):
        """The daily pass moves the overdue days and what falls due."""
        self._invoice(self.account, 800, days_ago=5, due_in=10)
        self.assertEqual(self._figures(self.account)[:3], (800, 0, 0))
        with freeze_time(self.today + timedelta(days=12)):
            self.env["res.partner"]._ka_cron_refresh_receivables()
            self.assertEqual(self._figures(self.account)[:3], (800, 800, 7))

    def test_collected_in_twelve_months(self):
        """Payments older than 12 months are no longer in the collected
        amount; the days to pay are averaged over the amounts."""
        old = self._invoice(self.account, 1_000, days_ago=500, due_in=30)
        self._pay(old, 1_000, days_ago=450)
        recent = self._invoice(self.account, 900, days_ago=60, due_in=30)
        self._pay(recent, 300, days_ago=50)  # 10 days
        self._pay(recent, 600, days_ago=20)  # 40 days
        self.assertEqual(self._figures(self.account), (0, 0, 0, 900, 30))

    def test_companies_never_mix(self):
        """Each company's figures are its own; a user reads those of the
        company they work in and never another's."""
        other = self.env["res.company"].create({"name": "Receivable Second Co"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=other, install_demo=False
        )
        both = new_test_user(
            self.env,
            login="ka_both",
            name="Bo Both",
            groups="key_account.group_key_account_manager",
            company_ids=[Command.set((self.company | other).ids)],
        )
        self._invoice(self.account, 1_000, days_ago=40, due_in=30)
        there = self._invoice(self.account, 700, days_ago=20, due_in=30, company=other)
        self._pay(there, 200, days_ago=10)
        self.assertEqual(self._figures(self.account), (1_000, 1_000, 10, 0, 0))
        self.assertEqual(
            self._figures(self.account, user=both, company=other),
            (500, 0, 0, 200, 10),
        )
        self.assertEqual(
            self._figures(self.account, user=both, company=self.company),
            (1_000, 1_000, 10, 0, 0),
        )
        # the filter reads the company the user works in
        Partner = self.env["res.partner"].with_user(both)
        overdue = [("ka_receivable_overdue", ">", 0)]
        self.assertIn(self.account, Partner.with_company(self.company).search(overdue))
        self.assertNotIn(self.account, Partner.with_company(other).search(overdue))
        # nobody reads a company they do not work in
        with self.assertRaises(AccessError):
            self.account.with_user(self.ka_user).with_company(other).read(
                ["ka_receivable_open"]
            )

    def test_overdue_filter(self):
        """The "Overdue Receivables" filter of the key accounts."""
        late = self._account("Late Co", user_id=self.ka_user2.id)
        self._invoice(late, 100, days_ago=40, due_in=30)
        self._invoice(self.account, 100, days_ago=10, due_in=30)
        view = self.env.ref("key_account.res_partner_view_search_key_account")
        arch = (
            self.env["res.partner"]
            .with_user(self.ka_user)
            .get_view(view.id, "search")["arch"]
        )
        self.assertIn('name="overdue_receivables"', arch)
        for user in (self.ka_user, self.ka_user2, self.ka_manager):
            found = (
                self.env["res.partner"]
                .with_user(user)
                .search(
                    [("ka_type_id", "!=", False), ("ka_receivable_overdue", ">", 0)]
                )
            )
            self.assertIn(late, found)
            self.assertNotIn(self.account, found)

    def test_not_writable_by_clients(self):
        """Nobody writes the receivables, whatever their context: the
        accounting does."""
        self._invoice(self.account, 1_000, days_ago=40, due_in=30)
        before = self._figures(self.account)
        for user in (self.ka_user, self.ka_manager):
            for fname in FIGURES:
                with self.subTest(user=user.login, field=fname):
                    partner = self.account.with_user(user).with_context(
                        **HOSTILE_CONTEXT
                    )
                    with self.assertRaises(AccessError):
                        partner.write({fname: 0})
                    with self.assertRaises(AccessError):
                        partner.create(
                            {
                                "name": "Forged Co",
                                "is_company": True,
                                "ka_type_id": self.type_strategic.id,
                                fname: 5,
                            }
                        )
        self.assertEqual(self._figures(self.account), before)

    def test_outsider_reads_nothing(self):
        """Users outside Key Accounts do not read the receivables."""
        self._invoice(self.account, 1_000, days_ago=40, due_in=30)
        with self.assertRaises(AccessError):
            self.account.with_user(self.outsider).read(["ka_receivable_open"])


@tagged("post_install", "-at_install")
class TestCollectionReport(ReceivableCase):
    """Collections by salesperson and month: salespeople see their own
    accounts', managers all, each their companies'."""

    def test_who_sees_what(self):
        Report = self.env["key_account.collection.report"]
        colleague_account = self._account("Colleague Co", user_id=self.ka_user2.id)
        mine = self._invoice(self.account, 1_000, days_ago=40, due_in=30)
        self._pay(mine, 300, days_ago=35)
        self._pay(mine, 700, days_ago=5)
        theirs = self._invoice(colleague_account, 500, days_ago=40, due_in=30)
        self._pay(theirs, 500, days_ago=5)
        # a credit note applied is no collection; a refund paid out is negative
        refund = self._invoice(self.account, 50, days_ago=3, due_in=0, refund=True)
        self._pay(refund, 50, days_ago=1)
        # no key account, no row
        plain = self.env["res.partner"].create({"name": "Plain Co"})
        self._pay(self._invoice(plain, 10, days_ago=3, due_in=0), 10, days_ago=1)
        rows = Report.search([("partner_id", "in", (self.account | plain).ids)])
        self.assertEqual(
            sorted(rows.mapped("amount")), [-50, 300, 700], rows.mapped("amount")
        )
        self.assertEqual(rows.user_id, self.ka_user)
        self.assertEqual(
            sorted(rows.mapped("days_to_pay")), [0, 5, 35], rows.mapped("days_to_pay")
        )
        # by salesperson and month, as the pivot reads it
        ours = [("partner_id", "in", (self.account | colleague_account).ids)]
        groups = Report.with_user(self.ka_manager)._read_group(
            ours, ["user_id"], ["amount:sum"]
        )
        totals = dict(groups)
        self.assertEqual(totals[self.ka_user], 950)
        self.assertEqual(totals[self.ka_user2], 500)
        # salespeople: their own accounts only, whatever their context
        for user, account in (
            (self.ka_user, self.account),
            (self.ka_user2, colleague_account),
        ):
            seen = Report.with_user(user).with_context(**HOSTILE_CONTEXT).search([])
            self.assertEqual(seen.partner_id, account)
        self.assertEqual(
            Report.with_user(self.ka_manager).search(ours).partner_id,
            self.account | colleague_account,
        )
        with self.assertRaises(AccessError):
            Report.with_user(self.outsider).search([])
        # read-only for everybody
        row = Report.with_user(self.ka_manager).search(ours, limit=1)
        with self.assertRaises(AccessError):
            row.write({"amount": 1})

    def test_second_company(self):
        """A manager sees the collections of their companies only."""
        other = self.env["res.company"].create({"name": "Collection Second Co"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=other, install_demo=False
        )
        there = self._invoice(self.account, 400, days_ago=10, due_in=30, company=other)
        self._pay(there, 400, days_ago=2)
        here = self._invoice(self.account, 100, days_ago=10, due_in=30)
        self._pay(here, 100, days_ago=2)
        Report = self.env["key_account.collection.report"]
        ours = [("partner_id", "=", self.account.id)]
        self.assertEqual(
            Report.with_user(self.ka_manager).search(ours).mapped("amount"), [100]
        )
        self.ka_manager.company_ids |= other
        rows = (
            Report.with_user(self.ka_manager)
            .with_context(allowed_company_ids=[self.company.id, other.id])
            .search(ours)
        )
        self.assertEqual(sorted(rows.mapped("amount")), [100, 400])


@tagged("post_install", "-at_install")
class TestReceivableViews(ReceivableCase):
    def test_views_show_the_receivables(self):
        """The card shows the overdue amount in red; the list, the pivot and
        the form show the figures to Key Accounts users, and a user outside
        Key Accounts still opens a partner form (without them)."""
        action = self.env.ref("key_account.res_partner_action_key_account")
        views = (
            self.env["res.partner"]
            .with_user(self.ka_user)
            .get_views([(view.view_id.id, view.view_mode) for view in action.view_ids])[
                "views"
            ]
        )
        self.assertIn("text-danger", views["kanban"]["arch"])
        for mode in ("kanban", "list", "pivot", "form"):
            with self.subTest(view=mode):
                self.assertIn("ka_receivable_overdue", views[mode]["arch"])
        form = (
            self.env["res.partner"]
            .with_user(self.outsider)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("ka_receivable_overdue", form)
        # the collection report opens for a salesperson
        report = self.env["key_account.collection.report"].with_user(self.ka_user)
        arch = report.get_views([(False, "pivot"), (False, "graph")])["views"]
        self.assertIn("amount", arch["pivot"]["arch"])
        self.assertIn("amount", arch["graph"]["arch"])
