from collections import defaultdict
from collections import namedtuple

from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.modules import module as odoo_module
from odoo.tools import SQL
from odoo.tools import config
from odoo.tools import split_every

from ..common.dates import local_day
from ..common.dates import midnight_utc
from ..common.groups import KA_MANAGER
from ..common.groups import KA_USER
from ..common.key_account_guard_mixin import trusted_write
from ..common.lang import env_for
from ..common.lang import envs_by_lang

# when an owned key account goes back to the pool ('followup' or 'order': the
# clock that runs out first), and how many days before its owner is warned
PoolDue = namedtuple("PoolDue", "partner_id user_id due kind warning_days")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ---- what clients may write: owners, exemptions, pool dates -------------------
    def _ka_system_fields(self):
        return super()._ka_system_fields() | {
            "ka_owner_since",
            "ka_pool_since",
            "ka_pool_warning_date",
            "ka_pool_team_id",
        }

    def _ka_guarded_fields(self):
        return super()._ka_guarded_fields() | {"user_id", "ka_team_id"}

    def _ka_check_client_vals(self, vals, creating=False):
        """Owners change through the pool's moves: a salesperson gives no key
        account to somebody else, nor a type that never returns to the pool
        (an exemption); a manager's change of owner is logged (``write``)."""
        super()._ka_check_client_vals(vals, creating=creating)
        if self._ka_is_manager():
            return
        if "ka_team_id" in vals:
            self._ka_check_team_vals(vals, creating)
        if vals.get("ka_type_id"):
            new_type = self.env["key_account.type"].sudo().browse(vals["ka_type_id"])
            if new_type.ka_pool_never_return:
                raise AccessError(
                    self.env._(
                        "Only Key Account managers can give the type %(type)s: its "
                        "accounts never return to the pool.",
                        type=new_type.display_name,
                    )
                )
        if creating:
            if (
                vals.get("ka_type_id")
                and vals.get("user_id")
                and vals["user_id"] != self.env.uid
            ):
                raise AccessError(
                    self.env._(
                        "Only Key Account managers can give a key account to "
                        "somebody else."
                    )
                )
            if vals.get("ka_type_id") and vals.get("user_id"):
                self.browse()._ka_pool_check_caps(
                    self.env.user,
                    self.env.company,
                    count=1,
                    team=self.env["crm.team"].browse(vals.get("ka_team_id") or False),
                )
            return
        if vals.get("ka_type_id"):
            self._ka_check_new_accounts(vals)
        if "user_id" in vals and self._ka_moved_accounts(vals["user_id"]):
            raise AccessError(
                self.env._(
                    "Only Key Account managers can change the owner of a key "
                    "account: salespeople claim accounts from the pool and "
                    "release them."
                )
            )

    def _ka_check_team_vals(self, vals, creating):
        """A salesperson puts key accounts only in the pools of their own
        teams, and moves only the accounts they own: which pool an account
        belongs to is the managers' (and, on release, the team leaders')."""
        team = self.env["crm.team"].sudo().browse(vals["ka_team_id"] or False)
        if team and team not in self.env["crm.team"]._ka_user_teams(self.env.user):
            raise AccessError(
                self.env._(
                    "%(team)s is not one of your sales teams: you cannot put key "
                    "accounts in its pool.",
                    team=team.name,
                )
            )
        if creating:
            return
        others = self.sudo().filtered(
            lambda p: p.ka_type_id
            and p.user_id != self.env.user
            and p.ka_team_id != team
        )
        if others:
            raise AccessError(
                self.env._(
                    "Only Key Account managers can move %(account)s to the pool of "
                    "another team.",
                    account=others[0].display_name,
                )
            )

    def _ka_check_new_accounts(self, vals):
        """A salesperson makes key accounts of their own partners only, within
        the cap of accounts they own."""
        partners = self.sudo().filtered(lambda p: not p.ka_type_id)
        if not partners:
            return
        owner = (
            self.env["res.users"].browse(vals["user_id"] or False)
            if "user_id" in vals
            else partners.user_id
        )
        if (partners.user_id | owner) - self.env.user:
            raise AccessError(
                self.env._(
                    "Only Key Account managers make key accounts of partners that "
                    "are not yours."
                )
            )
        if owner:
            partners.with_env(self.env)._ka_pool_check_caps(
                self.env.user, self.env.company
            )

    def _ka_moved_accounts(self, user_id):
        """The key accounts of ``self`` that a new owner ``user_id`` moves."""
        new_user = self.env["res.users"].browse(user_id or False)
        return self.sudo().filtered(lambda p: p.ka_type_id and p.user_id != new_user)

    def write(self, vals):
        """A client's change of owner of key accounts (managers only, checked
        by :meth:`_ka_check_client_vals`) is logged as an assignment or a
        release; the pool's own moves write as superuser and log themselves."""
        if self.env.su or "user_id" not in vals:
            return super().write(vals)
        moved = self._ka_moved_accounts(vals["user_id"])
        old_owners = {partner.id: partner.user_id for partner in moved}
        res = super().write(vals)
        if moved:
            new_user = self.env["res.users"].browse(vals["user_id"] or False)
            moved.with_env(self.env)._ka_pool_after_move(
                new_user,
                "assign" if new_user else "release",
                old_owners,
                reason=self.env._("Owner changed on the partner form."),
            )
        return res

    # ---- public pool ------------------------------------------------------------
    # A key account without owner (user_id) is in the pool. Every move of an
    # account between salespeople and the pool is a key_account.pool.log row
    # and a chatter note; the rules come from the company (Settings) and may be
    # overridden per grade.
    ka_pool_since = fields.Datetime(
        string="In Pool Since", readonly=True, copy=False, index="btree_not_null"
    )
    ka_owner_since = fields.Datetime(string="Owned Since", readonly=True, copy=False)
    ka_pool_warning_date = fields.Date(
        string="Pool Warning For",
        readonly=True,
        copy=False,
        help="The return date the owner was last warned about.",
    )
    ka_pool_days = fields.Integer(string="Days in Pool", compute="_compute_ka_pool")
    ka_pool_return_date = fields.Date(
        string="Returns to Pool On",
        compute="_compute_ka_pool",
        help="Empty when the account is exempt or not owned.",
    )
    ka_pool_days_left = fields.Integer(string="Days Left", compute="_compute_ka_pool")
    ka_pool_log_ids = fields.One2many(
        "key_account.pool.log", "partner_id", string="Pool Moves", groups=KA_USER
    )
    # ---- the pools of the sales teams --------------------------------------------
    # An account without owner is in the pool of its sales team, else of its
    # company's default pool team, else in the company-wide pool (open to
    # every salesperson of the company). The team's rules, where set, decide
    # when its accounts return (``_ka_pool_dues``) and cap its claims.
    ka_team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="The team whose pool the key account returns to. Empty: the company's "
        "default pool team, if any, else the company-wide pool.",
    )
    ka_pool_team_id = fields.Many2one(
        "crm.team",
        string="Pool Team",
        compute="_compute_ka_pool_team_id",
        store=True,
        index="btree_not_null",
        help="The pool of the key account: its sales team, else the company's "
        "default pool team. Empty: the company-wide pool.",
    )

    @api.depends("ka_type_id", "ka_team_id", "company_id")
    def _compute_ka_pool_team_id(self):
        Team = self.env["crm.team"]
        for partner in self:
            if not partner.ka_type_id:
                partner.ka_pool_team_id = Team
                continue
            partner.ka_pool_team_id = (
                partner.ka_team_id
                or partner.sudo()._ka_process_company().ka_pool_default_team_id
            )

    @api.constrains("ka_team_id", "company_id")
    def _check_ka_team_company(self):
        for partner in self.sudo():
            team = partner.ka_team_id
            if team.company_id and team.company_id != partner._ka_process_company():
                raise ValidationError(
                    self.env._(
                        "%(team)s works for %(company)s: it has no pool for "
                        "%(account)s.",
                        team=team.name,
                        company=team.company_id.name,
                        account=partner.display_name,
                    )
                )

    @api.model
    def _ka_recompute_pool_teams(self, companies):
        """The default pool team of ``companies`` changed: the pool of their
        key accounts without a team follows."""
        company_ids = list(companies.ids)
        if self._ka_scheduler_company() in companies:
            company_ids.append(False)  # shared accounts: the scheduler's company
        partners = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("ka_type_id", "!=", False),
                    ("ka_team_id", "=", False),
                    ("company_id", "in", company_ids),
                ]
            )
        )
        self.env.add_to_compute(self._fields["ka_pool_team_id"], partners)

    @api.depends(
        "user_id",
        "ka_type_id",
        "ka_grade_id",
        "ka_grade_locked",
        "ka_pool_since",
        "ka_owner_since",
        "ka_since",
        "ka_last_order_date",
        "ka_last_followup_date",
        "ka_pool_team_id",
        "company_id",
    )
    def _compute_ka_pool(self):
        today = fields.Date.context_today(self)
        owned = self.filtered(lambda p: p.ka_type_id and p.user_id and p._origin.id)
        dues = {row.partner_id: row for row in owned._ka_pool_dues(today)}
        for partner in self:
            partner.ka_pool_days = 0
            partner.ka_pool_return_date = False
            partner.ka_pool_days_left = 0
            if not partner.ka_type_id:
                continue
            if not partner.user_id:
                since = partner.ka_pool_since or partner.create_date
                partner.ka_pool_days = (today - since.date()).days if since else 0
                continue
            due = dues.get(partner._origin.id)
            if due:
                partner.ka_pool_return_date = due.due
                partner.ka_pool_days_left = max((due.due - today).days, 0)

    # ---- pool: locks -----------------------------------------------------------
    def _ka_pool_lock(self, query):
        """Run ``query``, which locks rows for the rest of the transaction,
        waiting a few seconds at most.

        :return: False when another transaction holds or has just changed them
        """
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute(SQL("SELECT set_config('lock_timeout', '5s', true)"))
                cr.execute(query, log_exceptions=False)
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            return False
        finally:
            cr.execute(SQL("SELECT set_config('lock_timeout', '0', true)"))
        return True

    def _ka_pool_lock_accounts(self):
        """Lock these accounts; a concurrent claim that won makes us fail with
        the winner's name."""
        locked = self._ka_pool_lock(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                self.ids,
            )
        )
        if locked:
            self.invalidate_recordset(["user_id"])
            return
        # our snapshot is stale: ask a fresh transaction who owns them now
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """SELECT p.name, owner.name
                         FROM res_partner p
                         JOIN res_users u ON u.id = p.user_id
                         JOIN res_partner owner ON owner.id = u.partner_id
                        WHERE p.id = ANY(%s)
                        LIMIT 1""",
                    self.ids,
                )
            )
            row = cr.fetchone()
        if row:
            raise UserError(
                self.env._(
                    "%(account)s was already claimed by %(owner)s.",
                    account=row[0],
                    owner=row[1],
                )
            )
        raise UserError(
            self.env._(
                "Someone else is moving this key account right now: try again in "
                "a moment."
            )
        )

    def _ka_pool_lock_user(self, user):
        """Serialise the cap checks of ``user``: one pool move for them at a
        time. Each move rewrites the user's row of ``key_account_pool_turn``
        (a table without foreign keys, so nothing of Odoo's own, such as its
        session bookkeeping on ``res_users``, ever waits on it): a concurrent
        move waits, then fails instead of counting on a stale snapshot."""
        locked = self._ka_pool_lock(
            SQL(
                """INSERT INTO key_account_pool_turn AS turn (user_id, moves)
                   VALUES (%s, 1)
                   ON CONFLICT (user_id) DO UPDATE SET moves = turn.moves + 1""",
                user.id,
            )
        )
        if not locked:
            raise UserError(
                self.env._(
                    "Another pool move for %(user)s was just made: reload and try "
                    "again.",
                    user=user.name,
                )
            )

    # ---- pool: checks ----------------------------------------------------------
    def _ka_pool_check_company(self):
        """A user moves the key accounts of the companies they work in: a key
        account shared by the companies belongs to the pool of the company its
        processes run in (see ``_ka_process_company``)."""
        if self.env.su:
            return
        foreign = self.filtered(
            lambda p: p._ka_process_company() not in self.env.companies
        )
        if foreign:
            raise AccessError(
                self.env._(
                    "%(account)s is a key account of %(company)s: its pool is not "
                    "yours.",
                    account=foreign[0].display_name,
                    company=foreign[0]._ka_process_company().name,
                )
            )

    def _ka_pool_check_accounts(self):
        not_accounts = self.filtered(lambda p: not p.ka_type_id)
        if not_accounts:
            raise UserError(
                self.env._(
                    "%(partner)s is not a key account: only key accounts belong "
                    "to the pool.",
                    partner=not_accounts[0].display_name,
                )
            )

    def _ka_pool_teams(self):
        """The pools of these accounts: {pool team (may be empty): accounts}."""
        pools = defaultdict(lambda: self.browse())
        for partner in self:
            pools[partner.sudo().ka_pool_team_id] |= partner
        return pools

    def _ka_pool_check_caps(self, user, company, claims=0, count=None, team=None):
        """Raise if ``user`` getting ``self`` (or ``count`` new accounts in
        the pool of ``team``) exceeds a cap of their pool: its team's where
        set, else ``company``'s."""
        pools = self._ka_pool_teams() if self else {team or self.env["crm.team"]: self}
        for pool in pools:
            self._ka_pool_check_pool_caps(
                user, company, pool, claims, len(self) if count is None else count
            )

    def _ka_pool_check_pool_caps(self, user, company, team, claims, count):
        partner_model = self.sudo().with_context(active_test=False)
        owned = partner_model.search_count(
            [("user_id", "=", user.id), ("ka_type_id", "!=", False)]
        )
        cap = team._ka_pool_rule("ka_pool_max_owned", company)
        if cap and owned + count > cap:
            raise UserError(
                self.env._(
                    "%(user)s already owns %(owned)s key accounts: the cap is %(cap)s.",
                    user=user.name,
                    owned=owned,
                    cap=cap,
                )
            )
        cap = team._ka_pool_rule("ka_pool_max_claims_per_day", company)
        if claims and cap:
            done = (
                self.env["key_account.pool.log"]
                .sudo()
                .search_count(
                    [
                        ("to_user_id", "=", user.id),
                        ("action", "=", "claim"),
                        ("date", ">=", self._ka_user_day_start(user)),
                    ]
                )
            )
            if done + claims > cap:
                raise UserError(
                    self.env._(
                        "%(user)s already claimed %(done)s key accounts today: the "
                        "cap is %(cap)s a day.",
                        user=user.name,
                        done=done,
                        cap=cap,
                    )
                )

    @api.model
    def _ka_user_day_start(self, user):
        """The start of ``user``'s calendar day, in their time zone, as the
        naive UTC datetime the database stores."""
        today = local_day(user, fields.Datetime.now())
        return midnight_utc(user.sudo().tz, today)

    def _ka_pool_check_cooldown(self, user, company):
        for team, partners in self._ka_pool_teams().items():
            partners._ka_pool_check_pool_cooldown(
                user, team._ka_pool_rule("ka_pool_cooldown_days", company)
            )

    def _ka_pool_check_pool_cooldown(self, user, days):
        if not days:
            return
        recent = (
            self.env["key_account.pool.log"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.ids),
                    ("from_user_id", "=", user.id),
                    ("to_user_id", "!=", user.id),
                    ("date", ">", fields.Datetime.now() - relativedelta(days=days)),
                ],
                limit=1,
            )
        )
        if recent:
            raise UserError(
                self.env._(
                    "%(account)s left you on %(date)s: you may claim it again %(days)s "
                    "days after that.",
                    account=recent.partner_id.display_name,
                    date=fields.Date.to_string(recent.date.date()),
                    days=days,
                )
            )

    # ---- pool: the moves ---------------------------------------------------------
    def _ka_pool_user(self, refusal):
        """The user moving accounts, a Key Accounts user (else ``refusal``)."""
        if not self.env.user.has_group(KA_USER):
            raise AccessError(refusal)
        return self.env.user

    def _ka_pool_check_team(self, user):
        """A salesperson claims from the pools of their teams and from the
        company-wide pool only; managers from every pool."""
        if user.has_group(KA_MANAGER):
            return
        teams = self.env["crm.team"]._ka_user_teams(user)
        foreign = self.sudo().filtered(
            lambda p: p.ka_pool_team_id and p.ka_pool_team_id not in teams
        )
        if foreign:
            raise AccessError(
                self.env._(
                    "%(account)s is in the pool of %(team)s: only its members claim "
                    "from it.",
                    account=foreign[0].display_name,
                    team=foreign[0].ka_pool_team_id.name,
                )
            )

    def _ka_pool_check_admin(self, user):
        """Key Account managers administer every pool; a team leader the pool
        of their team (assign its accounts, override the caps, choose the
        pool on release)."""
        if self.env.su or user.has_group(KA_MANAGER):
            return
        if not user.has_group(KA_USER):
            raise AccessError(
                self.env._("Only Key Account managers can assign key accounts.")
            )
        not_led = self.sudo().filtered(lambda p: p.ka_pool_team_id.user_id != user)
        if not_led:
            raise AccessError(
                self.env._(
                    "Only Key Account managers and the leader of its pool's team "
                    "can assign %(account)s.",
                    account=not_led[0].display_name,
                )
            )

    def _ka_pool_start_move(self):
        """Check and lock these key accounts before a move.

        :return: {partner: its owner now}
        """
        self._ka_pool_check_accounts()
        self._ka_pool_check_company()
        self._ka_pool_lock_accounts()
        return {partner: partner.sudo().user_id for partner in self}

    def action_ka_claim(self):
        """Take these key accounts from the pool (Key Accounts users)."""
        user = self._ka_pool_user(
            self.env._("Only Key Accounts users can claim accounts from the pool.")
        )
        if not self:
            return True
        self._ka_pool_check_team(user)
        for partner, owner in self._ka_pool_start_move().items():
            if owner == user:
                raise UserError(
                    self.env._(
                        "You already own %(account)s.", account=partner.display_name
                    )
                )
            if owner:
                raise UserError(
                    self.env._(
                        "%(account)s was already claimed by %(owner)s.",
                        account=partner.display_name,
                        owner=owner.name,
                    )
                )
        self._ka_pool_lock_user(user)
        company = self.env.company
        self._ka_pool_check_cooldown(user, company)
        self._ka_pool_check_caps(user, company, claims=len(self))
        self._ka_pool_move(user, "claim")
        return True

    def action_ka_release(self, reason, team=False):
        """Put these key accounts back into the pool: their owner, the leader
        of their pool's team, or a manager. Managers and team leaders may
        choose the ``team`` whose pool they go to (a leader: a team they
        lead); else they go back to their own pool."""
        if not (reason or "").strip():
            raise UserError(self.env._("Say why you release the key account."))
        user = self._ka_pool_user(
            self.env._("Only Key Accounts users can release accounts.")
        )
        if not self:
            return True
        team = self._ka_pool_target_team(user, team)
        manager = user.has_group(KA_MANAGER)
        for partner, owner in self._ka_pool_start_move().items():
            if not owner:
                raise UserError(
                    self.env._(
                        "%(account)s is already in the pool.",
                        account=partner.display_name,
                    )
                )
            if (
                owner != user
                and not manager
                and partner.sudo().ka_pool_team_id.user_id != user
            ):
                raise UserError(
                    self.env._(
                        "You can only release your own key accounts: %(account)s "
                        "belongs to %(owner)s.",
                        account=partner.display_name,
                        owner=owner.name,
                    )
                )
        if team:
            self.sudo().write({"ka_team_id": team.id})
        self._ka_pool_move(self.env["res.users"], "release", reason=reason.strip())
        return True

    def _ka_pool_target_team(self, user, team):
        """The team whose pool ``user`` releases these accounts to (an id from
        a client, or a record; empty: their own pool), checked."""
        Team = self.env["crm.team"].sudo()
        if not isinstance(team, models.BaseModel):
            team = Team.browse(team or False)
        team = team.sudo()
        if not team:
            return Team
        if not team.exists():
            raise UserError(self.env._("This sales team does not exist."))
        if not (user.has_group(KA_MANAGER) or team.user_id == user):
            raise AccessError(
                self.env._(
                    "Only Key Account managers and the leader of %(team)s can "
                    "release key accounts to its pool.",
                    team=team.name,
                )
            )
        wrong = self.filtered(
            lambda p: team.company_id
            and team.company_id != p.sudo()._ka_process_company()
        )
        if wrong:
            raise UserError(
                self.env._(
                    "%(team)s works for %(company)s: it has no pool for %(account)s.",
                    team=team.name,
                    company=team.company_id.name,
                    account=wrong[0].display_name,
                )
            )
        return team

    def action_ka_open_release(self):
        """Button: ask for the reason of the release."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release to the Pool"),
            "res_model": "key_account.pool.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_mode": "release",
                "default_partner_ids": self.ids,
            },
        }

    def action_ka_assign(
        self, user, reason=False, override_caps=False, action="assign"
    ):
        """Give these key accounts to ``user`` (managers, and the leader of
        their pool's team to its members). Over a cap only with
        ``override_caps`` and a reason."""
        self._ka_pool_check_admin(self.env.user)
        reason = (reason or "").strip()
        if not isinstance(user, models.BaseModel):
            user = self.env["res.users"].browse(user)  # an id, from a client
        if not user.sudo().has_group(KA_USER):
            raise UserError(
                self.env._(
                    "%(user)s is not a Key Accounts user.", user=user.display_name
                )
            )
        if not (self.env.su or self.env.user.has_group(KA_MANAGER)):
            if user == self.env.user:
                raise UserError(
                    self.env._(
                        "A team leader does not assign accounts to themselves: "
                        "claim them from the pool, within the caps, as everybody."
                    )
                )
            teams = self.env["crm.team"]._ka_user_teams(user.sudo())
            outside = self.sudo().filtered(lambda p: p.ka_pool_team_id not in teams)
            if outside:
                raise UserError(
                    self.env._(
                        "%(user)s is not a member of %(team)s: a team leader assigns "
                        "the accounts of the team's pool to its members.",
                        user=user.display_name,
                        team=outside[0].ka_pool_team_id.name,
                    )
                )
        if override_caps and not reason:
            raise UserError(self.env._("Say why you override the caps."))
        owners = self._ka_pool_start_move()
        accounts = self.filtered(lambda p: owners[p] != user)
        if not accounts:
            return True
        self._ka_pool_lock_user(user)
        if not override_caps:
            accounts._ka_pool_check_caps(user, self.env.company)
        accounts._ka_pool_move(
            user, action, reason=reason or False, caps_overridden=override_caps
        )
        return True

    def _ka_pool_move(self, to_user, action, reason=False, caps_overridden=False):
        """Move these accounts to ``to_user`` (empty: the pool); log it."""
        old_owners = {partner.id: partner.sudo().user_id for partner in self}
        self.sudo().write({"user_id": to_user.id or False})
        self._ka_pool_after_move(
            to_user, action, old_owners, reason=reason, caps_overridden=caps_overridden
        )

    def _ka_pool_after_move(
        self, to_user, action, old_owners, reason=False, caps_overridden=False
    ):
        """Dates, closed warnings, a log row and a chatter note per account."""
        now = fields.Datetime.now()
        partners = self.sudo()
        partners.write(
            {
                "ka_owner_since": now if to_user else False,
                "ka_pool_since": False if to_user else now,
                "ka_pool_warning_date": False,
            }
        )
        self.env["mail.activity"].sudo().search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", self._ka_pool_warning_type().id),
            ]
        ).unlink()
        self.env["key_account.pool.log"]._ka_log_moves(
            [
                {
                    "partner_id": partner.id,
                    "from_user_id": old_owners[partner.id].id,
                    "to_user_id": to_user.id,
                    "action": action,
                    "reason": reason,
                    "date": now,
                    "caps_overridden": caps_overridden,
                    "company_id": partner._ka_process_company().id,
                    "team_id": partner.ka_pool_team_id.id,
                }
                for partner in partners
            ]
        )
        # for the account's new owner (its last one when it goes to the
        # pool), in their language
        bodies = {}
        labels = {}
        for partner in partners:
            env = env_for(self.env, to_user or old_owners[partner.id])
            if env.lang not in labels:
                labels[env.lang] = dict(
                    env["key_account.pool.log"]
                    ._fields["action"]
                    ._description_selection(env)
                )[action]
            text = self._ka_pool_move_text(
                env, old_owners[partner.id].name, to_user.name
            )
            # the action's name heads the note, the move is a sentence
            body = Markup("<p><strong>%s</strong></p><p>%s</p>") % (
                labels[env.lang],
                text,
            )
            if reason:
                body += Markup("<p>%s</p>") % reason
            bodies[partner.id] = body
        partners._ka_log_notes([bodies[partner.id] for partner in partners])

    @api.model
    def _ka_pool_move_text(self, env, from_name, to_name):
        """The sentence of a move of an account, in the language of ``env``:
        one whole sentence per case (from or to the pool, between people)."""
        by = self.env.user.name
        if from_name and to_name:
            return env._(
                "From %(from)s to %(to)s, by %(by)s.",
                by=by,
                **{"from": from_name, "to": to_name},
            )
        if to_name:
            return env._("From the pool to %(to)s, by %(by)s.", to=to_name, by=by)
        if from_name:
            return env._(
                "From %(from)s to the pool, by %(by)s.", by=by, **{"from": from_name}
            )
        return env._("In the pool, by %(by)s.", by=by)

    @api.model
    def _ka_pool_warning_type(self):
        return self.env.ref("key_account.mail_activity_type_pool_warning")

    # ---- pool: automatic return -----------------------------------------------------
    def _ka_pool_dues(self, today, to_act_on=False):
        """When owned key accounts go back to the pool: the one definition of
        the rule, in one query, each account from the figures and grade of
        its process company (its own, or for a shared account the one the
        scheduled actions run in) and the rules of its pool's team (where
        set, else the grade's, else the company's). Exempt accounts (locked
        grade, a type that never returns, an order in the last days) have no
        row.

        :param to_act_on: only the accounts the daily cron warns or returns
            today (of every key account; else of ``self``)
        :return: ``PoolDue`` rows
        """
        self.env.flush_all()
        if to_act_on:
            scope = SQL(
                """AND r.due - d.warn <= %(today)s::date
                   AND (r.due <= %(today)s::date
                        OR p.ka_pool_warning_date IS DISTINCT FROM r.due)""",
                today=today,
            )
        else:
            scope = SQL("AND p.id = ANY(%s)", self.ids)
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.user_id, r.due, r.kind, d.warn
                  FROM res_partner p
                  JOIN key_account_type t ON t.id = p.ka_type_id
                  JOIN res_company c ON c.id = COALESCE(p.company_id, %(company)s)
                 CROSS JOIN LATERAL (
                       SELECT (p.ka_grade_id->>c.id::text)::int AS grade_id,
                              (p.ka_grade_locked->>c.id::text)::boolean AS locked,
                              (p.ka_last_order_date->>c.id::text)::date
                                  AS last_order
                       ) k
                  LEFT JOIN key_account_grade g ON g.id = k.grade_id
                  LEFT JOIN crm_team tm ON tm.id = p.ka_pool_team_id
                 CROSS JOIN LATERAL (
                       SELECT COALESCE(NULLIF(tm.ka_pool_followup_days, 0),
                                       NULLIF(g.ka_pool_followup_days, 0),
                                       c.ka_pool_followup_days) AS followup,
                              COALESCE(NULLIF(tm.ka_pool_order_days, 0),
                                       NULLIF(g.ka_pool_order_days, 0),
                                       c.ka_pool_order_days) AS ord,
                              COALESCE(NULLIF(tm.ka_pool_warning_days, 0),
                                       NULLIF(g.ka_pool_warning_days, 0),
                                       c.ka_pool_warning_days) AS warn,
                              COALESCE(NULLIF(tm.ka_pool_order_exempt_days, 0),
                                       c.ka_pool_order_exempt_days, 0) AS exempt
                       ) d
                 CROSS JOIN LATERAL (
                       SELECT GREATEST(p.ka_last_followup_date,
                                       p.ka_owner_since::date, p.ka_since)
                                  + d.followup AS followup_due,
                              GREATEST(k.last_order,
                                       p.ka_owner_since::date, p.ka_since)
                                  + d.ord AS order_due
                       ) f
                 CROSS JOIN LATERAL (
                       SELECT LEAST(f.followup_due, f.order_due) AS due,
                              CASE WHEN f.followup_due <= f.order_due
                                   THEN 'followup' ELSE 'order' END AS kind
                       ) r
                 WHERE p.active
                   AND p.user_id IS NOT NULL
                   AND r.due IS NOT NULL
                   AND k.locked IS NOT TRUE
                   AND t.ka_pool_never_return IS NOT TRUE
                   AND (d.exempt = 0
                        OR k.last_order IS NULL
                        OR k.last_order < %(today)s::date - d.exempt)
                   %(scope)s
              ORDER BY p.id
                """,
                company=self._ka_scheduler_company().id,
                today=today,
                scope=scope,
            )
        )
        return [PoolDue(*row) for row in self.env.cr.fetchall()]

    @api.model
    def _ka_pool_candidates(self, today):
        """Owned key accounts to warn or return today (:meth:`_ka_pool_dues`)."""
        return self._ka_pool_dues(today, to_act_on=True)

    @api.model
    def _ka_cron_pool_return(self, batch_size=1000):
        """Daily: warn the owners of accounts about to go back to the pool, and
        put back those whose time is up. Set-based: one query finds them, then
        one write, one log insert and one chatter insert per batch; the batches
        are committed one by one outside of tests."""
        today = fields.Date.context_today(self)
        rows = self._ka_pool_candidates(today)
        returns = [row for row in rows if row.due <= today]
        warnings = [row for row in rows if row.due > today]
        # never while installing (the demo data runs this cron: a commit
        # would break the loading's savepoints) nor in tests
        auto_commit = (
            self.env.registry.ready
            and not (config["test_enable"] or odoo_module.current_test)
            and self.env.context.get("ka_pool_autocommit", True)
        )
        cron = self.env["ir.cron"]
        done, total = 0, len(rows)
        for batch in split_every(batch_size, returns):
            self._ka_pool_return_batch(batch, today)
            done += len(batch)
            cron._notify_progress(done=done, remaining=total - done)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        for batch in split_every(batch_size, warnings):
            self._ka_pool_warn_batch(batch)
            done += len(batch)
            cron._notify_progress(done=done, remaining=total - done)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(returns), len(warnings)

    @api.model
    def _ka_pool_return_batch(self, rows, today):
        # the reason is written for the account's last owner, in their
        # language: one move per kind and language
        envs = envs_by_lang(
            self.env, self.env["res.users"].browse({row.user_id for row in rows})
        )
        by_kind = defaultdict(list)
        for row in rows:
            by_kind[row.kind, envs[row.user_id].lang].append(row.partner_id)
        for (kind, lang), partner_ids in by_kind.items():
            env = self.with_context(lang=lang).env
            reason = (
                env._("No follow-up in time: returned to the pool.")
                if kind == "followup"
                else env._("No confirmed order in time: returned to the pool.")
            )
            partners = self.browse(partner_ids).with_context(tracking_disable=True)
            partners._ka_pool_move(self.env["res.users"], "return", reason=reason)

    @api.model
    def _ka_pool_warn_batch(self, rows):
        """Warn the owners of these accounts (``PoolDue`` rows): an activity
        for each owner (who follows the account), a note in the chatter and
        the warning date, in a few queries for the whole batch."""
        partners = self.browse([row.partner_id for row in rows]).sudo()
        activity_type = self._ka_pool_warning_type()
        # in each owner's language, each text translated once per language
        envs = envs_by_lang(
            self.env, self.env["res.users"].browse({row.user_id for row in rows})
        )
        summaries = {
            env.lang: env._("Follow up before it returns to the pool")
            for env in envs.values()
        }
        self._ka_create_activities(
            [
                {
                    "res_id": row.partner_id,
                    "activity_type_id": activity_type.id,
                    "user_id": row.user_id,
                    "date_deadline": row.due,
                    "summary": summaries[envs[row.user_id].lang],
                }
                for row in rows
            ]
        )
        bodies = {}
        for row in rows:
            env = envs[row.user_id]
            due = fields.Date.to_string(row.due)
            if row.kind == "followup":
                text = env._(
                    "This key account goes back to the pool on %(date)s without "
                    "a follow-up (visit, call, e-mail or meeting).",
                    date=due,
                )
            else:
                text = env._(
                    "This key account goes back to the pool on %(date)s without "
                    "a confirmed order.",
                    date=due,
                )
            bodies[row.partner_id] = Markup("<p>%s</p>") % text
        partners._ka_log_notes([bodies[partner.id] for partner in partners])
        # the warning date: no rule depends on it, nobody tracks it; one
        # UPDATE (the ORM writes one date at a time, with the chatter's
        # tracking of every account)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET ka_pool_warning_date = w.due,
                       write_uid = %(uid)s,
                       write_date = NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(dues)s::date[]) AS w(id, due)
                 WHERE p.id = w.id
                """,
                uid=self.env.uid,
                ids=[row.partner_id for row in rows],
                dues=[row.due for row in rows],
            )
        )
        partners.invalidate_recordset(
            ["ka_pool_warning_date", "write_uid", "write_date"]
        )
        partners.modified(["ka_pool_warning_date"])

    # ---- pool: handover ------------------------------------------------------------
    @api.model
    def _ka_handover_open_documents(self, partners, user):
        """Open documents of ``user`` on ``partners`` to hand over with them
        (``partners`` None: on any account, when ``user`` is archived).
        A hook: the capabilities with documents on key accounts (engagement:
        visits, receptions, gifts; account: plans, draft reviews) add theirs.

        :return: list of recordsets, each with a ``user_id`` field
        """
        return []

    @api.model
    def _ka_handover_reassign_documents(self, documents, new_user):
        """Give the open ``documents`` (from :meth:`_ka_handover_open_documents`)
        to ``new_user``; extensions override it when their field differs."""
        with trusted_write():
            for records in documents:
                if new_user:
                    records.sudo().write({"user_id": new_user.id})
