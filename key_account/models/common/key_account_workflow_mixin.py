from odoo import api
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from .key_account_guard_mixin import field_labels
from .key_account_guard_mixin import is_trusted
from .key_account_guard_mixin import trusted_write

__all__ = ["field_labels", "trusted_write"]

# fields the chatter and activities write on any document, whatever its state
FREE_PREFIXES = ("message_", "activity_", "website_message", "rating_")


class KeyAccountWorkflowMixin(models.AbstractModel):
    """A document whose status moves only through its actions.

    - ``_ka_workflow_fields``: written by the workflow only. They are
      protected fields (:class:`KeyAccountGuardMixin`): a client's ``create``
      or ``write`` carrying one of them is refused, and a new document never
      takes them from the caller's defaults. The actions check who acts, then
      write them with :meth:`_ka_workflow_write`; no other code changes them,
      superuser included.
    - ``_ka_open_states``: the states in which the document may be edited; in
      the others, no field but the chatter's changes, or, when
      ``_ka_lock_all`` is unset, only the fields of :meth:`_ka_locked_fields`
      are frozen. Closed is closed whoever writes, as Odoo's posted journal
      entries: the superuser too (an automated action, another module's
      ``sudo()``); only the module's own processes, after their checks
      (:func:`trusted_write`), move a closed document.
    - ``_ka_cancelled_without_owner``: the states in which the document is
      cancelled when its owner's user is archived (nobody will carry it out);
      in the others it goes to their successor (see ``res.users``).
    """

    _name = "key_account.workflow.mixin"
    _inherit = ["key_account.guard.mixin"]
    _description = "Key Account Workflow Mixin"

    _ka_workflow_fields = frozenset({"state"})
    _ka_open_states = ("draft",)
    _ka_initial_state = "draft"
    _ka_lock_all = True
    _ka_cancelled_without_owner = ()

    def _ka_locked_fields(self):
        """The fields frozen outside the open states (without ``_ka_lock_all``)."""
        return set()

    def _ka_locked_message(self, record, what=None):
        """The refusal of an edit of ``what`` (field labels) on ``record``."""
        return self.env._(
            "%(doc)s can no longer change in its current status.",
            doc=record.display_name,
        )

    def _ka_workflow_message(self):
        if self:
            return self.env._(
                "The status of %(doc)s changes only through its buttons.",
                doc=self[:1].display_name,
            )
        return self.env._("A status changes only through its document's buttons.")

    # ---- guards -------------------------------------------------------------------
    @api.model
    def _ka_frozen(self, fnames):
        """The fields of ``fnames`` that a locked document refuses."""
        fnames = {f for f in fnames if not f.startswith(FREE_PREFIXES)}
        if self._ka_lock_all:
            return fnames
        return fnames & set(self._ka_locked_fields())

    def _ka_check_open(self, fnames=None):
        """Raise unless every record of ``self`` is open to edits of
        ``fnames`` (default: any field)."""
        frozen = None
        if fnames is not None:
            frozen = self._ka_frozen(fnames)
            if not frozen:
                return
        closed = self.filtered(lambda r: r.state not in self._ka_open_states)
        if closed:
            what = frozen and field_labels(self, frozen)
            raise UserError(self._ka_locked_message(closed[0], what or None))

    def _ka_protected_fields(self):
        return super()._ka_protected_fields() | set(self._ka_workflow_fields)

    def _ka_protected_message(self, fnames, creating=False):
        if creating and "state" in fnames:
            return self.env._(
                "A new document starts as a draft: its status changes only "
                "through its buttons."
            )
        if set(fnames) & self._ka_workflow_fields:
            return self._ka_workflow_message()
        return super()._ka_protected_message(fnames, creating=creating)

    def _ka_changed_fields(self, vals):
        """The fields of ``vals`` whose value changes on one of the records
        (Odoo writes unchanged values back, when it loads data files)."""
        changed = set()
        for fname, value in vals.items():
            field = self._fields.get(fname)
            if field is None or field.type in ("one2many", "many2many"):
                if field is None or value:
                    changed.add(fname)
                continue
            try:
                new = field.convert_to_cache(value, self, validate=False)
            except (ValueError, TypeError):
                changed.add(fname)
                continue
            for record in self:
                if field.convert_to_cache(record[fname], record, validate=False) != new:
                    changed.add(fname)
                    break
        return changed

    def write(self, vals):
        if not is_trusted():
            # checked for clients (the guard), and for any other code too:
            # only the actions move the status; closed is closed
            fnames = {f for f in vals if not f.startswith(FREE_PREFIXES)}
            changed = (
                self._ka_changed_fields({f: vals[f] for f in fnames})
                if self.env.su
                else fnames
            )
            if changed & self._ka_workflow_fields:
                raise AccessError(self._ka_workflow_message())
            self._ka_check_open(changed)
        return super().write(vals)

    def _ka_workflow_write(self, vals):
        """The workflow's own write of its fields, once the action checked who
        acts and from which status. Private: no client can call it."""
        with trusted_write():
            return self.sudo().write(vals)

    def _ka_activities(self, activity_type):
        """The activities of type ``activity_type`` (an XML id) on these
        records, as superuser: the reminders the workflow gives and closes."""
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", self.env.ref(activity_type).id),
                ]
            )
        )
