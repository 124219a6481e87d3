"""Who read and exported the customer files and relationship maps.

The public ways a client reads records (``web_read``, ``web_search_read``,
``read``, ``search_read``, ``read_group``; ``export_data`` of any
model) open a scope; the records'
``_read_format`` and ``_export_rows`` note in it which accounts' confidential
fields reached the reader; the outermost call writes the notes with one
INSERT, however many accounts (``key_account.access.log``)."""

from contextlib import contextmanager

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.tools import SQL

from ..common.groups import KA_MANAGER
from ..common.lang import envs_by_lang
from ..common.settings import days_setting

# cr.cache key of the scope open for the current public call
_SCOPE = "key_account_access_scope"
KA_FILE_EXPORT = "key_account.group_key_account_file_export"
OPERATIONS = [
    ("open", "Opened"),
    ("read", "Read"),
    ("export", "Exported"),
    ("erasure", "Erased"),
    ("subject_export", "Exported for the person"),
]
CHANNELS = [
    ("ui", "Web client"),
    ("api", "API (JSON-RPC)"),
    ("export", "Export"),
]
RETENTION_KEY = "key_account.access_log_months"
RETENTION_DEFAULT = 24
EXPORT_ALERT_KEY = "key_account.export_alert_accounts"
EXPORT_ALERT_DEFAULT = 50


def current_route():
    """The HTTP route of the request being served, if any."""
    try:
        return request.httprequest.path if request else False
    except RuntimeError:
        return False


@contextmanager
def access_scope(env, operation, channel):
    """Collect within the block the accounts whose confidential fields are
    read; the outermost scope writes them (one INSERT) when it ends without
    error. Yields the notes ({(account id, model): set of fields}), or None
    in a nested scope (the outer one logs)."""
    if env.cr.cache.get(_SCOPE) is not None:
        yield None
        return
    notes = env.cr.cache[_SCOPE] = {}
    try:
        yield notes
    finally:
        env.cr.cache.pop(_SCOPE, None)
    if notes:
        env["key_account.access.log"]._ka_write(notes, operation, channel)


class KeyAccountAccessLog(models.Model):
    """One line per account read, exported or erased: written by the module
    only (one INSERT per call, in SQL), never changed; read by Key Account managers;
    purged after the retention months of Settings."""

    _name = "key_account.access.log"
    _description = "Customer File Access Log"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Key Account", readonly=True, index=True
    )
    account_name = fields.Char(
        readonly=True,
        help="The account's name when it was read: kept if the account is deleted.",
    )
    company_id = fields.Many2one("res.company", readonly=True, index="btree_not_null")
    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    channel = fields.Selection(CHANNELS, string="From", readonly=True)
    route = fields.Char(readonly=True, help="The HTTP route of the request.")
    res_model = fields.Char(string="Model", readonly=True)
    field_names = fields.Char(
        string="Technical Fields",
        readonly=True,
        help="The technical names of the fields read, as written (model.field "
        "for an erasure or an export for the person).",
    )
    field_labels = fields.Char(
        string="Fields",
        compute="_compute_field_labels",
        help="The fields read, by their labels in your language.",
    )
    reason = fields.Text(readonly=True)

    @api.depends("field_names", "res_model")
    @api.depends_context("lang")
    def _compute_field_labels(self):
        # "need" of the line's model, or "key_account.file.need"; a name no
        # model declares any more is shown as written
        for log in self:
            labels = []
            for name in filter(None, (log.field_names or "").split(", ")):
                model, _dot, fname = name.rpartition(".")
                model = model or log.res_model
                field = (
                    self.env[model]._fields.get(fname) if model in self.env else None
                )
                labels.append(field._description_string(self.env) if field else name)
            log.field_labels = ", ".join(labels)

    # ---- nobody changes the log --------------------------------------------------
    def _ka_refuse(self):
        raise AccessError(
            self.env._(
                "The customer-file access log is written by Key Accounts only: "
                "its lines cannot be created, changed or deleted."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        # rows come from _ka_write (one INSERT as superuser): never created
        # through the ORM, whoever asks (_ka_refuse raises)
        self._ka_refuse()
        return super().create(vals_list)

    def write(self, vals):
        self._ka_refuse()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        self._ka_refuse()

    # ---- writing ---------------------------------------------------------------------
    @api.model
    def _ka_write(self, notes, operation, channel, reason=None):
        """Write one line per (account, model) of ``notes`` ({(account id,
        model): fields}) with one INSERT, as the current user.

        :return: the number of accounts
        """
        rows = sorted(notes.items())
        now = fields.Datetime.now()
        # the account's name from the partner in the statement; the company
        # the read happened in: the file's, else the account's process
        # company (a shared account's), else the user's; never none, or
        # every company would read the line
        self.env["res.partner"].flush_model(["name", "company_id"])
        self.env["key_account.file"].flush_model(["partner_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO %(table)s (date, user_id, partner_id, account_name,
                       company_id, operation, channel, route, res_model,
                       field_names, reason, create_uid, create_date, write_uid,
                       write_date)
                SELECT %(now)s, %(uid)s, p.id, p.name,
                       COALESCE(f.company_id, p.company_id, %(process)s,
                                %(company)s),
                       %(operation)s,
                       %(channel)s, %(route)s, v.model, v.fnames, %(reason)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(models)s::varchar[],
                              %(fnames)s::varchar[])
                       WITH ORDINALITY AS v(id, model, fnames, n)
                  JOIN res_partner p ON p.id = v.id
             LEFT JOIN key_account_file f ON f.partner_id = p.id
              ORDER BY v.n
                """,
                table=SQL.identifier(self._table),
                now=now,
                uid=self.env.uid,
                process=self.env["res.partner"]._ka_scheduler_company_id() or None,
                company=self.env.company.id,
                operation=operation,
                channel=channel,
                route=current_route() or None,
                reason=reason or None,
                ids=[account_id for (account_id, _model), _f in rows],
                models=[model for (_account_id, model), _f in rows],
                fnames=[", ".join(sorted(fnames)) for _key, fnames in rows],
            )
        )
        self.invalidate_model()
        count = len({account_id for account_id, _model in notes})
        if operation == "export" and count > self._ka_export_alert_accounts():
            self._ka_notify_large_export(count)
        return count

    @api.model
    def _ka_export_alert_accounts(self):
        return days_setting(self.env, EXPORT_ALERT_KEY, EXPORT_ALERT_DEFAULT)

    @api.model
    def _ka_notify_large_export(self, count):
        """Tell the Key Account managers (each in their language) that the
        current user exported the files of ``count`` accounts."""
        managers = (
            self.env.ref(KA_MANAGER)
            .sudo()
            .users.filtered(lambda u: not u.share and u.active and u.partner_id)
        )
        managers = (
            managers.filtered(lambda u: self.env.company in u.company_ids)
            - self.env.user
        )
        if not managers:
            return
        author = self.env.user
        for lang_env, users in _by_lang(self.env, managers):
            lang_env["res.partner"].sudo().browse(author.partner_id.id).message_notify(
                partner_ids=users.partner_id.ids,
                subject=lang_env._("Large export of customer files"),
                body=lang_env._(
                    "%(user)s exported the customer files or relationship maps "
                    "of %(count)s key accounts.",
                    user=author.name,
                    count=count,
                ),
            )

    # ---- retention -------------------------------------------------------------------
    @api.model
    def _ka_retention_months(self):
        return days_setting(self.env, RETENTION_KEY, RETENTION_DEFAULT)

    @api.model
    def _ka_cron_purge(self):
        """Daily: delete the lines older than the retention months (SQL: the
        ORM refuses to delete a line)."""
        months = self._ka_retention_months()
        if months <= 0:
            return 0
        limit = fields.Datetime.now() - relativedelta(months=months)
        self.env.cr.execute(
            SQL("DELETE FROM key_account_access_log WHERE date < %s", limit)
        )
        self.invalidate_model()
        return self.env.cr.rowcount

    @api.model
    def _ka_demo_reads(self, partner_ids):
        """Demo data: each of these accounts opened by its owner, through the
        path a client takes; once (a reload of the demo adds nothing)."""
        if self.sudo().search_count([], limit=1):
            return
        for partner in self.env["res.partner"].sudo().browse(partner_ids):
            if partner.user_id:
                spec = {fname: {} for fname in partner._ka_confidential_fields()}
                partner.with_user(partner.user_id).web_read(spec)

    # ---- reports ---------------------------------------------------------------------
    @api.model
    def _ka_summary(self, user, days=30):
        """What ``user`` read and exported in their last ``days`` days: a list
        of (account name, operation label, count), by account."""
        since = fields.Datetime.now() - relativedelta(days=days)
        groups = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [
                    ("user_id", "=", user.id),
                    ("date", ">=", since),
                    ("operation", "in", ["open", "read", "export"]),
                ],
                ["account_name", "operation"],
                ["__count"],
                order="account_name, operation",
            )
        )
        labels = dict(self._fields["operation"]._description_selection(self.env))
        return [(name, labels[operation], count) for name, operation, count in groups]


def _by_lang(env, users):
    """[(environment in a language, users who read it)]"""
    envs = envs_by_lang(env, users)
    groups = {}
    for user in users:
        lang_env = envs.get(user.id, env)
        groups.setdefault(lang_env.lang, (lang_env, env["res.users"].sudo()))
        lang_env, members = groups[lang_env.lang]
        groups[lang_env.lang] = (lang_env, members | user)
    return list(groups.values())


class KeyAccountAccessMixin(models.AbstractModel):
    """Logs the public reads and exports of a model's confidential fields
    (``_ka_confidential_fields``) in ``key_account.access.log``."""

    _name = "key_account.access.mixin"
    _description = "Logged Access to Customer Files"

    def _ka_confidential_fields(self):
        """The names of the fields whose reading is logged."""
        return set()

    def _ka_access_accounts(self):
        """{record id: key account id} of these records (read as superuser)."""
        return {}

    def _ka_note_access(self, fnames, records, held=None):
        """Note in the open scope that ``fnames`` of ``records`` were read:
        of each record, those ``held`` ({record id: names}) says held a
        value, when given (a person's file leaves a company's fields empty)."""
        notes = self.env.cr.cache.get(_SCOPE)
        if notes is None or self.env.su or not records:
            return
        confidential = self._ka_confidential_fields().intersection(fnames)
        if not confidential:
            return
        accounts = records._ka_access_accounts()
        for record in records:
            account_id = accounts.get(record.id)
            read = confidential
            if held is not None:
                read = confidential.intersection(held.get(record.id, ()))
            if account_id and read:
                notes.setdefault((account_id, self._name), set()).update(read)

    def _ka_note_held(self, confidential, held):
        """Note the fields of ``held`` ({record id: names with a value}):
        the rules gave them to the reader."""
        held = {record_id: names for record_id, names in held.items() if names}
        if held:
            self._ka_note_access(confidential, self.browse(held), held)

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        if self.env.cr.cache.get(_SCOPE) is not None and not self.env.su:
            confidential = self._ka_confidential_fields().intersection(fnames)
            if confidential:
                self._ka_note_held(
                    confidential,
                    {
                        vals["id"]: {f for f in confidential if vals.get(f)}
                        for vals in result
                        if isinstance(vals.get("id"), int)
                    },
                )
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        rows = super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
        if self.env.cr.cache.get(_SCOPE) is not None and not self.env.su:
            confidential = self._ka_confidential_fields().intersection(
                path[0] for path in fields if path
            )
            if confidential:
                self._ka_note_held(
                    confidential,
                    {
                        record.id: {f for f in confidential if record[f]}
                        for record in self
                        if isinstance(record.id, int)
                    },
                )
        return rows

    # ---- the public ways in -------------------------------------------------------
    def _ka_logged_call(self, operation, channel, method, *args, **kwargs):
        if self.env.su:
            return method(*args, **kwargs)
        with access_scope(self.env, operation, channel):
            return method(*args, **kwargs)

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        return self._ka_logged_call(
            "read",
            "ui",
            super().web_search_read,
            domain,
            specification,
            offset=offset,
            limit=limit,
            order=order,
            count_limit=count_limit,
        )

    # a logged read writes its log line: a read/write transaction (the web
    # client's call_kw reads this flag)
    web_search_read._readonly = False

    def web_read(self, specification):
        return self._ka_logged_call("open", "ui", super().web_read, specification)

    web_read._readonly = False

    def read(self, fields=None, load="_classic_read"):
        return self._ka_logged_call("read", "api", super().read, fields, load=load)

    read._readonly = False

    @api.model
    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **kwargs
    ):
        return self._ka_logged_call(
            "read",
            "api",
            super().search_read,
            domain,
            fields,
            offset=offset,
            limit=limit,
            order=order,
            **kwargs,
        )

    search_read._readonly = False

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        if self.env.su:
            return super().read_group(
                domain, fields, groupby, offset, limit, orderby, lazy
            )
        # Odoo's grouped spreadsheet export groups the records with this
        # read_group, then writes the groups' values as row headers: grouping
        # by a confidential field there is an export of it
        exporting = (current_route() or "").startswith("/web/export/")
        if exporting and self._ka_group_fields(fields, groupby):
            check_export_right(self.env)
        operation, channel = ("export", "export") if exporting else ("read", "api")
        with access_scope(self.env, operation, channel):
            groups = super().read_group(
                domain, fields, groupby, offset, limit, orderby, lazy
            )
            self._ka_note_group_access(domain, fields, groupby)
            return groups

    read_group._readonly = False

    @api.model
    def web_read_group(
        self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True
    ):
        return self._ka_logged_call(
            "read",
            "ui",
            super().web_read_group,
            domain,
            fields,
            groupby,
            limit=limit,
            offset=offset,
            orderby=orderby,
            lazy=lazy,
        )

    web_read_group._readonly = False

    @api.model
    def read_progress_bar(self, domain, group_by, progress_bar):
        return self._ka_logged_call(
            "read", "ui", super().read_progress_bar, domain, group_by, progress_bar
        )

    read_progress_bar._readonly = False

    @api.model
    def _ka_group_fields(self, fields, groupby):
        """The confidential fields a grouping groups by or aggregates."""
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or ())
        fnames = set()
        for spec in [*(fields or ()), *groupby]:
            # "name", "name:agg", "alias:agg(name)", "date:month"
            name, _sep, func = spec.partition(":")
            fnames.add(name.strip())
            if "(" in func:
                fnames.add(func.partition("(")[2].rstrip(") "))
        return self._ka_confidential_fields() & fnames

    @api.model
    def _ka_note_group_access(self, domain, fields, groupby):
        """Note a grouping by or an aggregate of confidential fields: the
        groups do not tell their accounts, the domain's records (with the
        reader's rules) do."""
        confidential = self._ka_group_fields(fields, groupby)
        if confidential:
            self._ka_note_access(confidential, self.search(domain or []))


def check_export_right(env):
    """Exporting customer files and relationship maps is a right of its own."""
    if not env.su and not env.user.has_group(KA_FILE_EXPORT):
        raise AccessError(
            env._(
                "Exporting customer files and relationship maps is a "
                "right of its own (Export customer files): ask a Key "
                "Account manager."
            )
        )


def exports_confidential(records, paths):
    """Whether one of the export paths (``a/b/c``) of ``records`` reaches a
    confidential field of their model or of a model it leads to (the sale
    order's ``partner_id/ka_need`` reads the partner's file)."""
    env = records.env
    for path in paths:
        model = records
        for name in path.split("/"):
            field = model._fields.get(name)
            if field is None:
                break
            if name in getattr(model, "_ka_confidential_fields", set)():
                return True
            if not field.relational:
                break
            model = env[field.comodel_name]
    return False


class Base(models.AbstractModel):
    """An export reaching the customer files or relationship maps, from
    whichever model it starts (a sale order's ``partner_id/ka_need``), needs
    the right to export them and is logged: the accounts reached are noted by
    their ``_export_rows`` (``key_account.access.mixin``)."""

    _inherit = "base"

    def export_data(self, fields_to_export):
        if self.env.su or not exports_confidential(self, fields_to_export):
            return super().export_data(fields_to_export)
        check_export_right(self.env)
        with access_scope(self.env, "export", "export"):
            return super().export_data(fields_to_export)
