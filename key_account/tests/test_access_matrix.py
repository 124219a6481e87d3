"""The add-on's access matrix is what the server does.

The matrix is read from ``readme/ACCESS.md`` inside the add-on (between the
``access-matrix`` markers), so that the test runs wherever the add-on is
installed from (its wheel too); each cell is tried as a user of the role,
with every context key set, on a document made for the row: what the cell
grants works, what it does not grant is refused. The repository's README
shows a copy of the table: where it is present, both must agree."""

import re
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from ..models.account.key_account_review import quarter_start
from .common import HOSTILE_CONTEXT
from .common import EngagementCase

ACCESS = Path(__file__).resolve().parents[1] / "readme" / "ACCESS.md"
# only in a checkout of the repository, not in an installed wheel
README = Path(__file__).resolve().parents[2] / "README.md"
ROLES = {
    "Salesperson": "ka_user2",
    "Approver / Finance": "ka_approver",
    "Gift keeper": "ka_keeper",
    "Manager": "ka_manager2",
    "Team leader": "ka_leader",
    "Assistant": "ka_assistant",
    "Activity planner": "ka_planner",
    "Data analyst": "ka_analyst",
}
OPERATIONS = "RWAP"


class Undo(Exception):
    """Rolls an attempt back once it went through."""


class Hidden(AccessError):
    """What a user reads of a document is not what it holds."""


def matrix_block(text):
    """The table between the ``access-matrix`` markers of ``text``."""
    return text.split("<!-- access-matrix -->")[1].split("<!-- /access-matrix -->")[0]


def read_matrix(text):
    """{row label: {role: set of operations}} from the table of ``text``."""
    block = matrix_block(text)
    lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    matrix = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        matrix[cells[0]] = {
            role: set(re.findall(f"[{OPERATIONS}]", cell))
            for role, cell in zip(header[1:], cells[1:], strict=True)
        }
    return header[1:], matrix


@tagged("post_install", "-at_install")
class TestAccessMatrix(EngagementCase):
    """Every document of a row belongs to ``ka_user`` (the salesperson whose
    work it is) unless the row says "their own": then it is the role's own.
    The roles are played by other people: a colleague salesperson, Finance,
    the gift keeper and a manager (``ka_manager`` is the usual first-level
    approver; ``ka_manager2`` plays the manager here). ``ka_user``'s sales
    team is led by the team leader, and the assistant and the activity
    planner are its members: "a colleague" is one of their department; the
    data analyst is in no team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for login, group in (
            ("ka_leader", "group_key_account_user"),
            ("ka_assistant", "group_key_account_assistant"),
            ("ka_planner", "group_key_account_planner"),
            ("ka_analyst", "group_key_account_analyst"),
        ):
            user = new_test_user(
                cls.env,
                login=login,
                name=login.removeprefix("ka_").title(),
                groups=f"key_account.{group}",
            )
            setattr(cls, login, user)
        cls.env["crm.team"].create(
            {
                "name": "Department",
                "user_id": cls.ka_leader.id,
                "member_ids": [
                    Command.set((cls.ka_user | cls.ka_assistant | cls.ka_planner).ids)
                ],
            }
        )
        cls.template = cls.env.ref("key_account.key_account_kpi_template_consultant")

    # ---- documents of each row -------------------------------------------------------
    def _visit_of(self, user, amount=100):
        account = self._account(f"{user.name} Co", user_id=user.id)
        return (
            self.env["key_account.visit"]
            .with_user(user)
            .create(
                {
                    "partner_id": account.id,
                    "purpose": "Meet the buyer",
                    "planned_line_ids": [
                        Command.create(
                            {"kind": "planned", "name": "Train", "amount": amount}
                        )
                    ],
                }
            )
        )

    def _waiting_visit(self, role_user):
        """A colleague's visit of 6,000 waiting for the level of ``role_user``
        (the manager's first level, or Finance's second)."""
        visit = self._visit(6000)
        visit.action_submit()
        if role_user == self.ka_approver:
            visit.with_user(self.ka_manager).action_approve()
        return visit

    def _claimed_visit(self):
        visit = self._visit(100)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        visit.write(
            {
                **self._visit_record_vals(),
                "summary": "<p>Went well</p>",
                "expense_line_ids": [Command.create({"name": "Taxi", "amount": 30})],
            }
        )
        visit.action_done()
        visit.action_claim_expenses()
        return visit

    def _scorecard_of(self, user):
        cards, _skipped = self.env["key_account.scorecard"]._ka_compute_scorecards(
            self.template, user, date(2025, 1, 1), date(2025, 3, 31)
        )
        return cards

    def _report_of(self, user):
        return (
            self.env["key_account.monthly.report"]
            .with_user(user)
            .create({"month": date(2025, 2, 1), "summary": "Good month"})
        )

    def _review_ops(self, owner_of):
        """The quarterly review of the last quarter of a key account owned
        by ``owner_of(user)``: written in draft, signed once submitted."""

        def review(user, submitted=False):
            account = self._account("Reviewed Co", user_id=owner_of(user).id)
            start = quarter_start(self._today()) - relativedelta(months=3)
            record = self.env["key_account.review"]._ka_make_reviews(account, start)
            if submitted:
                record.owner_comment = "A steady quarter"
                record.action_submit()
            return record.with_user(user).with_context(**HOSTILE_CONTEXT)

        def ops(user):
            return {
                "R": lambda: review(user).read(["sales", "state"]),
                "W": lambda: review(user).write({"owner_comment": "Changed"}),
                "A": lambda: review(user, submitted=True).action_sign(),
                "P": None,
            }

        return ops

    # ---- what each operation is ------------------------------------------------------
    def _try(self, func):
        """Whether ``func`` goes through (its effects are rolled back); an
        operation that does not apply to the row (``None``) never does."""
        if func is None:
            return False
        try:
            with self.cr.savepoint():
                func()
                self.env.flush_all()
                raise Undo
        except Undo:
            return True
        except (AccessError, UserError):
            return False
        finally:
            self.env.invalidate_all()

    def _request_ops(self, make):
        def ops(user):
            def record():
                return make(user).with_user(user).with_context(**HOSTILE_CONTEXT)

            return {
                "R": lambda: record().read(["name", "state", "amount_planned"]),
                "W": lambda: record().write({"purpose": "Changed"}),
                "A": lambda: record().action_approve(),
                "P": lambda: record().action_reimburse_expenses(),
            }

        return ops

    def _document_ops(self, make, write_vals, approve, pay):
        def ops(user):
            def record():
                return make(user).with_user(user).with_context(**HOSTILE_CONTEXT)

            return {
                "R": lambda: record().read(["display_name"]),
                "W": lambda: record().write(write_vals),
                "A": approve and (lambda: approve(record())),
                "P": pay and (lambda: pay(record())),
            }

        return ops

    def _file_ops(self, owner_of):
        """The customer file, relationship map and sales of the key account
        ``owner_of(user)`` owns: read means seeing the values."""

        def ops(user):
            def account():
                partner = self._account("Filed Co", user_id=owner_of(user).id)
                partner.write({"ka_need": "A new line", "ka_budget_max": 90_000})
                self.env["res.partner"].create(
                    {"name": "Mr Boss", "parent_id": partner.id, "ka_hobbies": "Go"}
                )
                self._order(partner, 12_000)
                partner._ka_refresh_sales()
                return partner.with_user(user).with_context(**HOSTILE_CONTEXT)

            def read():
                partner = account()
                seen = (
                    partner.ka_need,
                    partner.ka_budget_max,
                    partner.child_ids.ka_hobbies,
                    partner.ka_owner_sales_12m,
                )
                if seen != ("A new line", 90_000, "Go", 12_000):
                    raise Hidden(seen)

            return {
                "R": read,
                "W": lambda: account().write({"ka_need": "Changed"}),
                "A": None,
                "P": None,
            }

        return ops

    def _settlement_ops(self, owner_of):
        def settlement(user, confirmed=False):
            record = self.env["key_account.commission.settlement"].create(
                {
                    "user_id": owner_of(user).id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 2, 28),
                }
            )
            if confirmed:
                record.action_confirm()
            return record.with_user(user).with_context(**HOSTILE_CONTEXT)

        def ops(user):
            return {
                "R": lambda: settlement(user).read(["amount_commission", "state"]),
                "W": lambda: settlement(user).line_ids.create(
                    {
                        "settlement_id": settlement(user).id,
                        "line_type": "award",
                        "amount_commission": 10,
                        "reason": "Extra",
                    }
                ),
                "A": lambda: settlement(user).action_confirm(),
                "P": lambda: settlement(user, confirmed=True).action_pay(),
            }

        return ops

    def _plan_of(self, user, budget=100, account=None):
        account = account or self._account(f"{user.name} Planned Co", user_id=user.id)
        return (
            self.env["key_account.plan"]
            .with_user(user)
            .create(
                {
                    "partner_id": account.id,
                    "date_from": date(2026, 1, 1),
                    "budget_visits": budget,
                    "objective_ids": [
                        Command.create(
                            {"name": "Sell", "measure": "sales", "target_amount": 1}
                        )
                    ],
                }
            )
        )

    def _waiting_plan(self, role_user):
        """A colleague's plan of 6,000 waiting for the level of ``role_user``."""
        plan = self._plan_of(self.ka_user, 6000)
        plan.with_user(self.ka_user).action_submit()
        if role_user == self.ka_approver:
            plan.with_user(self.ka_manager).action_approve()
        return plan

    def _plan_ops(self, make):
        def ops(user):
            def record():
                return make(user).with_user(user).with_context(**HOSTILE_CONTEXT)

            return {
                "R": lambda: record().read(["name", "state", "progress"]),
                "W": lambda: record().write({"strategy": "<p>Changed</p>"}),
                "A": lambda: record().action_approve(),
                "P": None,
            }

        return ops

    def _member_ops(self, user):
        """A colleague's account whose team ``user`` is in: its plan and file."""

        def plan():
            account = self._account("Teamed Co", user_id=self.ka_user.id)
            account.write({"ka_need": "A new line"})
            self.env["key_account.team.member"].create(
                {"partner_id": account.id, "user_id": user.id}
            )
            return (
                self._plan_of(self.ka_user, account=account)
                .with_user(user)
                .with_context(**HOSTILE_CONTEXT)
            )

        def read():
            record = plan()
            record.read(["name", "progress", "strategy"])
            if record.partner_id.ka_need != "A new line":
                raise Hidden(record.partner_id.ka_need)

        def write():
            record = plan()
            record.write({"strategy": "<p>Changed</p>"})
            record.partner_id.write({"ka_need": "Changed"})

        return {"R": read, "W": write, "A": None, "P": None}

    def _team_ops(self, owner_of):
        def member(user):
            account = self._account("Team Co", user_id=owner_of(user).id)
            record = self.env["key_account.team.member"].create(
                {"partner_id": account.id, "user_id": self.ka_manager.id}
            )
            return record.with_user(user).with_context(**HOSTILE_CONTEXT)

        def ops(user):
            return {
                "R": lambda: member(user).read(["user_id", "role"]),
                "W": lambda: member(user).write({"role": "service"}),
                "A": None,
                "P": None,
            }

        return ops

    def _collection_ops(self, owner_of):
        """The collection report's rows of a key account ``owner_of(user)``
        owns, paid 100: read means finding them."""

        def ops(user):
            def rows():
                account = self._account("Paying Co", user_id=owner_of(user).id)
                invoice = self.env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": account.id,
                        "invoice_date": date(2025, 2, 1),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Service",
                                    "price_unit": 100,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                )
                invoice.action_post()
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create({"payment_date": date(2025, 2, 10)})._create_payments()
                return (
                    self.env["key_account.collection.report"]
                    .search([("partner_id", "=", account.id)])
                    .with_user(user)
                    .with_context(**HOSTILE_CONTEXT)
                )

            def read():
                report = rows()
                seen = report.search([("id", "in", report.ids)]).mapped("amount")
                if seen != [100]:
                    raise Hidden(seen)

            return {
                "R": read,
                "W": lambda: rows().write({"amount": 1}),
                "A": None,
                "P": None,
            }

        return ops

    def _configuration_ops(self, user):
        grade = self.grade_b.with_user(user).with_context(**HOSTILE_CONTEXT)
        plan = self.env.ref("key_account.key_account_commission_plan_full_time")
        plan = plan.with_user(user).with_context(**HOSTILE_CONTEXT)
        holiday = self.env.ref("key_account.key_account_holiday_new_year")
        holiday = holiday.with_user(user).with_context(**HOSTILE_CONTEXT)
        return {
            "R": lambda: (
                grade.read(["name"]),
                plan.read(["name"]),
                holiday.read(["name", "date"]),
            ),
            "W": lambda: (
                grade.write({"visit_interval_days": 20}),
                plan.write({"discount_threshold": 80}),
                holiday.write({"date": date(2027, 1, 2)}),
            ),
            "A": None,
            "P": None,
        }

    def _greeting_ops(self, owner_of):
        """A greeting (a holiday) of a key account ``owner_of(user)`` owns:
        read means reading it and preparing its gift; nobody writes one."""

        def ops(user):
            def greeting():
                account = self._account("Greeted Co", user_id=owner_of(user).id)
                holiday = self.env.ref("key_account.key_account_holiday_new_year")
                greetings = self.env["key_account.greeting"]._ka_insert_greetings(
                    [
                        (
                            account.id,
                            "holiday",
                            holiday.id,
                            f"holiday-{holiday.id}",
                            date(2027, 1, 1),
                        )
                    ]
                )
                return greetings.with_user(user).with_context(**HOSTILE_CONTEXT)

            def read():
                record = greeting()
                record.read(["date", "occasion_label"])
                record.action_prepare_gift()

            return {
                "R": read,
                "W": lambda: greeting().write({"date": date(2027, 1, 2)}),
                "A": None,
                "P": None,
            }

        return ops

    def _pool_ops(self, their_team):
        """A key account in the pool of a sales team, the user's own team or
        another: read means seeing it, write claiming it."""

        def ops(user):
            def account():
                team = self.env["crm.team"].create(
                    {
                        "name": "Matrix Team",
                        "member_ids": [Command.set(user.ids if their_team else [])],
                    }
                )
                partner = self._account(
                    "Pooled Co", ka_type_id=self.type_potential.id, ka_team_id=team.id
                )
                return partner.with_user(user).with_context(**HOSTILE_CONTEXT)

            return {
                "R": lambda: account().read(["name", "ka_pool_days"]),
                "W": lambda: account().action_ka_claim(),
                "A": None,
                "P": None,
            }

        return ops

    def _team_rules_ops(self, user):
        team = self.env["crm.team"].create({"name": "Ruled Team"})
        team = team.with_user(user).with_context(**HOSTILE_CONTEXT)
        return {
            "R": lambda: team.read(["ka_pool_max_owned", "ka_pool_followup_days"]),
            "W": lambda: team.write({"ka_pool_max_owned": 20}),
            "A": None,
            "P": None,
        }

    def _rows(self):
        return {
            "Key account in the pool of their sales team": self._pool_ops(True),
            "Key account in the pool of another sales team": self._pool_ops(False),
            "Pool rules of a sales team": self._team_rules_ops,
            "Visit or reception of their own": self._request_ops(
                lambda user: self._visit_of(user)
            ),
            "Visit or reception of a colleague, waiting for approval": (
                self._request_ops(self._waiting_visit)
            ),
            "Claimed expenses of a colleague's visit or reception": self._request_ops(
                lambda user: self._claimed_visit()
            ),
            "Scorecard of their own": self._document_ops(
                self._scorecard_of,
                {"superior_weight": 60, "peer_weight": 40},
                lambda card: card.action_confirm(),
                None,
            ),
            "Scorecard of a colleague": self._document_ops(
                lambda user: self._scorecard_of(self.ka_user),
                {"superior_weight": 60, "peer_weight": 40},
                lambda card: card.action_confirm(),
                None,
            ),
            "Account plan of their own": self._plan_ops(self._plan_of),
            "Account plan of a colleague, waiting for approval": self._plan_ops(
                self._waiting_plan
            ),
            "Account plan and customer file of a colleague's account whose team "
            "they are in": self._member_ops,
            "Account team of their own key account": self._team_ops(lambda user: user),
            "Account team of a colleague's account": self._team_ops(
                lambda user: self.ka_user
            ),
            "Monthly report of their own": self._document_ops(
                self._report_of, {"summary": "Better month"}, None, None
            ),
            "Monthly report of a colleague": self._document_ops(
                lambda user: self._report_of(self.ka_user),
                {"summary": "Better month"},
                None,
                None,
            ),
            "Quarterly review of their own key account": self._review_ops(
                lambda user: user
            ),
            "Quarterly review of a colleague's key account": self._review_ops(
                lambda user: self.ka_user
            ),
            "Customer file, relationship map and sales of their own key account": (
                self._file_ops(lambda user: user)
            ),
            "Customer file, relationship map and sales of a colleague's account": (
                self._file_ops(lambda user: self.ka_user)
            ),
            "Commission settlement of their own": self._settlement_ops(
                lambda user: user
            ),
            "Commission settlement of a colleague": self._settlement_ops(
                lambda user: self.ka_user
            ),
            "Collection report of their own key accounts": self._collection_ops(
                lambda user: user
            ),
            "Collection report of a colleague's key accounts": self._collection_ops(
                lambda user: self.ka_user
            ),
            "Configuration: types, grades, approval levels, plans, templates, "
            "holidays": self._configuration_ops,
            "Greeting of their own key account": self._greeting_ops(lambda user: user),
            "Greeting of a colleague's key account": self._greeting_ops(
                lambda user: self.ka_user
            ),
        }

    # ---- the test --------------------------------------------------------------------
    def test_the_access_matrix_holds(self):
        text = ACCESS.read_text()
        if README.is_file():
            self.assertEqual(
                matrix_block(README.read_text()).strip(),
                matrix_block(text).strip(),
                "README.md's access matrix differs from key_account/readme/ACCESS.md",
            )
        roles, matrix = read_matrix(text)
        self.assertEqual(roles, list(ROLES))
        rows = self._rows()
        self.assertEqual(set(matrix), set(rows), "matrix rows and tested rows differ")
        for label, ops in rows.items():
            for role, login in ROLES.items():
                user = getattr(self, login)
                granted = matrix[label][role]
                attempts = ops(user)
                for operation in OPERATIONS:
                    with self.subTest(row=label, role=role, operation=operation):
                        self.assertEqual(
                            self._try(attempts[operation]),
                            operation in granted,
                            f"{role} {'may' if operation in granted else 'may not'} "
                            f"{operation} on: {label}",
                        )
