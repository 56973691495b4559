import re
from pathlib import Path

import techvalley

PACKAGE = Path(techvalley.__file__).parent
#: The platform's catalogue and each app's own (``<app>/locale/ko/LC_MESSAGES/django.po``).
CATALOGUES = sorted(PACKAGE.glob("**/locale/ko/LC_MESSAGES/django.po"))
ALREADY_BILINGUAL_OR_NAMES = {"ISO 9001", "ISO 14001"}


def entries(text: str, with_context: bool = False):
    """(msgid, msgstr, fuzzy) of every entry of a .po file, continuation lines joined; for a
    plural entry the msgstr is empty when any of its forms (msgstr[0], msgstr[1] …) is.
    ``with_context``: (msgctxt, msgid, msgstr, fuzzy) instead."""
    for block in text.split("\n\n"):
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        parts: dict[str, str] = {"msgid": "", "msgctxt": ""}
        key = None
        for line in block.splitlines():
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                parts[key] = m.group(2)
            elif line.startswith('"') and key:
                parts[key] += line.strip('"')
        forms = [v for k, v in parts.items() if k.startswith("msgstr")]
        if parts["msgid"]:
            mstr = "" if not forms or not all(forms) else forms[0]
            if with_context:
                yield parts["msgctxt"], parts["msgid"], mstr, fuzzy
            else:
                yield parts["msgid"], mstr, fuzzy


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


def test_an_english_string_means_one_korean_string_across_the_catalogues():
    """All catalogues share one translation domain: when two apps translate the same msgid
    (in the same context) differently, one of them silently shows the other's Korean. A
    different meaning needs a context (pgettext) or clearer English."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for po in CATALOGUES:
        app = po.relative_to(PACKAGE).parts[0]
        for ctx, mid, mstr, _fuzzy in entries(po.read_text(encoding="utf-8"), with_context=True):
            if mstr:
                seen.setdefault((ctx, mid), {})[app] = mstr
    differing = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert differing == {}, f"{len(differing)} strings translated differently: {list(differing.items())[:8]}"
