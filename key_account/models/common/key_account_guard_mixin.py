import contextvars
from contextlib import contextmanager

from odoo import api
from odoo import models
from odoo.exceptions import AccessError

OUR_MODULES = ("key_account", "key_account_hr_expense")
# Odoo's own: the id and log fields (dropped from a create by Odoo), the name
UNGUARDED = frozenset(models.MAGIC_COLUMNS) | {"display_name"}
# set while a process of the module writes, after its own checks (a Python
# value: no client request can set it, whatever its context)
_TRUSTED = contextvars.ContextVar("key_account_trusted_write", default=False)


@contextmanager
def trusted_write():
    """The module's own processes write within this block, after checking
    who acts: the guards of closed documents let them through."""
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def field_labels(records, fnames):
    """The labels of the fields ``fnames`` of ``records``' model, for a message."""
    return ", ".join(
        sorted(records._fields[f]._description_string(records.env) for f in fnames)
    )


def is_trusted():
    return _TRUSTED.get()


def empty(value):
    return value is None or value is False or value == 0 or value in ("", [], ())


class KeyAccountGuardMixin(models.AbstractModel):
    """Fields that no client sets: the workflow's, the figures the module
    computes, the dates its actions write, the payees of its lines.

    :meth:`_ka_protected_fields` lists them, once per model. Whatever the
    request, and whoever sends it (managers and Finance included):

    - a ``create`` or ``write`` naming one of them is refused (a ``create``
      may name it with its own default value, as a form sends it);
    - a new record never takes them from the caller's defaults: neither the
      ``default_<field>`` keys of the context (which Odoo applies after
      ``create`` has looked at the values), nor the user's own defaults
      (``ir.default``). It gets the field's own default, even when the
      module creates it as superuser on a client's request (approval lines,
      log rows inherit that request's context).

    The processes write them as superuser, after their own checks."""

    _name = "key_account.guard.mixin"
    _description = "Key Account Guard Mixin"

    def _ka_protected_fields(self):
        """The fields no client sets on this model: by default, every stored
        field the module declares ``readonly`` — written by its processes, or
        computed (Odoo stores what a client writes in a stored computed field
        until it is computed again), or related."""
        return {
            fname
            for fname, field in self._fields.items()
            if getattr(field, "_module", None) in OUR_MODULES
            and fname not in UNGUARDED
            and field.readonly
            and field.store
        }

    def _ka_overridden_fields(self):
        """Fields the model sets itself on create, whatever a client sends
        (e.g. a line's salesperson, always its document's): not refused,
        overridden."""
        return set()

    # ---- defaults ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        protected = self._ka_protected_fields().intersection(fields_list)
        if not protected:
            return super().default_get(fields_list)
        res = super().default_get([f for f in fields_list if f not in protected])
        res.update(self._ka_own_defaults(protected))
        return res

    @api.model
    def _ka_own_defaults(self, fnames):
        """The defaults the model itself gives ``fnames`` (not the caller's)."""
        res = {}
        for fname in fnames:
            field = self._fields[fname]
            if field.default:
                value = field.convert_to_cache(
                    field.default(self), self, validate=False
                )
                res[fname] = field.convert_to_write(value, self)
        return res

    @api.model
    def _ka_is_own_default(self, fname, value):
        """Whether ``value`` is what the model would store anyway."""
        own = self._ka_own_defaults([fname]).get(fname)
        if empty(own) and empty(value):
            return True
        field = self._fields[fname]
        if field.type in ("one2many", "many2many"):
            return False
        try:
            return field.convert_to_cache(
                value, self, validate=False
            ) == field.convert_to_cache(own, self, validate=False)
        except (ValueError, TypeError):
            return False

    @api.model
    def _ka_client_defaults(self, vals, fnames):
        """What a create of ``vals`` would store in ``fnames`` from the
        caller's defaults (context keys, ``ir.default``) rather than the
        model's own: the values a check of that create must judge too."""
        missing = [f for f in fnames if f not in vals and f in self._fields]
        if not missing:
            return {}
        return {
            fname: value
            for fname, value in self.default_get(missing).items()
            if not self._ka_is_own_default(fname, value)
        }

    # ---- clients ---------------------------------------------------------------------
    def _ka_protected_message(self, fnames, creating=False):
        return self.env._(
            "These fields are written by Key Accounts itself and cannot be set "
            "by hand: %(fields)s.",
            fields=field_labels(self, fnames),
        )

    @api.model
    def _ka_refuse_protected(self, vals, creating=False):
        """Refuse a client's ``vals`` naming a protected field (on create,
        unless with the field's own default)."""
        if self.env.su:
            return
        named = vals.keys() & self._ka_protected_fields()
        if creating:
            named = {f for f in named if not self._ka_is_own_default(f, vals[f])}
        if named:
            raise AccessError(self._ka_protected_message(named, creating=creating))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ka_refuse_protected(vals, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._ka_refuse_protected(vals)
        return super().write(vals)
