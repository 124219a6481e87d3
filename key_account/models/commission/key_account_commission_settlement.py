import logging
from collections import defaultdict
from collections import namedtuple

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import float_round

from ..common.groups import KA_APPROVER
from ..common.groups import KA_MANAGER
from ..common.lang import env_for

_logger = logging.getLogger(__name__)

# computed lines are replaced by every recompute; the others are entered by
# hand (or proposed) and kept
COMPUTED_LINE_TYPES = ("order", "referral", "reward", "expense", "reversal")
# a live settlement holds its orders: no other settlement may count them
LIVE_STATES = ("draft", "confirmed", "paid")
# money promised or paid: what confirmation and payment check against
SETTLED_STATES = ("confirmed", "paid")
# the lines a manager enters by hand
MANUAL_LINE_TYPES = ("award", "penalty", "correction")
# what the confirmed or paid settlements of a period hold (company currency)
PeriodSettled = namedtuple(
    "PeriodSettled", "base deducted reward", defaults=(0.0, 0.0, 0.0)
)
# a part-timer without sale for this many calendar months stops earning
INACTIVE_MONTHS = 3


class KeyAccountCommissionSettlement(models.Model):
    """What one salesperson earns for one period: a line per sale order,
    adjustments, a total. Confirmed and paid settlements never change."""

    _name = "key_account.commission.settlement"
    _description = "Commission Settlement"
    _inherit = ["mail.thread", "mail.activity.mixin", "key_account.workflow.mixin"]
    _order = "date_from desc, user_id"
    # the computation sets whose, of which period and company, on which plan
    _ka_workflow_fields = frozenset(
        {"state", "cancel_reason", "user_id", "date_from", "date_to", "company_id"}
        | {"plan_id", "confirmed_by_id", "confirmed_date"}
    )
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users", string="Salesperson", required=True, index=True, readonly=True
    )
    plan_id = fields.Many2one("key_account.commission.plan", readonly=True)
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("confirmed", "Confirmed"),
            ("paid", "Paid"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        readonly=True,
    )
    line_ids = fields.One2many(
        "key_account.commission.settlement.line", "settlement_id", string="Lines"
    )
    amount_base = fields.Monetary(
        string="Base Amount",
        compute="_compute_amounts",
        store=True,
        aggregator="sum",
    )
    amount_excluded = fields.Monetary(
        string="Left Out",
        compute="_compute_amounts",
        store=True,
        aggregator="sum",
        help="The untaxed sales of products outside the plan's commissionable "
        "categories: not in the base amount, no commission, not counted for "
        "the tier.",
    )
    amount_commission = fields.Monetary(
        string="Commission",
        compute="_compute_amounts",
        store=True,
        aggregator="sum",
        tracking=True,
    )
    amount_referral = fields.Monetary(
        string="Referral Shares",
        compute="_compute_amounts",
        store=True,
        aggregator="sum",
        help="The referral contacts' shares of the commissions, payable to "
        "them, not included in the salesperson's commission.",
    )
    cancel_reason = fields.Text(readonly=True, copy=False)
    confirmed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    confirmed_date = fields.Datetime(string="Confirmed On", readonly=True, copy=False)

    _sql_constraints = [
        (
            "dates_check",
            "CHECK(date_from <= date_to)",
            "A period ends after it starts.",
        ),
    ]

    @api.depends("user_id", "date_from", "date_to")
    def _compute_name(self):
        for settlement in self:
            settlement.name = (
                f"{settlement.user_id.name or ''} "
                f"{settlement.date_from or ''} - {settlement.date_to or ''}"
            )

    @api.depends(
        "line_ids.amount_base",
        "line_ids.amount_excluded",
        "line_ids.amount_commission",
        "line_ids.payee_partner_id",
    )
    def _compute_amounts(self):
        groups = self.env["key_account.commission.settlement.line"]._read_group(
            [("settlement_id", "in", self.ids)],
            ["settlement_id", "payee_partner_id"],
            ["amount_base:sum", "amount_excluded:sum", "amount_commission:sum"],
        )
        sums = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        for settlement, payee, base, excluded, comm in groups:
            if payee:
                sums[settlement.id][2] += comm
            else:
                sums[settlement.id][0] += base
                sums[settlement.id][1] += comm
                sums[settlement.id][3] += excluded
        for settlement in self:
            base, comm, referral, excluded = sums[settlement.id]
            settlement.amount_base = base
            settlement.amount_commission = comm
            settlement.amount_referral = referral
            settlement.amount_excluded = excluded

    # ------------------------------------------------------------------
    # immutability
    # ------------------------------------------------------------------

    def _ka_locked_message(self, record, what=None):
        return self.env._(
            "The settlement %(name)s is %(state)s: it cannot be changed "
            "or deleted, only cancelled with a reason by a manager.",
            name=record.name,
            state=dict(record._fields["state"]._description_selection(self.env))[
                record.state
            ],
        )

    def _check_draft(self):
        self._ka_check_open()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        self._check_draft()

    # ------------------------------------------------------------------
    # workflow
    # ------------------------------------------------------------------

    def _ka_check_not_own_edit(self, fnames=None):
        """Nobody edits their own settlement (nor its lines): a manager's
        commission is computed by the module, adjusted and confirmed by
        another manager. The computation writes as superuser."""
        if self.env.su or (fnames is not None and not self._ka_frozen(fnames)):
            return
        own = self.filtered(lambda s: s.user_id == self.env.user)
        if own:
            raise AccessError(
                self.env._(
                    "%(name)s is your own settlement: another manager adjusts it.",
                    name=own[0].name,
                )
            )

    def write(self, vals):
        self._ka_check_not_own_edit(vals)
        return super().write(vals)

    def _ka_check_not_own(self, group, action):
        """Separation of duties: ``action`` (``confirm``, ``pay``,
        ``cancel``) is for the members of ``group``, never on their own
        settlement."""
        user = self.env.user
        if not (self.env.su or user.has_group(group)):
            raise AccessError(
                {
                    "confirm": self.env._(
                        "You may not confirm commission settlements."
                    ),
                    "pay": self.env._("You may not pay commission settlements."),
                    "cancel": self.env._("You may not cancel commission settlements."),
                }[action]
            )
        own = self.filtered(lambda s: s.user_id == user)
        if own:
            name = own[0].name
            raise AccessError(
                {
                    "confirm": self.env._(
                        "%(name)s is your own settlement: another person must "
                        "confirm it.",
                        name=name,
                    ),
                    "pay": self.env._(
                        "%(name)s is your own settlement: another person must pay it.",
                        name=name,
                    ),
                    "cancel": self.env._(
                        "%(name)s is your own settlement: another person must "
                        "cancel it.",
                        name=name,
                    ),
                }[action]
            )

    def _ka_check_counted_once(self, action):
        """Money moves once. Before ``action`` (``confirm``, ``pay``): refuse when an
        order, an (invoice, order) pair, a payment share of one (the same
        reconciliation) or a reversal of these settlements is
        in another confirmed or paid settlement (or in two of them), or when
        another confirmed or paid settlement of the same salesperson and
        company covers part of a different period. The settlements involved
        are locked first: of two people confirming settlements that count the
        same order at the same moment, the second waits, then fails with a
        serialization error and is retried, and refused."""
        if not self:
            return
        self.env["key_account.commission.settlement.line"].flush_model(
            [
                "settlement_id",
                "line_type",
                "order_id",
                "invoice_id",
                "partial_key",
                "reversed_line_id",
            ]
        )
        self.flush_model(["state", "user_id", "company_id", "date_from", "date_to"])
        self.env.cr.execute(
            SQL(
                """
            SELECT l.settlement_id, o.settlement_id, l.order_id, l.line_type
              FROM key_account_commission_settlement_line l
              JOIN key_account_commission_settlement_line o
                ON o.settlement_id <> l.settlement_id
               AND ((l.line_type = 'order' AND o.line_type = 'order'
                     AND o.order_id = l.order_id
                     AND (l.invoice_id IS NULL OR o.invoice_id IS NULL
                          OR (o.invoice_id = l.invoice_id
                              AND (COALESCE(l.partial_key, 0) = 0
                                   OR COALESCE(o.partial_key, 0) = 0
                                   OR o.partial_key = l.partial_key))))
                 OR (l.line_type = 'reversal' AND o.line_type = 'reversal'
                     AND o.reversed_line_id = l.reversed_line_id))
              JOIN key_account_commission_settlement os ON os.id = o.settlement_id
             WHERE l.settlement_id = ANY(%(ids)s) AND os.state = ANY(%(live)s)
            UNION ALL
            SELECT s.id, os.id, NULL, 'period'
              FROM key_account_commission_settlement s
              JOIN key_account_commission_settlement os
                ON os.user_id = s.user_id AND os.company_id = s.company_id
               AND os.id <> s.id AND os.state = ANY(%(live)s)
               AND os.date_from <= s.date_to AND os.date_to >= s.date_from
               AND (os.date_from <> s.date_from OR os.date_to <> s.date_to)
             WHERE s.id = ANY(%(ids)s)
            """,
                ids=self.ids,
                live=list(LIVE_STATES),
            )
        )
        clashes = self.env.cr.fetchall()
        involved = sorted(set(self.ids) | {other for _mine, other, *_rest in clashes})
        # a concurrent confirmation of one of them fails this with a
        # serialization error, which the server retries (not a bad query)
        self.env.cr.execute(
            SQL(
                """
            SELECT id, state FROM key_account_commission_settlement
             WHERE id = ANY(%s) ORDER BY id FOR UPDATE
            """,
                involved,
            ),
            log_exceptions=False,
        )
        states = dict(self.env.cr.fetchall())
        for mine, other, order_id, kind in clashes:
            if other not in self.ids and states.get(other) not in SETTLED_STATES:
                continue
            settlement = self.browse(mine)
            other_settlement = self.sudo().browse(other)
            values = {
                "name": settlement.name,
                "other": other_settlement.name,
                "state": dict(self._fields["state"]._description_selection(self.env))[
                    other_settlement.state
                ],
                "order": self.env["sale.order"].sudo().browse(order_id).name,
            }
            message = self._ka_counted_twice_message(action, kind, values)
            raise UserError(message)

    def _ka_counted_twice_message(self, action, kind, values):
        """Why ``action`` (``confirm``, ``pay``) is refused: a clash of
        ``kind`` (``period``, ``reversal``, ``order``), one whole sentence
        per case."""
        if kind == "period":
            if action == "confirm":
                return self.env._(
                    "Cannot confirm %(name)s: %(other)s (%(state)s) already "
                    "covers part of its period. Cancel one of them, or compute "
                    "the same period again.",
                    **values,
                )
            return self.env._(
                "Cannot pay %(name)s: %(other)s (%(state)s) already covers part "
                "of its period. Cancel one of them, or compute the same period "
                "again.",
                **values,
            )
        if kind == "reversal":
            if action == "confirm":
                return self.env._(
                    "Cannot confirm %(name)s: the cancellation of %(order)s is "
                    "already deducted in %(other)s (%(state)s).",
                    **values,
                )
            return self.env._(
                "Cannot pay %(name)s: the cancellation of %(order)s is already "
                "deducted in %(other)s (%(state)s).",
                **values,
            )
        if action == "confirm":
            return self.env._(
                "Cannot confirm %(name)s: %(order)s is already counted in "
                "%(other)s (%(state)s), and an order is paid once. Recompute "
                "%(name)s, or cancel one of them.",
                **values,
            )
        return self.env._(
            "Cannot pay %(name)s: %(order)s is already counted in %(other)s "
            "(%(state)s), and an order is paid once. Recompute %(name)s, or "
            "cancel one of them.",
            **values,
        )

    def action_confirm(self):
        self._ka_check_not_own(KA_MANAGER, "confirm")
        for settlement in self:
            if settlement.state != "draft":
                raise UserError(
                    self.env._(
                        "Only a draft settlement can be confirmed: %(name)s is not.",
                        name=settlement.name,
                    )
                )
        self._ka_check_manual_lines_by_another()
        self._ka_check_counted_once("confirm")
        self._ka_workflow_write(
            {
                "state": "confirmed",
                "confirmed_by_id": self.env.uid,
                "confirmed_date": fields.Datetime.now(),
            }
        )

    def _ka_check_manual_lines_by_another(self):
        """Four eyes on the money added by hand: a settlement with an award,
        a penalty or a correction is confirmed, and paid, by people who
        neither entered nor changed one of them."""
        user = self.env.user
        # read whoever acts (an accountant registering the payment reads no
        # settlement)
        for settlement in self.sudo():
            mine = settlement.line_ids.filtered(
                lambda line: line.line_type in MANUAL_LINE_TYPES
                and user in line.entered_by_ids
            )
            if mine:
                raise AccessError(
                    self.env._(
                        "%(name)s has a line you entered or changed by hand "
                        "(%(line)s): another person confirms and pays it.",
                        name=settlement.name,
                        line=mine[0].reason or mine[0].display_name,
                    )
                )

    def action_pay(self):
        self._ka_check_not_own(KA_APPROVER, "pay")
        # checked again where the money leaves: whoever entered or changed a
        # manual line neither confirms nor pays it
        self._ka_check_manual_lines_by_another()
        for settlement in self:
            if settlement.state != "confirmed":
                raise UserError(
                    self.env._(
                        "Only a confirmed settlement can be paid: %(name)s is not.",
                        name=settlement.name,
                    )
                )
        self._ka_check_counted_once("pay")
        self._ka_workflow_write({"state": "paid"})

    def action_cancel(self, reason):
        self._ka_check_not_own(KA_MANAGER, "cancel")
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason to cancel a settlement."))
        for settlement in self:
            if settlement.state == "cancelled":
                raise UserError(
                    self.env._(
                        "The settlement %(name)s is already cancelled.",
                        name=settlement.name,
                    )
                )
            if settlement.state == "paid":
                raise UserError(
                    self.env._(
                        "The settlement %(name)s is paid: it cannot be cancelled "
                        "(its orders would be paid again); correct it with a line "
                        "in a later settlement.",
                        name=settlement.name,
                    )
                )
        self._ka_workflow_write({"state": "cancelled", "cancel_reason": reason})
        for settlement in self:
            # for the salesperson, in their language
            settlement.message_post(
                body=env_for(self.env, settlement.user_id)._(
                    "Cancelled: %(reason)s", reason=reason
                )
            )

    def action_open_cancel_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Settlement"),
            "res_model": "key_account.commission.settlement.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_settlement_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # computation
    # ------------------------------------------------------------------

    @staticmethod
    def _ka_inactive_in(months, month, leave=frozenset()):
        """A part-timer who sold before but not in the 3 calendar months
        before ``month`` is inactive in it; the months of an approved
        ``leave`` do not count (the window reaches further back)."""
        window = set()
        previous = month
        for _step in range(INACTIVE_MONTHS + len(leave)):
            if len(window) == INACTIVE_MONTHS:
                break
            previous -= relativedelta(months=1)
            if previous not in leave:
                window.add(previous)
        earlier = any(m < month for m in months)
        return earlier and not months & window

    @api.model
    def compute_settlements(self, date_from, date_to, users=None):
        """Create or refresh the draft settlements of the period
        [date_from, date_to] for ``users`` (default: every salesperson with a
        plan who sold in it); for Key Account managers.

        An order (on plans paid on invoiced and paid amounts: each payment's
        share of an invoice of an order) is counted in one live settlement
        (draft, confirmed or paid) at most; a cancelled settlement frees its
        orders. Confirmed and paid settlements are never touched. Recomputing
        the same period refreshes its drafts. A period overlapping a live settlement of
        another period of the same salesperson and company is refused for the
        ``users`` named (a UserError naming that settlement); computing for
        everybody (``users`` None) leaves those salespeople out (see
        :meth:`_ka_compute_settlements`, which also says who). Returns the
        settlements created or refreshed."""
        if users is not None and not isinstance(users, models.BaseModel):
            users = self.env["res.users"].browse(users)  # ids, from a client
        settlements, _overlaps = self._ka_compute_settlements(
            date_from, date_to, users=users, skip_overlaps=users is None
        )
        return settlements

    @api.model
    def _ka_last_period(self, cadence, today=None):
        """The last complete settlement period of ``cadence`` before
        ``today`` (default: the user's today): last month, or the last of the
        two-month periods January-February, March-April, ..."""
        today = today or fields.Date.context_today(self)
        start = today.replace(day=1)
        if cadence == "bimonthly":
            start = start.replace(month=start.month - (start.month - 1) % 2)
            return start - relativedelta(months=2), start - relativedelta(days=1)
        return start - relativedelta(months=1), start - relativedelta(days=1)

    @api.model
    def _ka_overlapping(self, date_from, date_to, users=None):
        """The live settlements of ``users`` (default: everybody) in the
        current companies whose period overlaps [date_from, date_to] without
        being it."""
        domain = [
            ("state", "in", LIVE_STATES),
            ("company_id", "in", self.env.companies.ids),
            ("date_from", "<=", date_to),
            ("date_to", ">=", date_from),
            "|",
            ("date_from", "!=", date_from),
            ("date_to", "!=", date_to),
        ]
        if users is not None:
            domain.append(("user_id", "in", users.ids))
        return self.sudo().search(domain, order="user_id, date_from")

    @api.model
    def _ka_compute_settlements(
        self, date_from, date_to, users=None, skip_overlaps=False
    ):
        """:meth:`compute_settlements`; the salespeople with a live settlement
        overlapping the period (another period, same company) are refused, or
        with ``skip_overlaps`` left out.

        :return: (the settlements created or refreshed, the overlapping
            settlements whose salespeople were left out)
        """
        if not (self.env.su or self.env.user.has_group(KA_MANAGER)):
            raise AccessError(
                self.env._("Only Key Account managers can compute commissions.")
            )
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        if date_from > date_to:
            raise UserError(self.env._("The period must end after it starts."))
        overlaps = self._ka_overlapping(date_from, date_to, users)
        if overlaps and not skip_overlaps:
            raise UserError(
                self.env._(
                    "%(settlements)s already cover part of %(date_from)s - "
                    "%(date_to)s: an order is settled once. Compute exactly "
                    "their period again, or cancel them first.",
                    settlements=", ".join(overlaps[:5].mapped("name")),
                    date_from=date_from,
                    date_to=date_to,
                )
            )
        skipped = {(s.user_id.id, s.company_id.id) for s in overlaps}
        # checked above: the computation writes as superuser (a manager's own
        # settlement is computed like the others')
        settlements = self.sudo()._ka_write_settlements(
            date_from, date_to, users, skipped
        )
        return settlements.with_env(self.env), overlaps

    @api.model
    def _ka_write_settlements(self, date_from, date_to, users, skipped):
        """Create or refresh the drafts of the period (as superuser: the
        caller checked who computes), leaving out the ``skipped`` (user id,
        company id) pairs."""
        Line = self.env["key_account.commission.settlement.line"]
        # existing drafts of the period are refreshed (their lines do not hold
        # their orders), others created
        draft_domain = [
            ("date_from", "=", date_from),
            ("date_to", "=", date_to),
            ("state", "=", "draft"),
            ("company_id", "in", self.env.companies.ids),
        ]
        if users is not None:
            draft_domain.append(("user_id", "in", users.ids))
        drafts = self.search(draft_domain).filtered(
            lambda s: (s.user_id.id, s.company_id.id) not in skipped
        )
        # salespeople paid on invoiced and paid amounts: their rows come from
        # the invoices paid in the period instead of the orders of the period
        paid_domain = [("ka_commission_plan_id.amount_basis", "=", "paid")]
        if users is not None:
            paid_domain.append(("id", "in", users.ids))
        paid_users = self.env["res.users"].sudo().search(paid_domain)
        rows = self._ka_fetch_orders(
            date_from, date_to, users, paid_users, refreshed=drafts.ids
        )
        rows += self._ka_fetch_paid(date_from, date_to, paid_users, drafts.ids)
        reversals = self._ka_fetch_reversals(date_from, users, drafts.ids)

        by_key = defaultdict(list)
        for row in rows:
            by_key[(row.user_id, row.company_id)].append(row)
        reversal_by_key = defaultdict(list)
        for row in reversals:
            reversal_by_key[(row.user_id, row.company_id)].append(row)
        keys = set(by_key) | set(reversal_by_key)
        all_users = self.env["res.users"].browse({uid for uid, _c in keys}).sudo()
        plans = {u.id: u.ka_commission_plan_id for u in all_users}
        keys = {k for k in keys if plans.get(k[0]) and k not in skipped}
        key_users = self.env["res.users"].browse({uid for uid, _c in keys}).sudo()
        expenses = self._ka_expenses_by_user(key_users, date_from, date_to)
        targets = self.env["key_account.commission.target"]._ka_effective_targets(
            key_users, date_from, date_to
        )
        reversed_lines = Line.sudo().browse([row.line_id for row in reversals])
        reversed_lines.fetch(
            [
                "amount_base",
                "amount_excluded",
                "amount_commission",
                "order_id",
                "invoice_id",
                "payee_partner_id",
            ]
        )

        draft_by_key = {(s.user_id.id, s.company_id.id): s for s in drafts}
        missing = sorted(k for k in keys if k not in draft_by_key)
        # no creation log: written by a scheduled action, it would read in
        # its language, not the salesperson's
        created = self.with_context(mail_create_nolog=True).create(
            [
                {
                    "user_id": uid,
                    "company_id": cid,
                    "date_from": date_from,
                    "date_to": date_to,
                    "plan_id": plans[uid].id,
                }
                for uid, cid in missing
            ]
        )
        draft_by_key.update({(s.user_id.id, s.company_id.id): s for s in created})
        Line.search(
            [
                ("settlement_id", "in", drafts.ids),
                ("line_type", "in", COMPUTED_LINE_TYPES),
            ]
        ).unlink()
        settled = self._ka_settled_in_period(
            date_from, date_to, key_users, drafts | created
        )
        part_timers = key_users.filtered(
            lambda u: plans[u.id].salesperson_kind == "part_time"
        )
        sale_months = self._ka_sale_months(part_timers, date_to)
        leave_months = self.env["key_account.commission.leave"]._ka_leave_months(
            part_timers
        )
        ended = self._ka_ended_orders(
            [row for row in rows if row.user_id in part_timers.ids]
        )
        line_vals = []
        for uid, cid in sorted(keys):
            settlement = draft_by_key[(uid, cid)]
            plan = plans[uid]
            if settlement.plan_id != plan:
                settlement.plan_id = plan
            line_vals += self._ka_line_values(
                settlement,
                plan,
                by_key.get((uid, cid), []),
                expenses.get(uid, 0.0),
                targets.get(uid),
                sale_months.get(uid) if uid in part_timers.ids else None,
                settled.get((uid, cid), PeriodSettled()),
                leave=leave_months.get(uid, frozenset()),
                ended=ended,
            )
            for reversal in reversal_by_key.get((uid, cid), []):
                line = reversed_lines.browse(reversal.line_id)
                if reversal.unpaid and (line.invoice_id or line.order_id):
                    reason = self.env._(
                        "The payment of %(invoice)s this commission was paid on "
                        "was undone after it was settled.",
                        invoice=line.invoice_id.name or line.order_id.name,
                    )
                elif reversal.unpaid:
                    reason = self.env._(
                        "The payment of the invoice this commission was paid on "
                        "was undone after it was settled."
                    )
                else:
                    reason = self.env._(
                        "%(order)s was cancelled after its commission was settled.",
                        order=line.order_id.name,
                    )
                line_vals.append(
                    {
                        "settlement_id": settlement.id,
                        "line_type": "reversal",
                        "order_id": line.order_id.id,
                        "invoice_id": line.invoice_id.id,
                        "reversed_line_id": line.id,
                        "payee_partner_id": line.payee_partner_id.id,
                        "amount_base": -line.amount_base,
                        "amount_excluded": -line.amount_excluded,
                        "amount_commission": -line.amount_commission,
                        "reason": reason,
                    }
                )
        # one INSERT, as the computation's: no create record by record
        Line._ka_create_computed(line_vals)
        return drafts | created

    @api.model
    def _ka_settled_in_period(self, date_from, date_to, users, refreshed):
        """What the confirmed or paid settlements of exactly this period
        already hold, per (user id, company id): a later computation of the
        period (orders confirmed late) tiers on the whole period, and deducts
        the expenses and pays the period's fixed reward once."""
        groups = (
            self.env["key_account.commission.settlement.line"]
            .sudo()
            ._read_group(
                [
                    ("settlement_id.user_id", "in", users.ids),
                    ("settlement_id.state", "in", SETTLED_STATES),
                    ("settlement_id.date_from", "=", date_from),
                    ("settlement_id.date_to", "=", date_to),
                    ("settlement_id", "not in", refreshed.ids),
                    ("line_type", "in", ("order", "expense", "reward")),
                ],
                ["settlement_id", "line_type"],
                ["amount_base:sum", "amount_commission:sum"],
            )
        )
        settled = defaultdict(PeriodSettled)
        for settlement, line_type, base, commission in groups:
            key = (settlement.user_id.id, settlement.company_id.id)
            done = settled[key]
            if line_type == "order":
                done = done._replace(base=done.base + base)
            elif line_type == "expense":
                done = done._replace(deducted=done.deducted - base)
            else:
                done = done._replace(reward=done.reward + commission)
            settled[key] = done
        return settled

    def _ka_line_values(
        self,
        settlement,
        plan,
        rows,
        expense,
        target,
        months=None,
        settled=None,
        leave=frozenset(),
        ended=frozenset(),
    ):
        """The computed lines of one settlement, as create values. ``months``:
        the months with sales of a part-timer (inactivity rule), ``leave``
        the months of their approved leaves; ``settled``: what settlements
        of the same period already hold (:meth:`_ka_settled_in_period`);
        ``ended``: the orders of customers the salesperson lost when their
        cooperation ended (:meth:`_ka_ended_orders`), the company's."""
        settled = settled or PeriodSettled()
        currency = settlement.currency_id
        # the company's sales count neither in the base nor in the tier
        total = sum(row.base for row in rows if row.order_id not in ended)
        expense = expense if plan.deduct_expenses else 0.0
        # expenses of the period not deducted yet
        deducted = currency.round(max(expense - settled.deducted, 0.0))
        period_amount = settled.base + total - settled.deducted - deducted
        Tier = self.env["key_account.commission.tier"]
        find_tier = plan._ka_tier_finder()
        if plan.tier_basis == "target_share":
            share = period_amount / target * 100 if target else 0.0
            period_tier = find_tier(share)
        else:
            period_tier = find_tier(period_amount)
        threshold = plan.discount_threshold or 100.0
        # read once, not for each order
        tier_basis = plan.tier_basis
        lowest_tier = plan.tier_ids.sorted("amount_from")[:1]
        rates = {tier: tier.rate for tier in plan.tier_ids | period_tier}
        rates[Tier] = 0.0
        fixed_amounts = {tier: tier.fixed_amount for tier in rates}
        labels = {tier: tier.label for tier in rates}
        rounding = currency.rounding
        vals_list = []
        inactive_orders = []
        inactive_reason = self.env._(
            "No commission: the part-timer had no sale in the %(months)s calendar "
            "months before this order's month.",
            months=INACTIVE_MONTHS,
        )
        excluded_reason = self.env._(
            "No commission: none of its products is in the plan's "
            "commissionable categories."
        )
        ended_reason = self.env._(
            "No commission: the customer went back to the company when the "
            "part-timer's cooperation ended; its later sales are the company's."
        )
        for row in rows:
            base = row.base
            if tier_basis == "order":
                tier = find_tier(base)
            elif tier_basis == "max":
                candidates = [t for t in (period_tier, find_tier(base)) if t]
                tier = max(candidates, key=rates.__getitem__, default=Tier)
            else:
                tier = period_tier
            if base < 0 and not tier:
                # a credit note in a period without positive sales is
                # deducted at the rate of the lowest tier
                tier = lowest_tier
            tier_rate = rates[tier]
            rate = tier_rate
            if row.ratio < threshold:
                rate = rate * row.ratio / threshold
            fixed = fixed_amounts[tier] if tier_basis == "order" else 0.0
            lost = row.order_id in ended
            inactive = (
                not lost
                and months is not None
                and self._ka_inactive_in(
                    months, row.date.date().replace(day=1), leave=leave
                )
            )
            if lost:
                rate, fixed = 0.0, 0.0
            elif inactive:
                rate, fixed = 0.0, 0.0
                inactive_orders.append(row.order_id)
            elif not base and row.excluded:
                # nothing the plan covers: no fixed amount either
                fixed = 0.0
            # currency.round, without a method call per order
            commission = float_round(
                base * rate / 100 + fixed, precision_rounding=rounding
            )
            referral_part = (
                float_round(
                    commission * row.referral_share / 100, precision_rounding=rounding
                )
                if row.referral_id and row.referral_share
                else 0.0
            )
            vals_list.append(
                {
                    "settlement_id": settlement.id,
                    "line_type": "order",
                    "order_id": row.order_id,
                    "invoice_id": row.invoice_id,
                    "partial_key": row.partial_key,
                    "payment_move_id": row.payment_move_id,
                    "date": row.date.date(),
                    "amount_base": base,
                    "amount_excluded": row.excluded,
                    "price_ratio": row.ratio,
                    "tier_rate": tier_rate,
                    "rate": rate,
                    "amount_commission": commission - referral_part,
                    "reason": ended_reason
                    if lost
                    else inactive_reason
                    if inactive
                    else (
                        labels[tier]
                        if fixed
                        else (excluded_reason if not base and row.excluded else False)
                    ),
                }
            )
            if referral_part:
                # one commission, split: the referral's share is its own
                # line, payable to the contact, outside the salesperson's total
                vals_list.append(
                    {
                        "settlement_id": settlement.id,
                        "line_type": "referral",
                        "order_id": row.order_id,
                        "invoice_id": row.invoice_id,
                        "partial_key": row.partial_key,
                        "payment_move_id": row.payment_move_id,
                        "date": row.date.date(),
                        "payee_partner_id": row.referral_id,
                        "rate": rate * row.referral_share / 100,
                        "amount_commission": referral_part,
                        "reason": self.env._(
                            "Referral share: %(share)s%%",
                            share=format(row.referral_share, "g"),
                        ),
                    }
                )
        if inactive_orders:
            # noted once: the notes are found by their subtype, not by their
            # text (written in the language of whoever computed)
            subtype = self.env.ref(
                "key_account.mail_message_subtype_part_timer_inactive"
            )
            orders = self.env["sale.order"].sudo().browse(inactive_orders)
            noted = (
                self.env["mail.message"]
                .sudo()
                ._read_group(
                    [
                        ("model", "=", "sale.order"),
                        ("res_id", "in", inactive_orders),
                        ("subtype_id", "=", subtype.id),
                    ],
                    ["res_id"],
                )
            )
            done = {res_id for (res_id,) in noted}
            to_note = [o for o in inactive_orders if o not in done]
            if to_note:
                # for the salesperson, in their language
                note = env_for(self.env, settlement.user_id)._(
                    "No commission: the part-timer had no sale in the %(months)s "
                    "calendar months before this order's month.",
                    months=INACTIVE_MONTHS,
                )
                orders.browse(to_note)._message_log_batch(
                    bodies=dict.fromkeys(to_note, note)
                ).subtype_id = subtype
        reward = period_tier.fixed_amount - settled.reward
        # on sales of covered products only
        if (
            plan.tier_basis != "order"
            and reward > 0
            and any(r.base for r in rows if r.order_id not in ended)
        ):
            vals_list.append(
                {
                    "settlement_id": settlement.id,
                    "line_type": "reward",
                    "amount_commission": reward,
                    "reason": period_tier.label
                    or self.env._("Fixed reward of the tier"),
                }
            )
        if deducted:
            vals_list.append(
                {
                    "settlement_id": settlement.id,
                    "line_type": "expense",
                    "amount_base": -deducted,
                    "tier_rate": period_tier.rate,
                    "rate": period_tier.rate,
                    "amount_commission": -currency.round(
                        deducted * period_tier.rate / 100
                    ),
                    "reason": self.env._("Reimbursed expenses of the period"),
                }
            )
        return vals_list

    @api.model
    def _cron_compute_settlements(self):
        """After each month: compute the settlements of the period that just
        ended (monthly plans every month, two-month plans after February,
        April, ...). Salespeople with a live settlement overlapping the period
        are left out (logged)."""
        today = fields.Date.context_today(self)
        Users = self.env["res.users"].sudo()
        for cadence in ("monthly", "bimonthly"):
            date_from, date_to = self._ka_last_period(cadence, today)
            if date_to != today.replace(day=1) - relativedelta(days=1):
                continue
            users = Users.search([("ka_commission_plan_id.cadence", "=", cadence)])
            if not users:
                continue
            _settlements, overlaps = self._ka_compute_settlements(
                date_from, date_to, users=users, skip_overlaps=True
            )
            if overlaps:
                _logger.info(
                    "Commissions %s - %s: left out, an overlapping settlement "
                    "exists: %s",
                    date_from,
                    date_to,
                    ", ".join(overlaps.mapped("name")),
                )
