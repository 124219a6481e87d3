"""18.0.2.3.0: persons as key accounts; the department appraised as a department.

A contact of a company (a person with a parent) is never a key account (a
constraint from this version on, which Odoo does not run on stored rows): a
contact that carries a key-account type loses it, with a note in its chatter
(its sales always counted for its company's account).

The department is appraised as a department.

The shipped appraisal templates are ``noupdate`` data: a database updated from
an earlier version keeps the manager's and the assistant's templates as they
were shipped, measured on the person's own figures. Here:

- a template whose lines are still exactly the earlier shipped ones (nobody
  tuned it) gets the new shipped lines, period and department scope;
- a template an admin has tuned keeps its lines, weights and period: only its
  indicator lines are measured over the department (the manager's every
  indicator, the assistant's file completeness), which is what the documents
  mean by the role; its expense ratio stays as the admin set it (the
  expense-saving rate is a new indicator; said in the log).
"""

import logging

from odoo import SUPERUSER_ID
from odoo import api
from odoo.fields import Command

_logger = logging.getLogger(__name__)

# the lines as 18.0.2.2.0 shipped them: (kind, indicator xml id or name, weight)
OLD_LINES = {
    "key_account_kpi_template_manager": [
        ("indicator", "key_account_kpi_indicator_gross_margin", 15),
        ("indicator", "key_account_kpi_indicator_expense_ratio", 10),
        ("indicator", "key_account_kpi_indicator_sales_plan", 20),
        ("indicator", "key_account_kpi_indicator_churn_rate", 10),
        ("indicator", "key_account_kpi_indicator_sales_growth", 10),
        ("indicator", "key_account_kpi_indicator_new_accounts", 10),
        ("indicator", "key_account_kpi_indicator_satisfaction", 10),
        ("indicator", "key_account_kpi_indicator_complaints", 5),
        (
            "manual",
            "Staff satisfaction, key-staff retention and training-plan completion",
            10,
        ),
    ],
    "key_account_kpi_template_assistant": [
        ("indicator", "key_account_kpi_indicator_completeness", 40),
        (
            "manual",
            "Timeliness and accuracy of analysis reports (large in 3 days, small in 1)",
            30,
        ),
        ("manual", "Support timeliness", 15),
        ("manual", "Assigned tasks", 15),
    ],
}


def _line(seq, ref, weight, target, without, scope="department", kind="indicator"):
    return {
        "sequence": seq,
        "kind": kind,
        "scope": scope,
        "indicator_ref": ref,
        "weight": weight,
        "target": target,
        "points_without_data": without,
    }


def _manual(seq, name, weight):
    return {"sequence": seq, "kind": "manual", "name": name, "weight": weight}


# the lines as this version ships them (data/key_account_kpi_template_data.xml)
NEW_LINES = {
    "key_account_kpi_template_manager": (
        "half_year",
        [
            _line(10, "key_account_kpi_indicator_sales_plan", 40, 100, 0),
            _line(20, "key_account_kpi_indicator_gross_margin", 10, 20, 0),
            _line(30, "key_account_kpi_indicator_expense_saving", 5, 5, 100),
            _line(40, "key_account_kpi_indicator_churn_rate", 5, 10, 0),
            _line(50, "key_account_kpi_indicator_sales_growth", 5, 10, 0),
            _line(60, "key_account_kpi_indicator_new_accounts", 5, 2, 0),
            _line(70, "key_account_kpi_indicator_satisfaction", 5, 4.5, 0),
            _line(80, "key_account_kpi_indicator_complaints", 5, 1, 0),
            _line(90, "key_account_kpi_indicator_staff_turnover", 5, 10, 100),
            _manual(100, "Internal staff satisfaction", 5),
            _manual(110, "Key-staff retention", 5),
            _manual(120, "Training-plan completion", 5),
        ],
    ),
    "key_account_kpi_template_assistant": (
        "half_year",
        [
            _line(10, "key_account_kpi_indicator_completeness", 20, 90, 0),
            _line(
                20, "key_account_kpi_indicator_analysis_timeliness", 20, 100, 100, "own"
            ),
            _manual(30, "Accuracy of analysis reports", 10),
            _line(
                40, "key_account_kpi_indicator_support_timeliness", 20, 100, 100, "own"
            ),
            _manual(50, "Accuracy and completeness of support", 10),
            _manual(60, "Assigned tasks", 20),
        ],
    ),
}
# a tuned template: which of its indicator lines the department measures
DEPARTMENT_INDICATORS = {
    "key_account_kpi_template_manager": None,  # all
    "key_account_kpi_template_assistant": {"key_account_kpi_indicator_completeness"},
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    _contacts_are_no_key_accounts(env)
    for xmlid in NEW_LINES:
        template = env.ref(f"key_account.{xmlid}", raise_if_not_found=False)
        if template:
            _migrate_template(env, xmlid, template)


def _ref(env, name):
    return env.ref(f"key_account.{name}", raise_if_not_found=False)


def _shipped(env, xmlid, template):
    """Whether the template's lines are still the earlier shipped ones."""
    lines = template.line_ids.sorted("sequence")
    old = OLD_LINES[xmlid]
    if len(lines) != len(old):
        return False
    for line, (kind, key, weight) in zip(lines, old, strict=True):
        if line.kind != kind or abs(line.weight - weight) > 0.005:
            return False
        if kind == "indicator" and line.indicator_id != _ref(env, key):
            return False
        if kind == "manual" and line.name != key:
            return False
    return True


def _migrate_template(env, xmlid, template):
    if _shipped(env, xmlid, template):
        period, lines = NEW_LINES[xmlid]
        commands = [Command.delete(line.id) for line in template.line_ids]
        for vals in lines:
            vals = dict(vals)
            ref = vals.pop("indicator_ref", None)
            if ref:
                vals["indicator_id"] = _ref(env, ref).id
            commands.append(Command.create(vals))
        template.write({"period_type": period, "line_ids": commands})
        return
    wanted = DEPARTMENT_INDICATORS[xmlid]
    lines = template.line_ids.filtered(
        lambda line: line.kind == "indicator"
        and (
            wanted is None
            or line.indicator_id
            in env["key_account.kpi.indicator"].browse(
                [_ref(env, name).id for name in wanted]
            )
        )
    )
    lines.write({"scope": "department"})
    _logger.info(
        "%s was changed from the shipped template: its lines and weights are "
        "kept, its indicators now measured over the department (the "
        "expense-saving rate is a new indicator: see its expense lines).",
        template.name,
    )


def _contacts_are_no_key_accounts(env):
    contacts = (
        env["res.partner"]
        .with_context(active_test=False)
        .search(
            [
                ("ka_type_id", "!=", False),
                ("is_company", "=", False),
                ("parent_id", "!=", False),
            ]
        )
    )
    if not contacts:
        return
    types = {contact.id: contact.ka_type_id.name for contact in contacts}
    contacts.write({"ka_type_id": False})
    contacts._message_log_batch(
        bodies={
            contact.id: env._(
                "No longer a key account (type %(type)s removed): a contact of "
                "%(parent)s is never a key account itself, its sales count for "
                "%(parent)s.",
                type=types[contact.id],
                parent=contact.parent_id.display_name,
            )
            for contact in contacts
        }
    )
    _logger.info("key-account type removed from %s contacts", len(contacts))
