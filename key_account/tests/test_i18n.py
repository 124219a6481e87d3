import ast
import re
from datetime import date
from pathlib import Path

import polib

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools.translate import TranslationModuleReader

from .common import EngagementCase

I18N = Path(__file__).parent.parent / "i18n"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|%%")
CJK = re.compile(r"[\u4e00-\u9fff]")


def demo_xmlids():
    """The xml ids defined by the module's demo files: their texts are sample
    data, not user interface, and are not in the .pot."""
    manifest = Path(__file__).parent.parent / "__manifest__.py"
    files = ast.literal_eval(manifest.read_text())["demo"]
    ids = set()
    for name in files:
        text = (manifest.parent / name).read_text()
        ids |= {f"key_account.{xmlid}" for xmlid in re.findall(r'id="([^"]+)"', text)}
    return ids


@tagged("post_install", "-at_install")
class TestChineseTranslation(EngagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pot = polib.pofile(str(I18N / "key_account.pot"))
        cls.po = polib.pofile(str(I18N / "zh_CN.po"))
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["key_account"], ["zh_CN"], overwrite=True
        )
        cls.zh = {entry.msgid: entry.msgstr for entry in cls.po}

    def test_every_string_of_the_pot_is_translated(self):
        missing = []
        for entry in self.pot:
            translated = self.po.find(entry.msgid)
            if (
                not translated
                or not translated.msgstr.strip()
                or translated.fuzzy
                or translated.obsolete
            ):
                missing.append(entry.msgid)
                continue
            self.assertEqual(
                sorted(PLACEHOLDER.findall(entry.msgid)),
                sorted(PLACEHOLDER.findall(translated.msgstr)),
                f"placeholders differ in the translation of {entry.msgid!r}",
            )
        self.assertFalse(missing, f"{len(missing)} strings without zh_CN: {missing}")
        self.assertGreater(len(self.pot), 1000)

    def test_the_pot_covers_the_module(self):
        """Every user-facing string of the module as installed is in the
        .pot: the .po checked above is complete for the module, not only for
        an old export."""
        demo = demo_xmlids()
        pot_ids = {entry.msgid for entry in self.pot}
        missing = set()
        for (
            module,
            _ttype,
            _name,
            res_id,
            source,
            _value,
            _comments,
        ) in TranslationModuleReader(self.env.cr, ["key_account"]):
            if module != "key_account" or any(
                res_id == xmlid or str(res_id).startswith(f"{xmlid}_") for xmlid in demo
            ):
                continue
            if source not in pot_ids:
                missing.add(source)
        self.assertFalse(missing, f"strings missing from key_account.pot: {missing}")

    def test_ui_in_chinese(self):
        env = self.env(context=dict(self.env.context, lang="zh_CN"))
        field = env["ir.model.fields"]._get("res.partner", "ka_grade_id")
        self.assertEqual(
            field.field_description,
            self.zh[field.with_context(lang="en_US").field_description],
        )
        self.assertTrue(CJK.search(field.field_description))
        states = dict(
            env["key_account.visit"]._fields["state"]._description_selection(env)
        )
        self.assertTrue(all(CJK.search(label) for label in states.values()), states)
        root = env.ref("key_account.key_account_menu_root")
        self.assertEqual(root.name, self.zh["Key Accounts"])
        form = env["key_account.visit"].get_view(view_type="form")["arch"]
        self.assertIn(self.zh["Submit"], form)
        with self.assertRaises(ValidationError) as error:
            env["key_account.commission.plan"].create({"name": "空方案"})
        self.assertIn("空方案", str(error.exception))
        self.assertTrue(CJK.search(str(error.exception).replace("空方案", "")))
        self.assertNotIn("needs at least one tier", str(error.exception))

    def _html(self, report, records):
        html = (
            self.env["ir.actions.report"]
            .with_context(lang="zh_CN")
            ._render_qweb_html(report, records.ids)[0]
            .decode()
        )
        return html

    def test_pdf_forms_in_chinese(self):
        visit = self._visit()
        html = self._html("key_account.key_account_visit_report", visit)
        for label in ("Visit Plan and Record", "Key-Account Manager"):
            self.assertIn(self.zh[label], html)
            self.assertNotIn(label, html)

        reception = (
            self.env["key_account.reception"]
            .with_user(self.ka_user)
            .create(
                {
                    "partner_id": self.account.id,
                    "guest_ids": [Command.set(self.buyer.ids)],
                    "guest_count": 2,
                    "purpose": "visiting_customer",
                }
            )
        )
        html = self._html("key_account.key_account_reception_report", reception)
        self.assertIn(self.zh["Reception Application"], html)
        self.assertNotIn("Reception Application", html)

        self.ka_user.ka_commission_plan_id = self.env.ref(
            "key_account.key_account_commission_plan_full_time"
        )
        self._order(self.account, 12_000, date=date(2025, 3, 5), user=self.ka_user)
        settlement = self.env["key_account.commission.settlement"].compute_settlements(
            date(2025, 3, 1), date(2025, 4, 30), users=self.ka_user
        )
        html = self._html(
            "key_account.key_account_commission_settlement_report", settlement
        )
        self.assertIn(self.zh["Commission Statement:"], html)
        self.assertNotIn("Commission Statement", html)

    def test_scorecard_lines_in_the_reader_s_language(self):
        """A scorecard computed in English reads in Chinese for a Chinese
        reader: its indicator lines take the indicator's translations, a line
        renamed on the template keeps the template line's name."""
        template = self.env.ref("key_account.key_account_kpi_template_consultant")
        renamed = template.line_ids.filtered("indicator_id")[-1]
        renamed.name = "Our own wording"
        cards, _skipped = (
            self.env["key_account.scorecard"]
            .with_context(lang="en_US")
            ._ka_compute_scorecards(
                template, self.ka_user, date(2025, 1, 1), date(2025, 3, 31)
            )
        )
        lines = cards.line_ids.with_context(lang="zh_CN")
        sales_plan = lines.filtered(
            lambda line: line.indicator_id
            == self.env.ref("key_account.key_account_kpi_indicator_sales_plan")
        )
        self.assertEqual(
            sales_plan.name,
            self.zh[sales_plan.indicator_id.with_context(lang="en_US").name],
        )
        self.assertTrue(CJK.search(sales_plan.name))
        own = lines.filtered(lambda line: line.template_line_id == renamed)
        self.assertEqual(own.name, "Our own wording")
        self.assertEqual(
            sales_plan.with_context(lang="en_US").name, "Sales-plan completion"
        )
