import pathlib
from unittest.mock import patch

from odoo import Command
from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser
from odoo.tests.common import get_db_name
from odoo.tools import config

from .common import EngagementCase


@tagged("post_install", "-at_install")
class TestKeyAccountTour(HttpCase, EngagementCase):
    """The browser, end to end: a salesperson claims an account from the
    public pool, plans a visit to it and submits it; a manager approves it
    (static/src/tests/tours/key_account_tour.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # In the pool: a key account without salesperson. The shipped levels
        # (EngagementCase): managers approve every request, Finance from
        # 5,000; the tour plans 800, so the chain is the manager level only.
        cls.pool_account = cls._account("Tour Jade River Foods", city="Hangzhou")
        # its plan of this year, made by the salesperson who claims it: the
        # account form's Account Plan tab reads its progress when opened
        cls.env["key_account.plan"].create(
            {
                "partner_id": cls.pool_account.id,
                "user_id": cls.ka_user.id,
                "date_from": cls._today().replace(month=1, day=1),
                "objective_ids": [
                    Command.create(
                        {
                            "name": "Tour sales objective",
                            "measure": "sales",
                            "target_amount": 10_000,
                        }
                    )
                ],
            }
        )
        # a customer without a key-account type: the tour times its form
        # against the account's (printed only)
        cls.env["res.partner"].create(
            {
                "name": "Tour Plain Paper Mill",
                "is_company": True,
                "customer_rank": 1,
                "city": "Hangzhou",
            }
        )

    def test_claim_plan_submit_approve(self):
        Visit = self.env["key_account.visit"]
        domain = [("partner_id", "=", self.pool_account.id)]
        self.assertFalse(self.pool_account.user_id)

        self.start_tour(
            "/odoo", "key_account_tour_salesperson", login=self.ka_user.login
        )
        self.env.invalidate_all()

        self.assertEqual(self.pool_account.user_id, self.ka_user)
        log = self.env["key_account.pool.log"].search(
            [("partner_id", "=", self.pool_account.id)]
        )
        self.assertRecordValues(
            log,
            [
                {
                    "action": "claim",
                    "from_user_id": False,
                    "to_user_id": self.ka_user.id,
                    "done_by_id": self.ka_user.id,
                }
            ],
        )
        visit = Visit.search(domain)
        self.assertRecordValues(
            visit,
            [
                {
                    "state": "submitted",
                    "user_id": self.ka_user.id,
                    "submitted_by_id": self.ka_user.id,
                    "method": "phone",
                    "purpose": "Present the new product range",
                    "amount_planned": 800.0,
                }
            ],
        )
        self.assertRecordValues(
            visit.planned_line_ids,
            [{"kind": "planned", "name": "Business lunch", "amount": 800.0}],
        )
        self.assertRecordValues(
            visit.approval_line_ids,
            [
                {
                    "rule_id": self.rule_manager.id,
                    "group_id": self.env.ref(
                        "key_account.group_key_account_manager"
                    ).id,
                    "state": "pending",
                }
            ],
        )

        self.start_tour(
            "/odoo", "key_account_tour_manager", login=self.ka_manager.login
        )
        self.env.invalidate_all()

        self.assertEqual(visit.state, "approved")
        self.assertRecordValues(
            visit.approval_line_ids,
            [{"state": "approved", "done_by_id": self.ka_manager.id}],
        )
        self.assertEqual(Visit.search_count(domain), 1)
        self.assertEqual(self.pool_account.user_id, self.ka_user)


@tagged("post_install", "-at_install")
class TestKeyAccountDateColumns(HttpCase, EngagementCase):
    """The lists show their dates whole, in Chinese ("2026年09月15日", wider
    than the 80 px Odoo gives a date column) as in English: a manager opens
    each list with dates of the demo data in both languages; the tour
    (static/src/tests/tours/key_account_date_columns_tour.js) checks that no
    date cell is cut short and the test keeps a screenshot of each list."""

    # the lists, with the model whose records they show
    LISTS = [
        ("key_account.key_account_visit_action", "key_account.visit"),
        ("key_account.key_account_reception_action", "key_account.reception"),
        ("key_account.key_account_gift_action", "key_account.gift"),
        ("key_account.key_account_pool_log_action", "key_account.pool.log"),
        (
            "key_account.key_account_commission_settlement_action",
            "key_account.commission.settlement",
        ),
        ("key_account.key_account_feedback_action", "key_account.feedback"),
        ("key_account.key_account_plan_action", "key_account.plan"),
        ("key_account.key_account_grade_history_action", "key_account.grade.history"),
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")

    def _open_lists(self, lang):
        """Runs the tour on each list as the manager in ``lang``; returns the
        screenshots taken."""
        self.ka_manager.lang = lang
        shots_dir = pathlib.Path(config["screenshots"]) / get_db_name() / "screenshots"
        prefix = f"ka_date_columns_{lang}_"
        before = set(shots_dir.glob(f"{prefix}*.png"))
        original = ChromeBrowser._handle_console
        mark_taken = "document.body.classList.add('o_ka_screenshot_taken')"

        def handle_console(browser, type, args=None, **kw):  # pylint: disable=redefined-builtin
            # the tour's "ka_screenshot": the screenshot, then a class on the
            # page that lets the tour end (the file is written by then)
            message = browser._from_remoteobject(args[0]) if args else None
            if type == "log" and message == "ka_screenshot":
                browser.take_screenshot(prefix=prefix).add_done_callback(
                    lambda _future: browser._websocket_send(
                        "Runtime.evaluate", params={"expression": mark_taken}
                    )
                )
            return original(browser, type, args=args, **kw)

        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            for action, model in self.LISTS:
                with self.subTest(lang=lang, action=action):
                    self.assertTrue(
                        self.env[model].with_user(self.ka_manager).search_count([]),
                        f"the demo data gives the manager no {model} to list",
                    )
                    self.start_tour(
                        f"/odoo/action-{action}?view_type=list",
                        "key_account_tour_date_columns",
                        login=self.ka_manager.login,
                    )
        return set(shots_dir.glob(f"{prefix}*.png")) - before

    def test_dates_whole_in_chinese(self):
        shots = self._open_lists("zh_CN")
        self.assertEqual(len(shots), len(self.LISTS))

    def test_dates_whole_in_english(self):
        shots = self._open_lists("en_US")
        self.assertEqual(len(shots), len(self.LISTS))


@tagged("post_install", "-at_install")
class TestPersonAccountTour(HttpCase):
    """The browser, for the individual clients and the department (issue 20):
    the demo manager makes a person a key account from Key Accounts > New,
    fills the person's file, opens its plan and team and prints its customer
    file form; a demo salesperson sends a request to the department's
    assistant, who marks it done
    (static/src/tests/tours/key_account_person_tour.js)."""

    PERSON = "Tour Wu Jiayi"
    REQUEST = "Tour gift list for the wedding of Wu Jiayi's son"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.env.ref("key_account.res_users_li_wei_demo")
        cls.salesperson = cls.env.ref("key_account.res_users_zhang_min_demo")
        cls.assistant = cls.env.ref("key_account.res_users_liu_yang_demo")
        cls.high_value = cls.env.ref("key_account.key_account_type_high_value")

    def _tour_logs(self, prefix):
        """Patches the browser's console handler to collect the tour's logs
        that start with ``prefix``; returns the list they are added to."""
        logs = []
        original = ChromeBrowser._handle_console

        def handle_console(browser, type, args=None, **kw):  # pylint: disable=redefined-builtin
            message = browser._from_remoteobject(args[0]) if args else None
            if isinstance(message, str) and message.startswith(prefix):
                logs.append(message[len(prefix) :])
            return original(browser, type, args=args, **kw)

        patcher = patch.object(ChromeBrowser, "_handle_console", handle_console)
        patcher.start()
        self.addCleanup(patcher.stop)
        return logs

    def test_person_account_file_team_and_print(self):
        printed = self._tour_logs("ka_report ")
        self.start_tour(
            "/odoo", "key_account_tour_person_account", login=self.manager.login
        )
        self.env.invalidate_all()

        person = self.env["res.partner"].search([("name", "=", self.PERSON)])
        self.assertRecordValues(
            person,
            [
                {
                    "is_company": False,
                    "parent_id": False,
                    "ka_type_id": self.high_value.id,
                    "user_id": self.manager.id,
                }
            ],
        )
        self.assertRecordValues(
            person.ka_file_ids,
            [
                {
                    "user_id": self.manager.id,
                    "date_of_birth": fields.Date.to_date("1985-05-12"),
                    "education": "Master of architecture",
                    "occupation": "Architect",
                    "marital_status": "married",
                    "interests": "Ink painting, hiking",
                    "owned_pieces": 3,
                    "price_sensitivity": "low",
                    "credit_rating": "a",
                    "strengths": "Our workshop designs her pieces",
                }
            ],
        )
        self.assertGreater(person.ka_file_completeness, 0)
        # the form printed the person's customer file form, which shows the
        # person's file and not a company's
        self.assertEqual(printed, [f"key_account.report_customer_file:{person.id}"])
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html("key_account.report_customer_file", person.ids)
        )
        html = html.decode()
        self.assertIn("Master of architecture", html)
        self.assertIn("ka_file_person", html)
        self.assertNotIn("ka_file_company", html)

    def test_request_to_the_assistant(self):
        person = (
            self.env["res.partner"]
            .with_user(self.manager)
            .create(
                {
                    "name": self.PERSON,
                    "is_company": False,
                    "ka_type_id": self.high_value.id,
                    "user_id": self.manager.id,
                }
            )
        )
        Request = self.env["key_account.request"]
        self.start_tour(
            "/odoo", "key_account_tour_request", login=self.salesperson.login
        )
        self.env.invalidate_all()
        request = Request.search([("name", "=", self.REQUEST)])
        self.assertRecordValues(
            request,
            [
                {
                    "requester_id": self.salesperson.id,
                    "assistant_id": self.assistant.id,
                    "partner_id": person.id,
                    "kind": "support",
                    "size": "small",
                    "state": "open",
                    "done_at": False,
                }
            ],
        )
        self.assertTrue(request.requested_at)
        self.assertGreater(request.due_at, request.requested_at)

        self.start_tour(
            "/odoo", "key_account_tour_request_done", login=self.assistant.login
        )
        self.env.invalidate_all()
        self.assertRecordValues(request, [{"state": "done", "on_time": True}])
        self.assertTrue(request.done_at)
        self.assertEqual(Request.search_count([("name", "=", self.REQUEST)]), 1)
