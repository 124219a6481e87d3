from odoo import api
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

# fields the chatter and activities write on any document, whatever its state
FREE_PREFIXES = ("message_", "activity_", "website_message", "rating_")


def field_labels(records, fnames):
    """The labels of the fields ``fnames`` of ``records``' model, for a message."""
    return ", ".join(
        sorted(records._fields[f]._description_string(records.env) for f in fnames)
    )


class KeyAccountWorkflowMixin(models.AbstractModel):
    """A document whose status moves only through its actions.

    - ``_ka_workflow_fields``: written by the workflow only. A client's
      ``create`` or ``write`` carrying one of them is refused, whatever its
      context; the actions check who acts, then write them with
      :meth:`_ka_workflow_write` (as superuser: a client can send any context
      key, never ``env.su``).
    - ``_ka_open_states``: the states in which the document may be edited; in
      the others, no field but the chatter's changes, or, when
      ``_ka_lock_all`` is unset, only the fields of :meth:`_ka_locked_fields`
      are frozen.
    - ``_ka_cancelled_without_owner``: the states in which the document is
      cancelled when its owner's user is archived (nobody will carry it out);
      in the others it goes to their successor (see ``res.users``).
    """

    _name = "key_account.workflow.mixin"
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
        return self.env._(
            "The status of %(doc)s changes only through its buttons.",
            doc=self[:1].display_name or self._description,
        )

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

    def _ka_refuse_workflow_fields(self, fnames):
        if set(fnames) & self._ka_workflow_fields:
            raise AccessError(self._ka_workflow_message())

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                state = vals.get("state", self._ka_initial_state)
                if state != self._ka_initial_state or (
                    set(vals) & (self._ka_workflow_fields - {"state"})
                ):
                    raise AccessError(
                        self.env._(
                            "A new %(doc)s starts as a draft: its status changes "
                            "only through its buttons.",
                            doc=self._description,
                        )
                    )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._ka_refuse_workflow_fields(vals)
            self._ka_check_open(vals)
        return super().write(vals)

    def _ka_workflow_write(self, vals):
        """The workflow's own write of its fields, once the action checked who
        acts and from which status. Private: no client can call it."""
        return self.sudo().write(vals)
