import json
import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo import http
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.sql_db import Cursor
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools import format_date
from odoo.tools import mute_logger

from ..models.profile.key_account_file import erasable_fields
from .common import HOSTILE_CONTEXT
from .common import JsonRpcMixin
from .test_confidential_file import FILE
from .test_confidential_file import RELATION
from .test_confidential_file import ConfidentialCase

EXPORT_GROUP = "key_account.group_key_account_file_export"
LOG_INSERT = 'INSERT INTO "key_account_access_log"'


class PersonalDataCase(ConfidentialCase):
    """``ka_user`` owns ``mine`` and may not export files (the default of a
    salesperson); ``ka_user2`` is their colleague; ``manager2`` a manager of
    a second company only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a salesperson's default: Odoo's export, not the files'
        cls.ka_user.groups_id -= cls.env.ref(EXPORT_GROUP)
        cls.ka_user2.groups_id -= cls.env.ref(EXPORT_GROUP)
        cls.Log = cls.env["key_account.access.log"].sudo()

    def _logs(self, **domain):
        return self.Log.search(
            [(key, "=", value) for key, value in domain.items()], order="id"
        )


@tagged("post_install", "-at_install")
class TestPersonalDataLog(PersonalDataCase):
    def test_list_of_80_accounts_is_one_insert(self):
        accounts = self.env["res.partner"].create(
            [
                {
                    "name": f"Listed Co {index}",
                    "is_company": True,
                    "ka_type_id": self.type_strategic.id,
                    "user_id": self.ka_user.id,
                    "ka_need": f"Need {index}",
                }
                for index in range(80)
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        statements = []
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            statements.append(str(query.code if isinstance(query, SQL) else query))
            return execute(cr, query, params, log_exceptions)

        spec = {"name": {}, "ka_need": {}, "ka_budget_max": {}}
        with patch.object(Cursor, "execute", spy):
            result = self._as(self.ka_user).web_search_read(
                [("id", "in", accounts.ids)], spec
            )
        self.assertEqual(result["length"], 80)
        self.assertEqual(sum(LOG_INSERT in s for s in statements), 1)
        logs = self._logs(user_id=self.ka_user.id)
        self.assertEqual(logs.partner_id, accounts)
        self.assertEqual(set(logs.mapped("operation")), {"read"})
        self.assertEqual(set(logs.mapped("channel")), {"ui"})
        # which fields: those the reader got with a value (not the name, not
        # the empty budget)
        self.assertEqual(set(logs.mapped("field_names")), {"ka_need"})

    def test_owner_opening_the_form_and_reading_by_api(self):
        partner = self._as(self.ka_user, self.mine)
        spec = {
            **{fname: {} for fname in FILE},
            "ka_contact_ids": {"fields": {fname: {} for fname in RELATION}},
        }
        partner.web_read(spec)
        opened = self._logs(user_id=self.ka_user.id)
        self.assertEqual(len(opened), 1, "the form and its map: one line")
        self.assertEqual(opened.partner_id, self.mine)
        self.assertEqual(opened.operation, "open")
        self.assertEqual(opened.channel, "ui")
        self.assertIn("ka_need", opened.field_names)
        self.assertIn("ka_hobbies", opened.field_names)

        partner.read(["ka_need"])
        self._as(self.ka_user).search_read(
            [("id", "=", self.mine.id)], ["ka_budget_max"]
        )
        self._as(self.ka_user, self.env["key_account.file"]).search_read(
            [("partner_id", "=", self.mine.id)], ["need"]
        )
        api = self._logs(user_id=self.ka_user.id, channel="api")
        self.assertEqual(len(api), 3)
        self.assertEqual(api.partner_id, self.mine)
        self.assertEqual(
            api.mapped("res_model"), ["res.partner", "res.partner", "key_account.file"]
        )
        self.assertEqual(
            api.mapped("field_names"), ["ka_need", "ka_budget_max", "need"]
        )

    def test_a_person_s_form_logs_the_fields_holding_a_value(self):
        person = self.env["res.partner"].create(
            {
                "name": "Zhou Yaqin",
                "is_company": False,
                "ka_type_id": self.type_strategic.id,
                "user_id": self.ka_user.id,
                "ka_need": "A jade bracelet",
                "ka_date_of_birth": "1958-09-12",
            }
        )
        spec = {fname: {} for fname in person._ka_confidential_fields()}
        self._as(self.ka_user, person).web_read(spec)
        log = self._logs(user_id=self.ka_user.id, partner_id=person.id)
        self.assertEqual(log.field_names, "ka_date_of_birth, ka_need")
        # the managers read the fields' labels, in their language
        self.assertEqual(
            log.with_context(lang="en_US").field_labels, "Birth Date, Current Need"
        )
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["key_account"], ["zh_CN"], overwrite=True
        )
        log.invalidate_recordset(["field_labels"])
        self.assertIn("当前需求", log.with_context(lang="zh_CN").field_labels)

    def test_colleague_and_other_fields_log_nothing(self):
        # the colleague gets no file: nothing reached them, nothing logged
        self._as(self.ka_user2, self.mine).web_read({fname: {} for fname in FILE})
        self._as(self.ka_user2, self.mine).read(list(FILE))
        self.assertFalse(self._logs(user_id=self.ka_user2.id))
        # the owner reading other fields reads no file
        self._as(self.ka_user, self.mine).read(["name", "ka_type_id"])
        self.assertFalse(self._logs(user_id=self.ka_user.id))

    def test_managers_read_the_log_salespeople_do_not(self):
        self._as(self.ka_manager, self.accounts).read(["ka_need"])
        logs = self._logs(user_id=self.ka_manager.id)
        self.assertEqual(logs.partner_id, self.accounts)
        Log = self.env["key_account.access.log"]
        self.assertEqual(
            Log.with_user(self.ka_manager).search([("partner_id", "=", self.mine.id)]),
            logs.filtered(lambda log: log.partner_id == self.mine),
        )
        self.assertEqual(self.mine.with_user(self.ka_manager).ka_access_log_count, 1)
        self.assertEqual(
            self.ka_manager.with_user(self.ka_manager).ka_access_log_count, 2
        )
        action = self.ka_manager.with_user(self.ka_manager).action_ka_access_log()
        self.assertEqual(action["domain"], [("user_id", "=", self.ka_manager.id)])
        with self.assertRaises(AccessError):
            Log.with_user(self.ka_user).search([])
        # the second company's manager reads neither the files nor their log
        self._as(self.manager2).search_read(
            [("id", "in", self.accounts.ids)], ["ka_need"]
        )
        self.assertFalse(self._logs(user_id=self.manager2.id))
        self.assertTrue(logs)
        self.assertFalse(
            Log.with_user(self.manager2).search(
                [("partner_id", "in", self.accounts.ids)]
            )
        )

    def test_a_shared_account_s_log_stays_in_its_company(self):
        # an account shared by the companies (company_id False, as in the
        # demo): its lines belong to the file's company, not to everyone
        shared = self._account(
            "Shared Co", company_id=False, user_id=self.ka_user.id, **FILE
        )
        self._as(self.ka_manager, shared).read(["ka_need"])
        self._as(self.ka_user, shared).web_read({"ka_need": {}})
        logs = self._logs(partner_id=shared.id)
        self.assertEqual(len(logs), 2)
        self.assertEqual(logs.company_id, self.company)
        Log = self.env["key_account.access.log"]
        self.assertEqual(
            Log.with_user(self.ka_manager).search([("partner_id", "=", shared.id)]),
            logs,
        )
        self.assertFalse(Log.with_user(self.manager2).search([]))

    def test_grouping_by_file_fields_is_logged(self):
        File = self._as(self.ka_user, self.env["key_account.file"])
        # other fields: nothing
        File.read_group([], ["__count"], ["user_id"])
        self.assertFalse(self._logs(user_id=self.ka_user.id))
        groups = File.read_group([], ["budget_max:sum"], ["source"])
        self.assertEqual(sum(g["budget_max"] for g in groups), FILE["ka_budget_max"])
        File.web_read_group([], ["__count"], ["source"])
        logs = self._logs(user_id=self.ka_user.id)
        self.assertEqual(logs.mapped("channel"), ["api", "ui"])
        self.assertEqual(logs.mapped("field_names"), ["budget_max, source", "source"])
        # the accounts the rules gave the reader: their own only
        self.assertEqual(logs.partner_id, self.mine)
        self._as(self.ka_user, self.env["key_account.relation"]).read_group(
            [], ["__count"], ["influence"]
        )
        log = self._logs(user_id=self.ka_user.id, res_model="key_account.relation")
        self.assertEqual((log.partner_id, log.field_names), (self.mine, "influence"))

    def test_printing_the_customer_file_is_logged(self):
        self.env["ir.actions.report"].with_user(self.ka_user)._render_qweb_html(
            "key_account.report_customer_file", self.mine.ids
        )
        logs = self._logs(user_id=self.ka_user.id)
        self.assertEqual(set(logs.mapped("operation")), {"export"})
        self.assertEqual(logs.partner_id, self.mine)
        self.assertEqual(
            set(logs.mapped("res_model")), {"key_account.file", "key_account.relation"}
        )
        self.assertIn("need", logs[0].field_names)

    def test_nobody_changes_the_log(self):
        self._as(self.ka_manager, self.mine).read(["ka_need"])
        log = self._logs(user_id=self.ka_manager.id)
        self.assertTrue(log)
        for attempt in (
            lambda: log.with_user(self.ka_manager).write({"field_names": "x"}),
            lambda: log.sudo().write({"field_names": "x"}),
            lambda: log.with_user(self.ka_manager).unlink(),
            lambda: log.sudo().unlink(),
            lambda: self.Log.create(
                {"operation": "read", "date": fields.Datetime.now()}
            ),
        ):
            with self.assertRaises(AccessError):
                attempt()
        self.assertEqual(log.field_names, "ka_need")

    def test_retention_cron_purges_old_lines(self):
        self._as(self.ka_manager, self.accounts).read(["ka_need"])
        old, recent = self._logs(user_id=self.ka_manager.id)
        self.env.cr.execute(
            SQL(
                "UPDATE key_account_access_log SET date = %s WHERE id = %s",
                fields.Datetime.now() - timedelta(days=25 * 31),
                old.id,
            )
        )
        self.Log.invalidate_model()
        self.env["ir.config_parameter"].sudo().set_param(
            "key_account.access_log_months", "24"
        )
        self.assertEqual(self.Log._ka_cron_purge(), 1)
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        cron = self.env.ref("key_account.ir_cron_key_account_access_log_purge")
        self.assertEqual(cron.code, "model._ka_cron_purge()")


@tagged("post_install", "-at_install")
class TestPersonalDataExport(PersonalDataCase):
    def test_export_of_files_is_a_right_of_its_own(self):
        partner = self._as(self.ka_user, self.mine)
        with self.assertRaisesRegex(AccessError, "Export customer files"):
            partner.export_data(["name", "ka_need"])
        with self.assertRaisesRegex(AccessError, "Export customer files"):
            partner.export_data(["name", "child_ids/ka_hobbies"])
        with self.assertRaisesRegex(AccessError, "Export customer files"):
            self._as(self.ka_user, self.env["key_account.file"]).search(
                [("partner_id", "=", self.mine.id)]
            ).export_data(["need"])
        # other fields export as before, and log nothing
        self.assertEqual(partner.export_data(["name"])["datas"], [["Mine Co"]])
        self.assertFalse(self._logs(user_id=self.ka_user.id))
        # salespeople do not have it by default, managers do
        self.assertFalse(self.ka_user.has_group(EXPORT_GROUP))
        self.assertTrue(self.ka_manager.has_group(EXPORT_GROUP))
        self.ka_manager.groups_id |= self.env.ref("base.group_allow_export")
        datas = self._as(self.ka_manager, self.mine).export_data(["name", "ka_need"])
        self.assertEqual(datas["datas"], [["Mine Co", FILE["ka_need"]]])
        log = self._logs(user_id=self.ka_manager.id)
        self.assertEqual((log.operation, log.channel), ("export", "export"))
        self.assertEqual(log.partner_id, self.mine)

    # the file fields of a key account reached from another model
    NESTED = [
        "name",
        "partner_id/name",
        "partner_id/ka_date_of_birth",
        "partner_id/ka_credit_rating",
        "partner_id/ka_need",
    ]

    def _orders(self, user, accounts):
        return (
            self.env["sale.order"]
            .search([("partner_id", "in", accounts.ids)])
            .with_user(user)
            .with_context(**HOSTILE_CONTEXT)
        )

    def test_export_from_another_model_needs_the_right_and_is_logged(self):
        orders = self._orders(self.ka_user, self.mine)
        self.assertTrue(orders)
        with self.assertRaisesRegex(AccessError, "Export customer files"):
            orders.export_data(self.NESTED)
        # without the file fields, as before, and nothing logged
        self.assertEqual(
            len(orders.export_data(["name", "partner_id/name"])["datas"]), 1
        )
        self.assertFalse(self._logs(user_id=self.ka_user.id))
        self.ka_user.groups_id |= self.env.ref(EXPORT_GROUP)
        datas = orders.export_data(self.NESTED)["datas"]
        self.assertEqual(datas[0][4], FILE["ka_need"])
        log = self._logs(user_id=self.ka_user.id)
        self.assertEqual((log.operation, log.channel), ("export", "export"))
        self.assertEqual(log.partner_id, self.mine)
        self.assertIn("ka_need", log.field_names)

    def test_large_export_from_another_model_counts_the_accounts(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "key_account.export_alert_accounts", "1"
        )
        self.ka_user.groups_id |= self.env.ref(EXPORT_GROUP)
        mine2 = self._confidential_account("Mine Co 2", user_id=self.ka_user.id)
        self._orders(self.ka_user, self.mine | mine2).export_data(self.NESTED)
        message = self._large_export_messages()
        self.assertEqual(len(message), 1)
        self.assertIn(self.ka_manager.partner_id, message.partner_ids)

    def _large_export_messages(self):
        return (
            self.env["mail.message"]
            .sudo()
            .search([("subject", "=", "Large export of customer files")])
        )

    def test_large_export_notifies_the_managers(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "key_account.export_alert_accounts", "1"
        )
        self.ka_user.groups_id |= self.env.ref(EXPORT_GROUP)
        mine2 = self._confidential_account("Mine Co 2", user_id=self.ka_user.id)
        self._as(self.ka_user, self.mine).export_data(["ka_need"])
        self.assertFalse(self._large_export_messages(), "1 account: not large")
        self._as(self.ka_user, self.mine | mine2).export_data(["ka_need"])
        message = self._large_export_messages()
        self.assertEqual(len(message), 1)
        self.assertIn(self.ka_manager.partner_id, message.partner_ids)
        self.assertNotIn(self.manager2.partner_id, message.partner_ids)
        self.assertIn("Sam Salesman", message.body)
        self.assertIn("2", message.body)


@tagged("post_install", "-at_install")
class TestPersonalDataHandover(PersonalDataCase):
    def test_handover_report_lists_the_last_30_days(self):
        self.ka_user.groups_id |= self.env.ref(EXPORT_GROUP)
        self._as(self.ka_user, self.mine).web_read({"ka_need": {}})
        self._as(self.ka_user, self.mine).web_read({"ka_need": {}})
        self._as(self.ka_user, self.mine).export_data(["ka_need"])
        # a read older than 30 days is not listed
        self._as(self.ka_user, self.mine).read(["ka_need"])
        self.env.cr.execute(
            SQL(
                "UPDATE key_account_access_log SET date = %s WHERE operation = 'read'",
                fields.Datetime.now() - timedelta(days=31),
            )
        )
        self.Log.invalidate_model()
        wizard = (
            self.env["key_account.handover.wizard"]
            .with_user(self.ka_manager)
            .create({"user_id": self.ka_user.id, "mode": "pool"})
        )
        self.assertEqual(
            wizard._report_access_summary(),
            [("Mine Co", "Exported", 1), ("Mine Co", "Opened", 2)],
        )
        html = (
            self.env["ir.actions.report"]
            .with_user(self.ka_manager)
            ._render_qweb_html(
                "key_account.key_account_handover_report_action", wizard.ids
            )[0]
            .decode()
        )
        self.assertIn("Customer files read and exported in the last 30 days", html)
        self.assertIn("Exported", html)


@tagged("post_install", "-at_install")
class TestPersonalDataErasure(PersonalDataCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Wang Fang",
                "is_company": False,
                "ka_type_id": cls.type_strategic.id,
                "user_id": cls.ka_user.id,
                "company_id": cls.company.id,
                **FILE,
                **RELATION,
            }
        )
        cls.order = cls._order(cls.person, 50_000)
        cls.file = cls.env["key_account.file"].search(
            [("partner_id", "=", cls.person.id)]
        )
        cls.attachment = cls.env["ir.attachment"].create(
            {
                "name": "id-card.txt",
                "raw": b"ID 1234",
                "res_model": "key_account.file",
                "res_id": cls.file.id,
            }
        )

    def test_setup(self):
        self.assertTrue(self.file.need)
        self.assertTrue(
            self.env["key_account.relation"].search(
                [("contact_id", "=", self.person.id)]
            )
        )

    def test_only_managers_erase_a_person(self):
        with self.assertRaises(AccessError):
            self.person.with_user(self.ka_user)._ka_erase_personal_data("Asked")
        with self.assertRaises(AccessError):
            self.person.with_user(self.ka_user).action_ka_erase_personal_data()
        with self.assertRaisesRegex(UserError, "is a company"):
            self.mine.with_user(self.ka_manager)._ka_erase_personal_data("Asked")
        wizard = (
            self.env["key_account.erasure.wizard"]
            .with_user(self.ka_manager)
            .create({"partner_id": self.person.id, "reason": " "})
        )
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_erase()
        self.assertTrue(self.file.need)

    def test_a_manager_of_another_company_neither_erases_nor_exports(self):
        # a person of the company, and one shared by the companies whose
        # file is the company's: the second company's manager reads neither
        shared = self.env["res.partner"].create(
            {
                "name": "Li Lei",
                "is_company": False,
                "ka_type_id": self.type_strategic.id,
                "user_id": self.ka_user.id,
                "company_id": False,
                **FILE,
            }
        )
        shared_file = self.env["key_account.file"].search(
            [("partner_id", "=", shared.id)]
        )
        self.assertEqual(shared_file.company_id, self.company)
        Wizard = self.env["key_account.erasure.wizard"].with_user(self.manager2)
        for person, file in ((self.person, self.file), (shared, shared_file)):
            with self.assertRaises(AccessError):
                file.with_user(self.manager2).read(["need"])
            with self.assertRaises(AccessError):
                person.with_user(self.manager2)._ka_erase_personal_data("Asked")
            with self.assertRaises(AccessError):
                Wizard.create({"partner_id": person.id, "reason": "Asked"})
            with self.assertRaises(AccessError):
                self.env["ir.actions.report"].with_user(
                    self.manager2
                )._render_qweb_html(
                    "key_account.key_account_personal_data_report_action",
                    person.ids,
                )
            self.env.invalidate_all()
            self.assertEqual(file.need, FILE["ka_need"])
        self.assertTrue(
            self.env["key_account.relation"].search(
                [("contact_id", "=", self.person.id)]
            )
        )
        self.assertTrue(self.attachment.exists())
        self.assertFalse(self._logs(user_id=self.manager2.id))

    def test_erasure_keeps_the_figures(self):
        history = self.env["key_account.grade.history"].search_count(
            [("partner_id", "=", self.person.id)]
        )
        # a person's own fields of the file (issue 20) are personal data too
        self.file.write(
            {
                "date_of_birth": fields.Date.to_date("1981-05-03"),
                "education": "MBA",
                "credit_rating": "a",
                "interests": "Jadeite",
                "owned_pieces": 12,
            }
        )
        person_fields = {
            "date_of_birth",
            "education",
            "credit_rating",
            "interests",
            "owned_pieces",
        }
        self.assertLessEqual(person_fields, erasable_fields(self.file))
        action = self.person.with_user(self.ka_manager).action_ka_erase_personal_data()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.ka_manager)
            .with_context(**action["context"])
            .create({"reason": "Her written request of 3 May"})
        )
        wizard.action_erase()
        self.env.invalidate_all()
        for fname in erasable_fields(self.file):
            self.assertFalse(self.file[fname], fname)
        self.assertFalse(
            self.env["key_account.relation"].search(
                [("contact_id", "=", self.person.id)]
            )
        )
        self.assertFalse(self.attachment.exists())
        # the figures stay
        self.assertTrue(self.order.exists())
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(
            self.env["key_account.grade.history"].search_count(
                [("partner_id", "=", self.person.id)]
            ),
            history,
        )
        self.assertEqual(self.person.ka_type_id, self.type_strategic)
        log = self._logs(operation="erasure")
        self.assertEqual(log.partner_id, self.person)
        self.assertEqual(log.user_id, self.ka_manager)
        self.assertEqual(log.reason, "Her written request of 3 May")
        self.assertIn("key_account.file.need", log.field_names)
        self.assertIn("key_account.file.date_of_birth", log.field_names)
        self.assertIn("key_account.relation.hobbies", log.field_names)
        # a person's file held no company field: none is said erased
        self.assertNotIn("key_account.file.competitors", log.field_names)
        self.assertNotIn("key_account.file.org_chart", log.field_names)
        labels = log.with_context(lang="en_US").field_labels
        self.assertIn("Current Need", labels)
        self.assertIn("Birth Date", labels)
        self.assertNotIn("key_account.", labels)

    def test_erasure_of_a_company_contact_takes_their_map_entry_only(self):
        Relation = self.env["key_account.relation"]
        self.assertTrue(Relation.search([("contact_id", "=", self.contact.id)]))
        self.contact.with_user(self.ka_manager)._ka_erase_personal_data("Asked")
        self.assertFalse(Relation.search([("contact_id", "=", self.contact.id)]))
        # the company's own file is the company's, not the person's
        self.assertEqual(self.mine.ka_need, FILE["ka_need"])
        log = self._logs(operation="erasure")
        self.assertEqual(log.partner_id, self.contact)
        self.assertIn("key_account.relation.hobbies", log.field_names)
        self.assertNotIn("key_account.file", log.field_names)

    def _render(self, user, lang):
        return (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(lang=lang)
            ._render_qweb_html(
                "key_account.key_account_personal_data_report_action", self.person.ids
            )[0]
            .decode()
        )

    def test_export_for_the_person_in_both_languages(self):
        with self.assertRaises(AccessError):
            self.person.with_user(self.ka_user).action_ka_export_personal_data()
        action = self.person.with_user(self.ka_manager).action_ka_export_personal_data()
        self.assertEqual(
            action["report_name"], "key_account.key_account_personal_data_report"
        )
        html = self._render(self.ka_manager, "en_US")
        self.assertIn("Current Need", html)
        self.assertIn(FILE["ka_need"], html)
        self.assertIn(RELATION["ka_hobbies"], html)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["key_account"], ["zh_CN"], overwrite=True
        )
        html = self._render(self.ka_manager, "zh_CN")
        self.assertIn("当前需求", html)  # Current Need
        self.assertIn("预算上限", html)  # Budget To
        self.assertIn(FILE["ka_need"], html)
        logs = self._logs(operation="subject_export")
        self.assertEqual(len(logs), 2)
        self.assertEqual(logs.partner_id, self.person)
        with self.assertRaises(AccessError):
            self._render(self.ka_user, "en_US")

    def test_export_for_the_person_reads_like_the_form(self):
        self.file.write(
            {
                "date_of_birth": fields.Date.to_date("1958-09-12"),
                "education": "Line one\nLine two",
                "owned_amount": 1_016_000.0,
                "credit_rating": "a",
            }
        )
        html = self._render(self.ka_manager, "en_US")
        # the sections of the form's Key Account tab, in its order
        self.assertEqual(
            re.findall(r"<h3>(.*?)</h3>", html),
            [
                "Profile",
                "Company File",
                "Personal File",
                "Purchases and Needs",
                "Need",
                "Our Position",
                "Relationship map",
            ],
        )
        # amounts with their currency, dates in the reader's format, texts
        # with their line breaks, one title sentence
        self.assertIn(self.file.currency_id.symbol, html)
        self.assertIn("1,016,000.00", html)
        self.assertNotIn("1016000.0", html)
        self.assertIn("09/12/1958", html)
        self.assertNotIn("1958-09-12", html)
        self.assertRegex(html, r"Line one\s*<br\s*/?>\s*Line two")
        self.assertIn("Personal data of Wang Fang", html)
        self.env["res.lang"]._activate_lang("zh_CN")
        html = self._render(self.ka_manager, "zh_CN")
        birth = format_date(
            self.env(context={"lang": "zh_CN"}), fields.Date.to_date("1958-09-12")
        )
        self.assertNotEqual(birth, "09/12/1958")
        self.assertIn(birth, html)
        self.assertNotRegex(html, r"\S\s{2,}Wang Fang")


@tagged("post_install", "-at_install")
class TestPersonalDataHttp(JsonRpcMixin, HttpCase, PersonalDataCase):
    """Over real HTTP, as the web client and an API client call it."""

    def setUp(self):
        super().setUp()
        self.authenticate(self.ka_user.login, self.ka_user.login)

    def test_reads_logged_and_export_refused(self):
        Partner = "res.partner"
        response = self._call(
            Partner,
            "web_search_read",
            [("id", "=", self.mine.id)],
            {"ka_need": {}, "name": {}},
        )
        self.assertEqual(response["result"]["records"][0]["ka_need"], FILE["ka_need"])
        response = self._call(
            Partner, "search_read", [("id", "=", self.mine.id)], ["ka_budget_max"]
        )
        self.assertEqual(response["result"][0]["ka_budget_max"], FILE["ka_budget_max"])
        with mute_logger("odoo.http"):
            response = self._call(Partner, "export_data", self.mine.ids, ["ka_need"])
        self.assertEqual(
            response["error"]["data"]["name"], "odoo.exceptions.AccessError"
        )
        self.assertIn("Export customer files", response["error"]["data"]["message"])
        self.env.invalidate_all()
        logs = self._logs(user_id=self.ka_user.id)
        self.assertEqual(logs.mapped("channel"), ["ui", "api"])
        self.assertEqual(
            logs.mapped("route"),
            [
                "/web/dataset/call_kw/res.partner/web_search_read",
                "/web/dataset/call_kw/res.partner/search_read",
            ],
        )
        self.assertEqual(logs.partner_id, self.mine)

    def test_xlsx_export_of_orders_refused_without_the_right(self):
        order = self.env["sale.order"].search([("partner_id", "=", self.mine.id)])
        params = {
            "model": "sale.order",
            "fields": [
                {"name": name, "label": name, "type": "char"}
                for name in TestPersonalDataExport.NESTED
            ],
            "ids": order.ids,
            "domain": [],
            "import_compat": False,
        }
        with mute_logger("odoo.http", "odoo.addons.web.controllers.export"):
            response = self.url_open(
                "/web/export/xlsx",
                data={
                    "data": json.dumps(params),
                    "csrf_token": http.Request.csrf_token(self),
                },
            )
        self.assertIn("Export customer files", response.text)
        self.assertNotIn(FILE["ka_need"].encode(), response.content)
        self.ka_user.groups_id |= self.env.ref(EXPORT_GROUP)
        response = self.url_open(
            "/web/export/xlsx",
            data={
                "data": json.dumps(params),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        log = self._logs(user_id=self.ka_user.id)
        self.assertEqual((log.operation, log.channel), ("export", "export"))
        self.assertEqual(log.partner_id, self.mine)
        self.assertEqual(log.route, "/web/export/xlsx")

    def test_grouped_xlsx_export_by_a_file_field_needs_the_right(self):
        """Odoo's grouped spreadsheet export writes the groups' values as row
        headers: grouping the files by a birth date exports the birth dates."""
        file = self.env["key_account.file"].search([("partner_id", "=", self.mine.id)])
        file.date_of_birth = fields.Date.to_date("1958-09-12")
        params = {
            "model": "key_account.file",
            "fields": [{"name": "partner_id/name", "label": "Account", "type": "char"}],
            "ids": file.ids,
            "domain": [("id", "in", file.ids)],
            "groupby": ["date_of_birth:day"],
            "import_compat": False,
        }

        def export():
            return self.url_open(
                "/web/export/xlsx",
                data={
                    "data": json.dumps(params),
                    "csrf_token": http.Request.csrf_token(self),
                },
            )

        with mute_logger("odoo.http", "odoo.addons.web.controllers.export"):
            response = export()
        # refused: the error page, not the spreadsheet
        self.assertIn("Export customer files", response.text)
        self.env.invalidate_all()
        self.assertFalse(self._logs(user_id=self.ka_user.id, operation="export"))
        self.ka_user.groups_id |= self.env.ref(EXPORT_GROUP)
        response = export()
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        log = self._logs(user_id=self.ka_user.id, operation="export")
        self.assertEqual(log.channel, "export")
        self.assertEqual(log.partner_id, self.mine)
        self.assertIn("date_of_birth", log.field_names)
