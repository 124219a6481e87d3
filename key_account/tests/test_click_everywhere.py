import logging
import time
import unittest

from odoo.tests import HttpCase
from odoo.tests import TransactionCase
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)

APP_MENU = "key_account.key_account_menu_root"
CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    f".startClickEverywhere('{APP_MENU}');"
)
# the demo users of each role (demo/res_users_demo.xml)
DEMO_LOGINS = [
    "li.wei",
    "zhang.min",
    "chen.jie",
    "liu.yang",
    "zhao.lei",
    "sun.li",
]


@tagged("post_install", "-at_install")
class TestClickEverywhere(HttpCase):
    """Odoo's clickbot over the Key Accounts app, on the demo data, as each
    role: every menu, every view switch and every filter opens without a
    client error (an error dialog or a failed RPC fails the run)."""

    # a wizard opened from a menu may leave its form open at the end
    allow_end_on_form = True

    def setUp(self):
        super().setUp()
        demo = self.env["ir.model.data"].search_count(
            [("module", "=", "key_account"), ("name", "=", "res_users_li_wei_demo")]
        )
        if not demo:
            # the test database is always built with the demo data
            self.fail("the demo data of key_account is not installed")
        # no onboarding tour may get in the clickbot's way
        users = self.env["res.users"].search([("login", "in", [*DEMO_LOGINS, "admin"])])
        self.assertEqual(len(users), len(DEMO_LOGINS) + 1)
        if "tour_enabled" in users._fields:
            users.tour_enabled = False

    def _click_everywhere(self, login):
        app = self.env["ir.ui.menu"].with_user(
            self.env["res.users"].search([("login", "=", login)])
        )
        self.assertIn(
            self.env.ref(APP_MENU).id,
            app.load_menus(False)["root"]["children"],
            f"{login} does not see the Key Accounts app",
        )
        start = time.monotonic()
        try:
            self.browser_js(
                "/odoo",
                CLICKBOT,
                "odoo.isReady === true",
                login=login,
                timeout=600,
                success_signal="clickbot test succeeded",
            )
        except unittest.SkipTest as skipped:
            # a browser test that cannot run is a failure here, not a skip
            self.fail(f"the clickbot could not run (Chromium): {skipped}")
        _logger.info("clickbot as %s: %.1f s", login, time.monotonic() - start)

    def test_click_everywhere_as_admin(self):
        self._click_everywhere("admin")

    def test_click_everywhere_as_manager(self):
        self._click_everywhere("li.wei")

    def test_click_everywhere_as_salesperson(self):
        self._click_everywhere("zhang.min")

    def test_click_everywhere_as_approver(self):
        self._click_everywhere("chen.jie")

    def test_click_everywhere_as_assistant(self):
        self._click_everywhere("liu.yang")

    def test_click_everywhere_as_planner(self):
        self._click_everywhere("zhao.lei")

    def test_click_everywhere_as_analyst(self):
        self._click_everywhere("sun.li")


@tagged("post_install", "-at_install")
class TestMenuActions(TransactionCase):
    """What the clickbot found, in Python: an action opened from a menu has
    no active record, so its context and domain cannot use one."""

    def test_menu_actions_evaluate_without_an_active_record(self):
        root = self.env.ref(APP_MENU)
        menus = self.env["ir.ui.menu"].search([("id", "child_of", root.id)])
        actions = self.env["ir.actions.act_window"].union(
            *(
                menu.action
                for menu in menus
                if menu.action and menu.action._name == "ir.actions.act_window"
            )
        )
        self.assertIn(
            self.env.ref("key_account.key_account_handover_wizard_action"), actions
        )
        # what the web client evaluates them with, opened from a menu: the
        # user's context (and the context evaluated before the domain)
        user_context = {
            "lang": "en_US",
            "tz": "Asia/Shanghai",
            "uid": self.env.uid,
            "allowed_company_ids": self.env.company.ids,
        }
        eval_context = {
            **self.env["ir.actions.actions"]._get_eval_context(),
            **user_context,
        }
        for action in actions:
            with self.subTest(action=action.xml_id):
                context = safe_eval(action.context or "{}", dict(eval_context))
                self.assertIsInstance(context, dict)
                domain = safe_eval(action.domain or "[]", {**eval_context, **context})
                self.assertIsInstance(domain, list)
