"""docs/source-trace.md stays true: the tests, files and symbols it names exist.

The trace maps each rule of the source documents to where it lives and the
test that covers it. Renaming a test or moving a file without updating the
trace fails here, so the trace cannot silently point at nothing.
"""

import ast
import re
from pathlib import Path

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase
from odoo.tests import tagged

TICKS = re.compile(r"`([^`]+)`")
TEST_REF = re.compile(r"^tests/(test_\w+\.py) (\w+)\.(test_\w+)$")
PATH_REF = re.compile(r"^[\w.-]+(?:/[\w.-]+)+\.(?:py|xml|csv|md|png|txt)$")
SYMBOL_REF = re.compile(r"^[A-Za-z_][\w.]*(?:\(\))?$")
# what the last column says when it names no test
OPEN = re.compile(r"not yet \(issue \d+|left out")
DOCUMENTS = ("Seed 000", "Seed 001", "Seed 002", "Seed 003")


def _rows(text):
    """(heading, line number, cells) of each body row of each table."""
    heading = None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            heading = line[3:]
        if not line.startswith("|") or line.startswith("| ---"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if cells[0] == "§":
            continue
        yield heading, number, cells


def _test_methods(path):
    """{class name: set of test method names} defined in a test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name: {
            item.name
            for item in node.body
            if isinstance(item, ast.FunctionDef) and item.name.startswith("test_")
        }
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }


@tagged("post_install", "-at_install")
class TestSourceTrace(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.module = Path(get_module_path("key_account"))
        cls.root = cls.module.parent
        cls.trace = cls.root / "docs" / "source-trace.md"
        cls.text = cls.trace.read_text(encoding="utf-8")
        cls.rows = list(_rows(cls.text))

    def test_one_table_per_document(self):
        headings = {heading for heading, _number, _cells in self.rows}
        for document in DOCUMENTS:
            found = [h for h in headings if h and h.startswith(document)]
            self.assertEqual(len(found), 1, f"one table for {document}")
        for heading, number, cells in self.rows:
            self.assertEqual(len(cells), 4, f"line {number} ({heading}): four columns")

    def test_every_rule_is_covered_or_says_why_not(self):
        for _heading, number, cells in self.rows:
            covered = cells[3]
            tests = [t for t in TICKS.findall(covered) if TEST_REF.match(t)]
            self.assertTrue(
                tests or OPEN.search(covered),
                f"line {number}: a test, 'not yet (issue N)' or 'left out'",
            )

    def test_referenced_tests_exist(self):
        cache = {}
        count = 0
        for _heading, number, cells in self.rows:
            for token in TICKS.findall(" | ".join(cells)):
                match = TEST_REF.match(token)
                if not match:
                    continue
                count += 1
                filename, klass, method = match.groups()
                path = self.module / "tests" / filename
                self.assertTrue(path.is_file(), f"line {number}: no {path}")
                if filename not in cache:
                    cache[filename] = _test_methods(path)
                classes = cache[filename]
                where = f"line {number}: {filename}"
                self.assertIn(klass, classes, f"{where}: no class {klass}")
                self.assertIn(method, classes[klass], f"{where}: no {klass}.{method}")
        self.assertGreater(count, 100, "the trace names the tests of the rules")

    def test_referenced_files_and_symbols_exist(self):
        count = 0
        for _heading, number, cells in self.rows:
            current = None
            for token in TICKS.findall(cells[2]):
                if PATH_REF.match(token):
                    count += 1
                    path = self.root / token
                    self.assertTrue(path.is_file(), f"line {number}: no file {token}")
                    current = path.read_text(encoding="utf-8")
                elif SYMBOL_REF.match(token):
                    where = f"line {number}: {token}"
                    self.assertIsNotNone(current, f"{where} after no file")
                    symbol = token.removesuffix("()")
                    self.assertTrue(symbol in current, f"{where} not in its file")
        self.assertGreater(count, 100, "the trace names where each rule lives")

    def test_the_checks_catch_a_wrong_reference(self):
        text = (
            "## Seed 000: x\n\n| § | Rule | Where | Covered by |\n"
            "| --- | --- | --- | --- |\n"
            "| 1 | r | `key_account/nowhere.py` "
            "| `tests/test_source_trace.py TestNone.test_x` |\n"
        )
        ((heading, _number, cells),) = list(_rows(text))
        self.assertEqual(heading, "Seed 000: x")
        self.assertFalse((self.root / TICKS.findall(cells[2])[0]).is_file())
        _file, klass, _method = TEST_REF.match(TICKS.findall(cells[3])[0]).groups()
        classes = _test_methods(self.module / "tests" / "test_source_trace.py")
        self.assertNotIn(klass, classes)
        self.assertIn("test_referenced_tests_exist", classes["TestSourceTrace"])
