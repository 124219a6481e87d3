from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import EngagementCase

NUMBERS = ("float", "monetary", "integer")
DATES = ("date", "datetime")
BAD_VALUES = {
    "float": (1e308, 1e20, -1e20),
    "monetary": (1e308, 1e20, -1e20),
    "integer": (1e20, 2**31),
    "date": ("9999-12-31", "1000-01-01"),
    "datetime": ("9999-12-31 08:00:00", "1000-01-01 08:00:00"),
}


def client_fields(env):
    """(model, field) of every date, datetime and number field of the module
    (on its own models and on the others it extends) that a client writes:
    stored or with an inverse, not read-only."""
    for model_name in sorted(env.registry):
        model = env[model_name]
        if model._abstract or not model._auto:
            continue
        for _fname, field in sorted(model._fields.items()):
            if field.type not in NUMBERS + DATES or field.readonly:
                continue
            if "key_account" not in (field._modules or ()):
                continue
            yield model, field


@tagged("post_install", "-at_install")
class TestValueRanges(EngagementCase):
    """A client writes what it likes over RPC: an amount of 1e308 or 1e20,
    a date in year 9999. Every date and number a client writes on the
    module's models is refused out of range with a clear ValidationError
    naming the field, never a raw OverflowError or database error."""

    def _assert_refused(self, model, field, value, write=None):
        label = field._description_string(self.env)
        try:
            with self.cr.savepoint(), mute_logger("odoo.sql_db"):
                if write is None:
                    model.create({field.name: value})
                else:
                    write.write({field.name: value})
                self.env.flush_all()
        except ValidationError as error:
            self.assertIn(label, str(error))
            self.assertIn("must", str(error))
        except Exception as error:  # any other error is the bug
            self.fail(f"{type(error).__name__}: {error}")
        else:
            self.fail("accepted")
        finally:
            self.env.invalidate_all()

    def test_every_client_field_refuses_values_out_of_range(self):
        checked = 0
        for model, field in client_fields(self.env):
            for value in BAD_VALUES[field.type]:
                with self.subTest(model=model._name, field=field.name, value=value):
                    self._assert_refused(model, field, value)
                    checked += 1
        # the module's own models and the apps it extends are all there
        self.assertGreater(checked, 100)

    def test_visit_date_and_expense_amount_of_a_salesperson(self):
        visit = self._visit().with_user(self.ka_user)
        Visit = visit.env["key_account.visit"]
        for fname, value in (
            ("actual_date", "9999-12-31"),
            ("date_start", "9999-12-31 08:00:00"),
        ):
            with self.subTest(field=fname):
                self._assert_refused(Visit, Visit._fields[fname], value, write=visit)
        line = visit.planned_line_ids
        amount = line._fields["amount"]
        for value in (1e308, 1e20, 1e13):
            with self.subTest(value=value):
                self._assert_refused(line, amount, value, write=line)
        # in range: written
        line.write({"amount": 1e12 - 1})
        self.assertEqual(line.amount, 1e12 - 1)
