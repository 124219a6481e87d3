"""Write key_account/README.rst from the fragments in key_account/readme/.

    python3 scripts/readme.py

The fragments are Markdown limited to what reads the same in
reStructuredText (paragraphs, lists, *emphasis*, **strong**); inline `code`
is turned into ``code``.
"""

import re
from pathlib import Path

MODULE = Path(__file__).resolve().parent.parent / "key_account"
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
]


def to_rst(text):
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text).strip() + "\n"


def main():
    title = "Key Accounts"
    parts = ["=" * len(title), title, "=" * len(title), ""]
    for name, heading in SECTIONS:
        if heading:
            parts += [heading, "=" * len(heading), ""]
        parts.append(to_rst((MODULE / "readme" / name).read_text()))
    (MODULE / "README.rst").write_text("\n".join(parts))


if __name__ == "__main__":
    main()
