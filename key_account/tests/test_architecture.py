"""The layout of docs/architecture.md, checked on the module's own files."""

import re
from pathlib import Path

from odoo.tests import TransactionCase
from odoo.tests import tagged

MODULE = Path(__file__).resolve().parent.parent
# the capability folders, each using only those before it
LAYERS = [
    "common",
    "profile",
    "pool",
    "engagement",
    "receivable",
    "commission",
    "kpi",
    "account",
]
FIELD = re.compile(r"^    (\w+) = fields\.", re.M)
MODEL = re.compile(r'^    _name = "([\w.]+)"', re.M)
PY_USE = re.compile(r'"((?:ka_|key_account\.)[\w.]+)"|\.(ka_\w+)\b')
XML_USE = re.compile(
    r'(?:name|field)="((?:ka_|key_account\.)[\w.]+)"'
    r'|(?:model|res_model)">(key_account\.[\w.]+)<'
)


def _files(layer, *patterns):
    for folder in ("models", "views", "wizard"):
        for pattern in patterns:
            yield from sorted((MODULE / folder / layer).glob(pattern))


@tagged("post_install", "-at_install")
class TestArchitecture(TransactionCase):
    def _first_layer_of_each_name(self):
        """The layer declaring each ``ka_*`` field and ``key_account.*``
        model first."""
        where = {}
        for rank, layer in enumerate(LAYERS):
            for path in _files(layer, "*.py"):
                text = path.read_text()
                for match in (*FIELD.finditer(text), *MODEL.finditer(text)):
                    where.setdefault(match.group(1), rank)
        return where

    def test_every_capability_has_its_folders(self):
        imports = (MODULE / "models" / "__init__.py").read_text()
        self.assertEqual(
            re.findall(r"^from \. import (\w+)", imports, re.M),
            LAYERS,
            "models/ imports its capability folders in their order",
        )
        for layer in LAYERS[1:]:
            with self.subTest(layer=layer):
                self.assertTrue(list(_files(layer, "*.py")))
                self.assertTrue(list(_files(layer, "*.xml")))

    def test_a_capability_uses_only_those_before_it(self):
        """No code or view of a capability names a field or model that only a
        later capability declares: it offers a hook instead."""
        where = self._first_layer_of_each_name()
        self.assertGreater(len(where), 100)
        upward = []
        for rank, layer in enumerate(LAYERS):
            for path in _files(layer, "*.py", "*.xml"):
                text = path.read_text()
                uses = PY_USE if path.suffix == ".py" else XML_USE
                for match in uses.finditer(text):
                    name = next(group for group in match.groups() if group)
                    if where.get(name, rank) > rank:
                        line = text.count("\n", 0, match.start()) + 1
                        upward.append(f"{path.relative_to(MODULE)}:{line} {name}")
        self.assertEqual(upward, [])
