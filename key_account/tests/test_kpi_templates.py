from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestKpiTemplates(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.growth = cls.env.ref("key_account.key_account_kpi_indicator_sales_growth")
        cls.complaints = cls.env.ref("key_account.key_account_kpi_indicator_complaints")
        cls.template = cls.env["key_account.kpi.template"].create(
            {
                "name": "Test template",
                "line_ids": [
                    Command.create(
                        {"indicator_id": cls.growth.id, "weight": 60, "target": 10}
                    ),
                    Command.create(
                        {"indicator_id": cls.complaints.id, "weight": 30, "target": 2}
                    ),
                    Command.create(
                        {"kind": "manual", "name": "Attitude", "weight": 10}
                    ),
                ],
            }
        )
        cls.line_growth, cls.line_complaints, cls.line_manual = cls.template.line_ids

    def assertRefused(self, func, message=None):
        snapshot = self.template.read(["line_ids", "total_weight"])
        bands = self.line_growth.band_ids.read(["from_pct", "to_pct", "points"])
        with self.assertRaises(ValidationError) as caught, self.cr.savepoint():
            func()
            self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self.template.read(["line_ids", "total_weight"]), snapshot)
        self.assertEqual(
            self.line_growth.band_ids.read(["from_pct", "to_pct", "points"]), bands
        )
        if message:
            self.assertIn(message, str(caught.exception))

    def test_seed_templates(self):
        for role in ("manager", "assistant", "consultant"):
            template = self.env.ref(f"key_account.key_account_kpi_template_{role}")
            with self.subTest(role=role):
                self.assertAlmostEqual(template.total_weight, 100.0)
                self.assertEqual(template.superior_weight, 70.0)
                self.assertEqual(template.peer_weight, 30.0)
        consultant = self.env.ref("key_account.key_account_kpi_template_consultant")
        weights = {
            line.indicator_id.code: line.weight
            for line in consultant.line_ids
            if line.indicator_id
        }
        self.assertEqual(weights["sales_plan"], 50)
        self.assertEqual(weights["churn"], 10)
        self.assertEqual(weights["dev_plan"], 10)
        self.assertEqual(weights["complaints"], 5)
        self.assertEqual(weights["feedback_timeliness"], 5)

    def test_weights_must_sum_to_100(self):
        self.assertRefused(
            lambda: self.line_growth.write({"weight": 50}), "sum to 100, not 90"
        )
        self.assertRefused(
            lambda: self.env["key_account.kpi.template"].create(
                {
                    "name": "Bad",
                    "line_ids": [
                        Command.create({"indicator_id": self.growth.id, "weight": 70})
                    ],
                }
            ),
            "sum to 100",
        )
        self.assertRefused(lambda: self.line_manual.unlink(), "sum to 100")
        self.assertRefused(
            lambda: self.env["key_account.kpi.template.line"].create(
                {
                    "template_id": self.template.id,
                    "kind": "manual",
                    "name": "Extra",
                    "weight": 5,
                }
            )
        )
        # changing several lines in one edit is fine when the total stays 100
        self.template.write(
            {
                "line_ids": [
                    Command.update(self.line_growth.id, {"weight": 50}),
                    Command.update(self.line_manual.id, {"weight": 20}),
                ]
            }
        )
        self.assertEqual(self.template.total_weight, 100)

    def test_appraiser_weights(self):
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.template.write({"superior_weight": 60})
        self.template.write({"superior_weight": 60, "peer_weight": 40})
        self.assertEqual(self.template.superior_weight, 60)

    def test_bands_without_overlap_nor_gap(self):
        self.assertEqual(len(self.line_growth.band_ids), 3)  # the defaults
        low, middle, high = self.line_growth.band_ids
        self.assertRefused(lambda: middle.write({"from_pct": 50}), "overlap")
        self.assertRefused(lambda: middle.write({"from_pct": 70}), "gap")
        self.assertRefused(lambda: low.write({"from_pct": 10}), "start at 0%")
        self.assertRefused(lambda: high.write({"to_pct": 150}), "no upper limit")
        self.assertRefused(lambda: high.write({"points": 120}))
        self.assertRefused(
            lambda: self.line_growth.write(
                {
                    "band_ids": [
                        Command.update(low.id, {"to_pct": 80}),
                        Command.update(middle.id, {"from_pct": 85}),
                    ]
                }
            ),
            "gap",
        )
        # moving two bands' shared limit in one edit is fine
        self.line_growth.write(
            {
                "band_ids": [
                    Command.update(low.id, {"to_pct": 80}),
                    Command.update(middle.id, {"from_pct": 80}),
                ]
            }
        )
        self.assertEqual(middle.from_pct, 80)

    def test_scoring(self):
        line = self.line_growth  # target 10 (%), higher is better
        self.assertAlmostEqual(line._ka_achievement(12), 120.0)
        self.assertEqual(line._ka_points(120), 100)
        self.assertEqual(line._ka_points(100), 100)
        self.assertAlmostEqual(line._ka_points(85), 85)
        self.assertAlmostEqual(line._ka_points(60), 60)
        self.assertEqual(line._ka_points(59.9), 0)
        self.assertEqual(line._ka_points(-30), 0)
        # lower is better: 2 complaints allowed
        line = self.line_complaints
        self.assertEqual(line._ka_achievement(0), 100.0)
        self.assertEqual(line._ka_achievement(2), 100.0)
        self.assertEqual(line._ka_achievement(1), 200.0)
        self.assertAlmostEqual(line._ka_achievement(3), 200.0 / 3)
        self.assertEqual(line._ka_points(line._ka_achievement(4)), 0)
