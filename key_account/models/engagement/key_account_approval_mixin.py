from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from ..common.groups import KA_MANAGER
from ..common.groups import KA_PLANNER
from ..common.key_account_workflow_mixin import FREE_PREFIXES
from ..common.lang import env_for
from ..profile.accounts import KEY_ACCOUNT_DOMAIN_STR

ACTIVITY_APPROVE = "key_account.mail_activity_type_ka_approval"

STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("done", "Done"),
    ("closed", "Closed"),
    ("refused", "Refused"),
    ("cancelled", "Cancelled"),
]
EDITABLE_STATES = ("draft", "refused")


class KeyAccountApprovalMixin(models.AbstractModel):
    """An engagement request that spends money on a key account: a chain of
    approval levels (``key_account.approval.rule``) selected by its planned
    cost, then done and closed.

    Concrete models set ``_ka_document_type``, define ``amount_planned``
    (Monetary, stored) and may extend ``_ka_over_cap``, ``_ka_check_done``,
    ``_ka_check_close`` and ``_ka_locked_fields``."""

    _name = "key_account.approval.mixin"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "key_account.workflow.mixin",
        "key_account.number.mixin",
    ]
    _description = "Key Account Approval Mixin"
    # approvers comment the requests they may read but not edit
    _mail_post_access = "read"
    _ka_document_type = False
    _ka_workflow_fields = frozenset({"state", "submitted_date", "submitted_by_id"})
    _ka_open_states = EDITABLE_STATES
    _ka_lock_all = False
    # a request whose owner is archived before its approval: withdrawn
    _ka_cancelled_without_owner = ("draft", "submitted", "refused")
    # an activity planner organises these, for themselves, on the key accounts
    # of the department they serve (seed 000 §三2: receptions, events)
    _ka_planner_organises = False

    name = fields.Char(
        string="Number", required=True, copy=False, readonly=True, default="/"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=KEY_ACCOUNT_DOMAIN_STR,
    )
    state = fields.Selection(
        STATES,
        string="Status",
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        group_expand=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        related="company_id.currency_id", string="Currency", readonly=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        default=lambda self: self.env.user,
    )
    approval_line_ids = fields.One2many(
        "key_account.approval.line",
        "res_id",
        string="Approvals",
        domain=lambda self: [("res_model", "=", self._name)],
        copy=False,
        readonly=True,
    )
    submitted_date = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    submitted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    ka_can_approve = fields.Boolean(
        string="Can Approve", compute="_compute_ka_can_approve"
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Number new documents from the sequence of their model, per company
        (the number is the module's: no client sets it). A new request starts
        as a draft (the workflow mixin): it goes through its approval chain."""
        records = super().create(vals_list)
        for record in records.filtered(lambda r: r.name == "/"):
            record.sudo().name = self.env["ir.sequence"].with_company(
                record.company_id
            ).next_by_code(self._name) or self.env._("New")
        records._ka_check_account_owner()
        return records

    def _ka_check_account_owner(self):
        """Requests on a key account are planned by its owner, for
        themselves; a Key Account manager plans them for anybody. A pool
        account is claimed first."""
        if self.env.su or self.env.user.has_group(KA_MANAGER):
            return
        user = self.env.user
        organiser = self._ka_planner_organises and user.has_group(KA_PLANNER)
        served = user._ka_served_users() if organiser else user.browse()
        for record in self:
            if record.user_id != user:
                raise AccessError(
                    self.env._(
                        "%(doc)s: you plan requests for yourself; a Key Account "
                        "manager plans them for somebody else.",
                        doc=record.display_name,
                    )
                )
            owner = record.partner_id.sudo().user_id
            if owner != user and not (owner and owner in served):
                raise AccessError(
                    self.env._(
                        "%(account)s is owned by %(owner)s: only its owner plans "
                        "visits, receptions and gifts on it.",
                        account=record.partner_id.display_name,
                        owner=owner.name,
                    )
                    if owner
                    else self.env._(
                        "%(account)s is in the public pool: claim it before "
                        "planning visits, receptions or gifts on it.",
                        account=record.partner_id.display_name,
                    )
                )

    @api.depends_context("uid")
    @api.depends("state", "approval_line_ids.state", "user_id")
    def _compute_ka_can_approve(self):
        for record in self:
            line = record._ka_current_line()
            record.ka_can_approve = bool(
                record._ka_awaiting_approval()
                and line
                and record._ka_may_approve(line, self.env.user)
            )

    # ---- the chain ------------------------------------------------------------
    def _ka_over_cap(self):
        """Whether this request is over a cap and needs one more level."""
        self.ensure_one()
        return False

    def _ka_over_cap_reason(self):
        return ""

    def _ka_chain_rules(self):
        """The approval levels this request needs now, in order."""
        self.ensure_one()
        rules = (
            self.env["key_account.approval.rule"]
            .sudo()
            .search(
                [
                    ("document_type", "in", [self._ka_document_type, False]),
                    ("company_id", "in", [self.company_id.id, False]),
                ],
                order="sequence, id",
            )
        )
        over_cap_levels = rules.filtered("over_cap_only")
        rules -= over_cap_levels
        amount = self._ka_chain_amount()
        chain = rules.filtered(lambda r: amount >= r.min_amount)
        if self._ka_over_cap():
            # over a cap: the levels kept for such requests, or else the next
            # level up; a chain that already ends at the highest level is
            # complete
            extra = over_cap_levels or (rules - chain)[:1]
            chain = (chain | extra).sorted(lambda r: (r.sequence, r.id))
        return chain

    def _ka_chain_amount(self):
        """The amount the approval levels are chosen by: the planned cost."""
        self.ensure_one()
        return self.amount_planned

    def _ka_skip_pending_lines(self):
        self.approval_line_ids.filtered(
            lambda line: line.state == "pending"
        ).sudo().write({"state": "skipped"})

    def _ka_current_round(self):
        """The approval lines of the latest submission, in level order."""
        self.ensure_one()
        last = max(self.approval_line_ids.mapped("round"), default=0)
        return self.approval_line_ids.filtered(lambda line: line.round == last).sorted(
            "sequence"
        )

    def _ka_current_line(self):
        self.ensure_one()
        return self._ka_current_round().filtered(lambda line: line.state == "pending")[
            :1
        ]

    def _ka_requesters(self):
        """Who asked for the money: never an approver of the request."""
        self.ensure_one()
        return self.user_id | self.submitted_by_id

    def _ka_may_approve(self, line, user):
        if user in self._ka_requesters():
            return False
        if line.user_id:
            return line.user_id == user
        return line.group_id in user.groups_id

    def _ka_line_users(self, line):
        users = line.user_id or line.group_id.users.filtered("active")
        requesters = self._ka_requesters()
        return users.filtered(
            lambda u: u not in requesters and self.company_id in u.company_ids
        )

    def _ka_schedule_approvals(self):
        for record in self:
            line = record._ka_current_line()
            for user in record._ka_line_users(line):
                # in the approver's language
                record.activity_schedule(
                    ACTIVITY_APPROVE,
                    user_id=user.id,
                    summary=env_for(self.env, user)._(
                        "Approve: %(level)s", level=line.name
                    ),
                )

    # ---- actions ----------------------------------------------------------------
    def _ka_check_owner(self):
        """Only the owner of a request, or a Key Account manager, moves it
        (submits, marks done, closes, cancels, claims its expenses)."""
        if self.env.su or self.env.user.has_group(KA_MANAGER):
            return
        others = self.filtered(lambda r: r.user_id != self.env.user)
        if others:
            raise AccessError(
                self.env._(
                    "%(doc)s belongs to %(owner)s: only its owner or a Key "
                    "Account manager can move it.",
                    doc=others[0].display_name,
                    owner=others[0].user_id.name,
                )
            )

    def action_submit(self):
        self._ka_check_owner()
        for record in self:
            if record.state not in EDITABLE_STATES:
                raise UserError(
                    self.env._(
                        "%(doc)s was already submitted: only a draft or refused "
                        "request can be submitted.",
                        doc=record.display_name,
                    )
                )
            record._ka_check_submit()
        self._ka_new_round()
        for record in self.filtered(lambda r: r._ka_over_cap()):
            # for the request's owner, in their language
            env = env_for(self.env, record.user_id)
            record.message_post(
                body=env._(
                    "Over its cap (%(reason)s): the approval chain goes up a level.",
                    reason=record.with_env(env)._ka_over_cap_reason(),
                )
            )
        self._ka_workflow_write(
            {
                "state": "submitted",
                "submitted_date": fields.Datetime.now(),
                "submitted_by_id": self.env.uid,
            }
        )
        self.invalidate_recordset(["approval_line_ids"])
        no_chain = self.filtered(lambda r: not r._ka_current_line())
        no_chain._ka_workflow_write({"state": "approved"})
        (self - no_chain)._ka_schedule_approvals()
        return True

    def _ka_new_round(self):
        """A new round of approval lines, one per level the request needs
        now, all pending (the earlier rounds are kept as history)."""
        self._ka_skip_pending_lines()
        Line = self.env["key_account.approval.line"].sudo()
        last_rounds = dict(
            Line._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id"],
                ["round:max"],
            )
        )
        vals_list = []
        for record in self:
            vals_list += [
                {
                    "res_model": record._name,
                    "res_id": record.id,
                    "round": last_rounds.get(record.id, 0) + 1,
                    "sequence": level,
                    "rule_id": rule.id,
                    "name": rule.name,
                    "group_id": rule.group_id.id,
                    "user_id": rule.user_id.id,
                    "state": "pending",
                }
                for level, rule in enumerate(record._ka_chain_rules(), start=1)
            ]
        Line.create(vals_list)

    def _ka_check_submit(self):
        """Hook: raise if the request cannot be submitted."""

    def _ka_awaiting_approval(self):
        """Whether the request waits for its approvers."""
        self.ensure_one()
        return self.state == "submitted"

    def _ka_check_approver(self):
        self.ensure_one()
        if not self._ka_awaiting_approval():
            raise UserError(
                self.env._(
                    "%(doc)s is not waiting for an approval.", doc=self.display_name
                )
            )
        line = self._ka_current_line()
        if self.env.user in self._ka_requesters():
            raise AccessError(
                self.env._(
                    "You cannot approve or refuse your own request %(doc)s.",
                    doc=self.display_name,
                )
            )
        if not self._ka_may_approve(line, self.env.user):
            # the steps of a colleague's request may be hidden from this user
            # (an activity planner raising a department's visit): name the
            # level all the same
            waiting = line or self.env["key_account.approval.line"].sudo().search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("state", "=", "pending"),
                ],
                order="round desc, sequence, id",
                limit=1,
            )
            if not waiting:
                raise UserError(
                    self.env._(
                        "%(doc)s has no approval level waiting: nobody approves "
                        "it now.",
                        doc=self.display_name,
                    )
                )
            raise AccessError(
                self.env._(
                    "%(doc)s waits for the level %(level)s: you are not one of "
                    "its approvers.",
                    doc=self.display_name,
                    level=waiting.name,
                )
            )
        return line

    def action_approve(self):
        now = fields.Datetime.now()
        for record in self:
            line = record._ka_check_approver()
            line.sudo().write(
                {"state": "approved", "done_by_id": self.env.uid, "done_date": now}
            )
            record.sudo().activity_feedback(
                [ACTIVITY_APPROVE],
                user_id=self.env.uid,
                feedback=self.env._("Approved level %(level)s", level=line.name),
            )
            record.sudo().activity_unlink([ACTIVITY_APPROVE])
            record.message_post(
                body=env_for(self.env, record.user_id)._(
                    "Level %(level)s approved.", level=line.name
                )
            )
            if record._ka_current_line():
                record._ka_schedule_approvals()
            else:
                record._ka_chain_approved()
        return True

    def _ka_chain_approved(self):
        """The last level approved: the request is approved."""
        self._ka_workflow_write({"state": "approved"})
        self._ka_after_approved()

    def _ka_chain_refused(self):
        """A level refused: the request goes back to its owner."""
        self._ka_workflow_write({"state": "refused"})

    def _ka_after_approved(self):
        """Hook: called when the last level approved the request."""

    def action_refuse(self, reason):
        if not reason or not reason.strip():
            raise UserError(self.env._("Give a reason for the refusal."))
        for record in self:
            line = record._ka_check_approver()
            line.sudo().write(
                {
                    "state": "refused",
                    "done_by_id": self.env.uid,
                    "done_date": fields.Datetime.now(),
                }
            )
            record.sudo().activity_unlink([ACTIVITY_APPROVE])
            record._ka_skip_pending_lines()
            record._ka_chain_refused()
            record.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    env_for(self.env, record.user_id)._(
                        "Refused at level %(level)s.", level=line.name
                    ),
                    reason,
                ),
                partner_ids=record.user_id.partner_id.ids,
            )
        return True

    def action_refuse_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse"),
            "res_model": "key_account.refuse.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_draft(self):
        self._ka_check_owner()
        for record in self:
            if record.state not in ("refused", "cancelled"):
                raise UserError(
                    self.env._(
                        "Only a refused or cancelled request goes back to draft."
                    )
                )
        self._ka_workflow_write({"state": "draft"})
        return True

    def _ka_check_done_rights(self):
        """Hook: who may mark the request done (default: its owner)."""
        self._ka_check_owner()

    def action_done(self):
        self._ka_check_done_rights()
        for record in self:
            if record.state != "approved":
                raise UserError(
                    self.env._(
                        "%(doc)s must be approved before it is done.",
                        doc=record.display_name,
                    )
                )
            record._ka_check_done()
        self._ka_workflow_write({"state": "done"})
        self._ka_after_done()
        return True

    def _ka_check_done(self):
        """Hook: raise if the request cannot be marked done."""

    def _ka_after_done(self):
        """Hook: called once the records are done."""

    def action_close(self):
        self._ka_check_owner()
        for record in self:
            if record.state != "done":
                raise UserError(
                    self.env._(
                        "%(doc)s must be done before it is closed.",
                        doc=record.display_name,
                    )
                )
            record._ka_check_close()
        self._ka_workflow_write({"state": "closed"})
        return True

    def _ka_check_close(self):
        """Hook: raise if the request cannot be closed."""

    def action_cancel(self):
        self._ka_check_owner()
        for record in self:
            if record.state in ("done", "closed"):
                raise UserError(
                    self.env._(
                        "%(doc)s is already done: it cannot be cancelled.",
                        doc=record.display_name,
                    )
                )
        self.sudo().activity_unlink([ACTIVITY_APPROVE])
        self._ka_skip_pending_lines()
        self._ka_workflow_write({"state": "cancelled"})
        return True

    # ---- guards -------------------------------------------------------------------
    def _ka_locked_fields(self):
        """Fields that drive the approval: frozen once submitted."""
        return {"amount_planned", "company_id", "partner_id", "user_id"}

    def _ka_locked_message(self, record, what=None):
        if what:
            return self.env._(
                "%(doc)s was submitted for approval: its fields %(fields)s can "
                "no longer change. Refuse it to edit it.",
                doc=record.display_name,
                fields=what,
            )
        return self.env._(
            "%(doc)s was submitted for approval: its amounts can no longer "
            "change. Refuse it to edit it.",
            doc=record.display_name,
        )

    def _ka_done_locked_fields(self):
        """Facts of a done request that its figures count (its dates): frozen
        once done."""
        return set()

    def _ka_closed_free_fields(self):
        """What still changes on a closed request (its actual expenses, until
        claimed, for the expense documents)."""
        return set()

    def _ka_check_open(self, fnames=None):
        """Closed is closed: a closed or cancelled request changes only
        through its actions (back to draft), a done one keeps its dates."""
        super()._ka_check_open(fnames)
        if fnames is not None:
            fnames = {f for f in fnames if not f.startswith(FREE_PREFIXES)}
            if not fnames:
                return
        free = self._ka_closed_free_fields()
        closed = self.filtered(
            lambda r: r.state == "cancelled"
            or (r.state == "closed" and (fnames is None or fnames - free))
        )
        if closed:
            raise UserError(
                self.env._(
                    "%(doc)s is closed or cancelled: it can no longer change.",
                    doc=closed[0].display_name,
                )
            )
        done = self.filtered(lambda r: r.state == "done")
        if done and (fnames is None or fnames & self._ka_done_locked_fields()):
            raise UserError(
                self.env._(
                    "%(doc)s is done: its dates can no longer change.",
                    doc=done[0].display_name,
                )
            )

    def _ka_check_editable(self, what=None):
        locked = self.filtered(lambda r: r.state not in EDITABLE_STATES)
        if locked:
            raise UserError(self._ka_locked_message(locked[0], what))

    def write(self, vals):
        res = super().write(vals)
        if "user_id" in vals or "partner_id" in vals:
            self._ka_check_account_owner()
        if "user_id" in vals or "company_id" in vals:
            # the approval lines' readers follow the request's owner
            self.env["key_account.approval.line"].sudo().search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)]
            )._compute_request_owner()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if any(r.state not in ("draft", "cancelled") for r in self):
            raise UserError(
                self.env._("Only draft or cancelled requests can be deleted.")
            )

    def unlink(self):
        lines = (
            self.env["key_account.approval.line"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        res = super().unlink()
        lines.unlink()
        return res
