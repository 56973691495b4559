import re
from pathlib import Path

import techvalley

PACKAGE = Path(techvalley.__file__).parent
#: The platform's catalogue and each app's own (``<app>/locale/ko/LC_MESSAGES/django.po``).
CATALOGUES = sorted(PACKAGE.glob("**/locale/ko/LC_MESSAGES/django.po"))
ALREADY_BILINGUAL_OR_NAMES = {"ISO 9001", "ISO 14001"}


def entries(text: str):
    """(msgid, msgstr, fuzzy) of every entry of a .po file, continuation lines joined; for a
    plural entry the msgstr is empty when any of its forms (msgstr[0], msgstr[1] …) is."""
    for block in text.split("\n\n"):
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        parts: dict[str, str] = {"msgid": ""}
        key = None
        for line in block.splitlines():
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                parts[key] = m.group(2)
            elif line.startswith('"') and key:
                parts[key] += line.strip('"')
        forms = [v for k, v in parts.items() if k.startswith("msgstr")]
        if parts["msgid"]:
            yield parts["msgid"], ("" if not forms or not all(forms) else forms[0]), fuzzy


def test_every_page_string_has_a_korean_translation():
    assert PACKAGE / "locale/ko/LC_MESSAGES/django.po" in CATALOGUES
    missing = [
        (po.relative_to(PACKAGE).parts[0], mid)
        for po in CATALOGUES
        for mid, mstr, fuzzy in entries(po.read_text(encoding="utf-8"))
        if (not mstr or fuzzy) and mid not in ALREADY_BILINGUAL_OR_NAMES and "/ " not in mid
    ]
    assert missing == [], f"untranslated or fuzzy: {missing[:10]}"


def test_every_catalogue_is_compiled():
    for po in CATALOGUES:
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1, f"run `make messages`: {po}"
