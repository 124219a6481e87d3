"""Profit contribution: the 12-month margin and its share of the company's
margin, kept with the sales; grades by sales, margin or either; the
key-account definition by purchase amount or profit share."""

from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .common import KeyAccountCase
from .test_multi_company import MultiCompanyCase


def _with_cost(order, cost):
    """Give the lines of ``order`` a total cost of ``cost``."""
    for line in order.order_line:
        line.purchase_price = cost / line.product_uom_qty
    return order


@tagged("post_install", "-at_install")
class TestProfitContribution(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grade_a.min_margin_12m = 200_000
        cls.grade_b.min_margin_12m = 40_000
        cls.grade_c.min_margin_12m = 0

    def _company_margin(self):
        """The margin of all the company's confirmed orders of the window."""
        self.env.flush_all()
        [(margin,)] = self.env["sale.order"]._read_group(
            [
                ("state", "=", "sale"),
                ("company_id", "=", self.company.id),
                (
                    "date_order",
                    ">=",
                    self.env["res.partner"]._ka_sales_window_start(),
                ),
            ],
            [],
            ["margin:sum"],
        )
        return margin

    def _account_with(self, name, sales, cost, **vals):
        partner = self._account(name, **vals)
        _with_cost(self._order(partner, sales), cost)
        return partner

    def test_margin_and_share_follow_the_orders(self):
        account = self._account_with("Margin Co", 100_000, 60_000)
        other = self._account_with("Thin Co", 100_000, 90_000)
        # a customer that is no key account counts in the company's margin
        stranger = self.env["res.partner"].create({"name": "Walk-in"})
        _with_cost(self._order(stranger, 50_000), 0)
        (account | other)._ka_refresh_sales()
        total = self._company_margin()
        self.assertEqual(account.ka_margin_12m, 40_000)
        self.assertEqual(other.ka_margin_12m, 10_000)
        self.assertAlmostEqual(account.ka_margin_share, round(4_000_000 / total, 2))
        self.assertAlmostEqual(other.ka_margin_share, round(1_000_000 / total, 2))
        self.assertFalse(stranger.sudo().ka_margin_12m)
        # a cost changed on a line moves the margin at once, like the sales
        order = account.ka_order_ids
        _with_cost(order, 70_000)
        self.assertEqual(account.ka_margin_12m, 30_000)
        self.assertEqual(account.ka_sales_12m, 100_000)
        # a cancelled order leaves both
        order._action_cancel()
        self.assertFalse(account.ka_margin_12m)
        self.assertFalse(account.ka_margin_share)
        self.assertFalse(account.ka_sales_12m)

    def test_grade_by_sales_margin_or_either(self):
        # 300,000 of sales (B) with 250,000 of margin (A by margin); 1,200,000
        # of sales (A) with 10,000 of margin (C by margin)
        rich = self._account_with("High Margin Co", 300_000, 50_000)
        big = self._account_with("Big Volume Co", 1_200_000, 1_190_000)
        expected = {
            "sales": (self.grade_b, self.grade_a),
            "margin": (self.grade_a, self.grade_c),
            "either": (self.grade_a, self.grade_a),
        }
        for basis, (rich_grade, big_grade) in expected.items():
            with self.subTest(basis=basis):
                self.company.ka_grade_basis = basis
                (rich | big)._ka_regrade()
                self.assertEqual(rich.ka_grade_id, rich_grade)
                self.assertEqual(big.ka_grade_id, big_grade)

    def test_an_empty_basis_grades_by_sales(self):
        """A company created by code that does not know the module (no NOT
        NULL column on res_company) has no basis: it grades by sales."""
        rich = self._account_with("High Margin Co", 300_000, 50_000)
        self.company.ka_grade_basis = "margin"
        rich._ka_regrade()
        self.assertEqual(rich.ka_grade_id, self.grade_a)
        self.company.ka_grade_basis = False
        rich._ka_regrade()
        self.assertEqual(rich.ka_grade_id, self.grade_b)
        # nor are the margin thresholds checked
        self.grade_b.min_margin_12m = 500_000

    def test_margin_thresholds_decrease_when_grading_by_margin(self):
        # grading by sales: the margin thresholds are not read
        self.grade_b.min_margin_12m = 500_000
        with self.assertRaises(ValidationError):
            self.company.ka_grade_basis = "margin"
        self.assertEqual(self.company.ka_grade_basis, "sales")
        self.grade_b.min_margin_12m = 40_000
        self.company.ka_grade_basis = "either"
        with self.assertRaises(ValidationError):
            self.grade_b.min_margin_12m = 200_000
        with self.assertRaises(ValidationError):
            self.grade_c.min_margin_12m = -1

    def test_definition_by_purchase_amount_or_profit_share(self):
        self.company.write(
            {"ka_definition_sales": 500_000, "ka_definition_margin_share": 0.0}
        )
        big = self._account_with("Big Co", 600_000, 590_000)
        small = self._account_with("Small Co", 10_000, 1_000)
        Partner = self.env["res.partner"].with_user(self.ka_manager)
        self.assertEqual(big.ka_key_by, "sales")
        self.assertFalse(small.ka_meets_definition)
        found = Partner.search(
            [("id", "in", (big | small).ids), ("ka_meets_definition", "=", True)]
        )
        self.assertEqual(found, big)
        # by profit share: the small account's share of the margin
        (big | small)._ka_refresh_sales()
        share = small.ka_margin_share
        self.assertGreater(share, 0)
        self.company.ka_definition_margin_share = share
        self.env.invalidate_all()
        self.assertEqual(small.ka_key_by, "margin")
        found = Partner.search(
            [("id", "in", (big | small).ids), ("ka_meets_definition", "=", True)]
        )
        self.assertEqual(found, big | small)
        # a salesperson searches it too, without reading the figures
        found = (
            self.env["res.partner"]
            .with_user(self.ka_user)
            .with_context(**HOSTILE_CONTEXT)
            .search(
                [("id", "in", (big | small).ids), ("ka_meets_definition", "!=", True)]
            )
        )
        self.assertFalse(found)
        with self.assertRaises(ValidationError):
            self.company.ka_definition_margin_share = 120

    def test_figures_not_written_by_clients(self):
        account = self._account_with("Guarded Co", 100_000, 50_000)
        for user in (self.ka_user, self.ka_manager):
            for fname in ("ka_margin_12m", "ka_margin_share"):
                with (
                    self.subTest(user=user.login, field=fname),
                    self.assertRaises(AccessError),
                ):
                    account.with_user(user).with_context(**HOSTILE_CONTEXT).write(
                        {fname: 99}
                    )
        self.assertEqual(account.ka_margin_12m, 50_000)

    def test_salesperson_reads_own_accounts_margin_only(self):
        mine = self._account_with("Mine Co", 100_000, 40_000, user_id=self.ka_user.id)
        theirs = self._account_with(
            "Theirs Co", 100_000, 40_000, user_id=self.ka_user2.id
        )
        as_user = (
            (mine | theirs).with_user(self.ka_user).with_context(**HOSTILE_CONTEXT)
        )
        values = {
            p["id"]: p
            for p in as_user.read(["ka_owner_margin_12m", "ka_owner_margin_share"])
        }
        self.assertEqual(values[mine.id]["ka_owner_margin_12m"], 60_000)
        self.assertGreater(values[mine.id]["ka_owner_margin_share"], 0)
        self.assertEqual(values[theirs.id]["ka_owner_margin_12m"], 0)
        self.assertEqual(values[theirs.id]["ka_owner_margin_share"], 0)
        with self.assertRaises(AccessError):
            as_user.read(["ka_margin_12m"])
        # the manager's pivot sums the stored figures
        groups = (
            self.env["res.partner"]
            .with_user(self.ka_manager)
            .read_group(
                [("id", "in", (mine | theirs).ids)],
                ["ka_margin_12m:sum"],
                ["user_id"],
            )
        )
        self.assertEqual(sum(g["ka_margin_12m"] for g in groups), 120_000)


@tagged("post_install", "-at_install")
class TestProfitMultiCompany(MultiCompanyCase):
    def test_each_company_its_own_margin_and_share(self):
        _with_cost(self._order2(self.shared, 100_000), 20_000)
        first = self.shared.with_company(self.company1)
        second = self.shared.with_company(self.company2)
        self.assertEqual(first.ka_margin_12m, 1_200_000)
        # the second company's orders: 250,000 at no cost, 100,000 at 20,000
        self.assertEqual(second.ka_margin_12m, 330_000)
        # the second company sells to nobody else here: all its margin
        self.assertEqual(second.ka_margin_share, 100.0)
        as_manager2 = self.shared.with_user(self.manager2).with_context(
            **HOSTILE_CONTEXT
        )
        self.assertEqual(
            as_manager2.read(["ka_margin_12m"])[0]["ka_margin_12m"], 330_000
        )
        with self.assertRaises(AccessError):
            as_manager2.with_context(allowed_company_ids=self.company1.ids).read(
                ["ka_margin_12m"]
            )
