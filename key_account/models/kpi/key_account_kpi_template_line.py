from datetime import date
from datetime import datetime
from itertools import pairwise

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .key_account_kpi_template import checks_deferred
from .key_account_kpi_template import defer_checks


class KeyAccountKpiTemplateLine(models.Model):
    _name = "key_account.kpi.template.line"
    _inherit = ["key_account.number.mixin"]
    _description = "KPI Appraisal Template Line"
    _order = "sequence, id"

    template_id = fields.Many2one(
        "key_account.kpi.template", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [("indicator", "Indicator"), ("manual", "Manual (appraisers)")],
        required=True,
        default="indicator",
    )
    indicator_id = fields.Many2one("key_account.kpi.indicator", ondelete="restrict")
    name = fields.Char(
        compute="_compute_name",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        translate=True,
    )
    scope = fields.Selection(
        [("own", "Own"), ("department", "Department")],
        string="Measured Over",
        required=True,
        default="own",
        help="Own: the appraised person's own records. Department: the records "
        "of their department, summed: for a sales-team leader, the active "
        "members of the teams they lead and themselves; for anyone else (an "
        "assistant), the members and leaders of the teams they belong to.",
    )
    weight = fields.Float(help="Share of the line in the score; lines sum to 100.")
    target = fields.Float(
        help="The value that earns 100% (for indicators where lower is better: "
        "the value not to exceed)."
    )
    unit = fields.Selection(related="indicator_id.unit")
    points_without_data = fields.Float(
        help="Points given when there is nothing to measure in the period (no "
        "sales, no feedback due, no plan...).",
    )
    band_ids = fields.One2many(
        "key_account.kpi.band", "line_id", string="Scoring Bands", copy=True
    )

    @api.depends("indicator_id")
    def _compute_name(self):
        for line in self:
            if line.indicator_id and not line.name:
                line.name = line.indicator_id.name

    @api.model
    def _ka_default_bands(self):
        """≥100% of target → 100 points, 60-100% → proportional, < 60% → 0."""
        return [
            {"from_pct": 0, "to_pct": 60, "mode": "fixed", "points": 0},
            {"from_pct": 60, "to_pct": 100, "mode": "proportional"},
            {"from_pct": 100, "to_pct": 0, "mode": "fixed", "points": 100},
        ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("kind", "indicator") == "indicator" and not vals.get(
                "band_ids"
            ):
                vals["band_ids"] = [
                    fields.Command.create(band) for band in self._ka_default_bands()
                ]
        deferred = checks_deferred(self.env)
        with defer_checks(self.env):
            lines = super().create(vals_list)
        if not deferred:
            lines.template_id._ka_check_weights()
            lines._ka_check_bands()
        return lines

    def write(self, vals):
        deferred = checks_deferred(self.env)
        with defer_checks(self.env):
            res = super().write(vals)
        if not deferred:
            self.template_id._ka_check_weights()
            self._ka_check_bands()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_keeps_weights(self):
        if checks_deferred(self.env):
            return
        for template in self.template_id:
            rest = template.line_ids - self
            if rest and abs(sum(rest.mapped("weight")) - 100.0) > 0.005:
                raise ValidationError(
                    self.env._(
                        "%(template)s: the weights of the lines must sum to 100; "
                        "change the other lines' weights in the same edit.",
                        template=template.name,
                    )
                )

    @api.constrains("kind", "indicator_id")
    def _check_indicator(self):
        for line in self:
            if line.kind == "indicator" and not line.indicator_id:
                raise ValidationError(
                    self.env._(
                        "%(line)s: choose the indicator of the line.", line=line.name
                    )
                )

    def _ka_check_bands(self):
        """Bands start at 0%, follow each other without gap nor overlap, and
        the last one has no upper limit."""
        for line in self.filtered(lambda rec: rec.kind == "indicator"):
            bands = line.band_ids.sorted(lambda b: (b.from_pct, b.id))
            if not bands:
                continue
            error = False
            if bands[0].from_pct != 0:
                error = self.env._(
                    "Scoring bands of %(line)s: the first band must start at 0%%.",
                    line=line.name,
                )
            elif bands[-1].to_pct:
                error = self.env._(
                    "Scoring bands of %(line)s: the last band must have no upper "
                    "limit (0).",
                    line=line.name,
                )
            for band, following in pairwise(bands):
                if error:
                    break
                if not band.to_pct or band.to_pct <= band.from_pct:
                    error = self.env._(
                        "Scoring bands of %(line)s: the band from %(from)s%% must "
                        "end above its start.",
                        line=line.name,
                        **{"from": band.from_pct},
                    )
                elif following.from_pct < band.to_pct:
                    error = self.env._(
                        "Scoring bands of %(line)s: the bands from %(a)s%% and "
                        "from %(b)s%% overlap.",
                        line=line.name,
                        a=band.from_pct,
                        b=following.from_pct,
                    )
                elif following.from_pct > band.to_pct:
                    error = self.env._(
                        "Scoring bands of %(line)s: there is a gap between "
                        "%(a)s%% and %(b)s%%.",
                        line=line.name,
                        a=band.to_pct,
                        b=following.from_pct,
                    )
            if error:
                raise ValidationError(error)

    # ---- scoring ---------------------------------------------------------------
    def _ka_achievement(self, value):
        """Value against target, in %."""
        self.ensure_one()
        target = self.target
        if self.indicator_id.higher_is_better:
            if target <= 0:
                return 100.0
            return 100.0 * value / target
        # lower is better: at or below the target is 100% or more
        if value <= 0:
            return 100.0 if target >= 0 else 0.0
        if target <= 0:
            return 0.0
        return 100.0 * target / value

    def _ka_points(self, achievement):
        """Points (0-100) the bands give for ``achievement`` %."""
        self.ensure_one()
        bands = self.band_ids.sorted(lambda b: (b.from_pct, b.id))
        if not bands:
            return max(0.0, min(achievement, 100.0))
        band = bands[0]
        for candidate in bands:
            if achievement >= candidate.from_pct:
                band = candidate
        points = achievement if band.mode == "proportional" else band.points
        return max(0.0, min(points, 100.0))

    @api.model
    def _ka_domain_repr(self, domain):
        """The domain as a literal (dates as strings), kept on the line."""

        def literal(value):
            if isinstance(value, datetime):
                return fields.Datetime.to_string(value)
            if isinstance(value, date):
                return fields.Date.to_string(value)
            return value

        return repr(
            [
                (leaf[0], leaf[1], literal(leaf[2]))
                if isinstance(leaf, tuple)
                else leaf
                for leaf in domain
            ]
        )

    def _ka_scorecard_line_vals(self, results, user, manual_points):
        """Values of the scorecard line of ``user`` for this template line.

        :param results: what the indicator computed for all users (None when
            not available)
        :param manual_points: {(user_id, template_line_id): (superior, peer)}
            points kept from an earlier computation
        """
        self.ensure_one()
        vals = {
            "template_line_id": self.id,
            "indicator_id": self.indicator_id.id,
            "sequence": self.sequence,
            "name": self.name,
            "kind": self.kind,
            "scope": self.scope,
            "weight": self.weight,
            "target": self.target,
        }
        if self.kind == "manual":
            superior, peer = manual_points.get((user.id, self.id), (0.0, 0.0))
            vals.update(superior_points=superior, peer_points=peer, has_data=True)
            return vals
        if results is None:
            vals.update(
                is_available=False,
                has_data=False,
                indicator_points=self.points_without_data,
            )
            return vals
        result = results[user.id]
        vals.update(
            value=result["value"],
            has_data=result["has_data"],
            res_model=result["model"] or False,
            res_domain=self._ka_domain_repr(result["domain"])
            if result["model"]
            else False,
        )
        if result["has_data"]:
            achievement = self._ka_achievement(result["value"])
            vals.update(
                achievement=achievement, indicator_points=self._ka_points(achievement)
            )
        else:
            vals["indicator_points"] = self.points_without_data
        return vals
