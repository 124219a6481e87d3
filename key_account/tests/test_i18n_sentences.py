"""Translatable messages are whole sentences: a placeholder receives a
record's name, a number, a date or a list of names, never a translated
word or phrase glued into the sentence (a verb such as "confirm", a noun
such as "amounts" or "the pool"): Chinese puts them elsewhere."""

import ast
from pathlib import Path

from odoo.tests import TransactionCase
from odoo.tests import tagged

MODULE = Path(__file__).resolve().parent.parent
# placeholder names that say a word is glued in
GLUED_NAMES = {"what", "action", "verb", "measure", "thing", "kind", "operation"}
# the workflow mixin's create and write guards are being rewritten apart:
# their document type (a model's description) is left to that rewrite
KNOWN = {("models/common/key_account_workflow_mixin.py", "doc")}


def _is_translation(node):
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "_") or (
        isinstance(func, ast.Name) and func.id in ("_", "_lt")
    )


def _translates(node):
    return any(_is_translation(sub) for sub in ast.walk(node))


def glued_placeholders(source):
    """(line, placeholder, why) of each placeholder of a translated message
    in ``source`` that receives a translated word, a model's description or
    has a name of the kind."""
    found = []
    tree = ast.parse(source)
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        # local variables holding a translated text
        translated = {
            target.id
            for node in ast.walk(function)
            if isinstance(node, ast.Assign) and _translates(node.value)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for call in ast.walk(function):
            if not _is_translation(call):
                continue
            for keyword in call.keywords:
                if keyword.arg is None:
                    continue
                names = {
                    sub.id
                    for sub in ast.walk(keyword.value)
                    if isinstance(sub, ast.Name)
                }
                attributes = {
                    sub.attr
                    for sub in ast.walk(keyword.value)
                    if isinstance(sub, ast.Attribute)
                }
                why = None
                if keyword.arg in GLUED_NAMES:
                    why = "its name says a word is glued in"
                elif _translates(keyword.value):
                    why = "it receives a translated text"
                elif names & translated:
                    why = "it receives a variable holding a translated text"
                elif "_description" in attributes:
                    why = "it receives a model's description"
                if why:
                    found.append((call.lineno, keyword.arg, why))
    return sorted(set(found))


@tagged("post_install", "-at_install")
class TestWholeSentences(TransactionCase):
    def test_the_scan_finds_glued_words(self):
        source = (
            "def f(self, what):\n"
            "    verb = self.env._('confirm')\n"
            "    self.env._('Cannot %(what)s it', what=what)\n"
            "    self.env._('Cannot %(x)s it', x=verb)\n"
            "    self.env._('Its %(y)s', y=self.env._('amounts'))\n"
            "    self.env._('A new %(doc)s', doc=self._description)\n"
            "    self.env._('%(name)s is %(n)s', name=self.name, n=2)\n"
        )
        self.assertEqual(
            [(line, name) for line, name, _why in glued_placeholders(source)],
            [(3, "what"), (4, "x"), (5, "y"), (6, "doc")],
        )

    def test_no_word_is_glued_into_a_message(self):
        found = []
        for folder in ("models", "wizard", "report", "controllers"):
            for path in sorted((MODULE / folder).rglob("*.py")):
                relative = path.relative_to(MODULE).as_posix()
                found += [
                    f"{relative}:{line} %({name})s: {why}"
                    for line, name, why in glued_placeholders(path.read_text())
                    if (relative, name) not in KNOWN
                ]
        self.assertEqual(found, [], "\n".join(found))
