"""The pledge management card (공약 관리카드) in its text layout: parse and render.

The layout is the one district offices keep their cards in (see the seed card 관리번호 3-1):
a header of tab-separated label/value pairs, 【…】 section titles, □ headings, <…> or ○
sub-headings, "-" bullets, "▷" notes, "※" remarks and tab-separated tables for the yearly
plan and resident communication. ``parse_card`` returns plain data (documented in
docs/card-format.md) and lists every line it could not place; ``render_text`` writes the
same layout back, so parse → render → parse gives the same structure.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

CHANNELS = ["설명회·보고회", "만족도·설문조사", "민간전문가 자문", "언론·방송 보도", "기타"]
CHANNEL_HEADERS = ["설명회, 보고회 등", "만족도, 설문조사", "민간전문가 자문", "언론·방송 보도", "기 타"]
SECTIONS = {
    "사업추진계획": "plan",
    "추진실적": "achievements",
    "금후계획": "future",
    "구민소통실적": "communication",
    "기대효과": "effects",
}
HEADER_LABELS = {
    "사업구분": "category",
    "사업주체": "owner",
    "사업기간": "period",
    "추진상황": "progress",
    "추진상황(%)": "progress",
    "소요예산": "budget",
    "완료시기": "completion",
    "추진부서": "department",
    "협조부서(기관)": "cooperating",
    "협조부서": "cooperating",
    "협조기관": "cooperating",
}
DATED = re.compile(
    r"^(?P<y1>\d{4})\s*\.\s*(?P<m1>\d{1,2})\s*\.?"
    r"(?:\s*~\s*(?:(?P<y2>\d{4})\s*\.\s*)?(?P<m2>\d{1,2})\s*\.?)?\s*:\s*(?P<text>.+)$"
)
DUE = re.compile(r"[(（]\s*['’‘]?(?P<yy>\d{2})\s*\.\s*(?P<mm>\d{1,2})\s*\.?\s*[)）]")
PERSON = re.compile(r"(?P<name>[^()]+?)\s*\(\s*(?P<contact>[^()☎]*?)\s*☎\s*(?P<phone>[^()]*?)\s*\)")
AMOUNT = re.compile(r"([\d,.]+)\s*(억원|억|백만원|천만원|만원|천원|원)")
UNIT = {"억원": 10**8, "억": 10**8, "천만원": 10**7, "백만원": 10**6, "만원": 10**4, "천원": 10**3, "원": 1}


#: The largest card file accepted (a real card is a few KB; the seed card 3-1 is 8 KB).
CARD_MAX_BYTES = 2 * 1024 * 1024


class CardParseError(ValueError):
    """The text is not a management card at all (or not text in an encoding a card comes in)."""


def decode_card(data: bytes) -> str:
    """A card file's text: UTF-8 with or without a BOM, UTF-16 with a BOM, or CP949/EUC-KR (the
    encoding district offices' Windows PCs save text in). Anything else is a clear error."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec).lstrip("\ufeff")
            except UnicodeDecodeError:
                break
    for codec in ("utf-8", "cp949"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise CardParseError(
        "관리카드를 읽을 수 없습니다: UTF-8이나 CP949(EUC-KR) 텍스트 파일이 아닙니다. / Cannot read the card: "
        "not a UTF-8 or CP949 (EUC-KR) text file."
    )


@dataclass
class ParseResult:
    card: dict
    unplaced: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**self.card, "unplaced": self.unplaced}


def empty_card() -> dict:
    return {
        "management_no": "",
        "title": "",
        "category": "",
        "owner": "",
        "period": {"start": None, "end": None},
        "progress": {"state": "", "percent": None},
        "budget": {"text": "", "amount_krw": None},
        "completion": "",
        "department": {"name": "", "team": "", "contact": "", "phone": ""},
        "cooperating": [],
        "final_goal": "",
        "term_goal": "",
        "overview": [],
        "detailed_plans": [],
        "yearly_plan_task": "",
        "yearly_plan": [],
        "achievements": [],
        "future_plans": [],
        "communication": {},
        "expected_effects": [],
    }


def _clean(line: str) -> str:
    return line.replace("**", "").strip()


def _key(text: str) -> str:
    return re.sub(r"[\s*【】]", "", text)


def _bullet(text: str) -> str | None:
    m = re.match(r"^[-‐–•·]\s+(.*)$", text)
    return m.group(1).strip() if m else None


def parse_person(text: str) -> dict:
    """ "전략사업과 스마트산업담당 (최재봉 ☎5021)" → name, team, contact, phone."""
    m = PERSON.search(text)
    unit, contact, phone = (m.group("name"), m.group("contact"), m.group("phone")) if m else (text, "", "")
    parts = unit.split()
    name, team = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else (unit.strip(), "")
    return {"name": name, "team": team, "contact": contact.strip(), "phone": phone.strip()}


def parse_cooperating(text: str) -> list[dict]:
    found = [
        {"name": m.group("name").strip(), "contact": m.group("contact").strip(), "phone": m.group("phone").strip()}
        for m in PERSON.finditer(text)
    ]
    rest = PERSON.sub("", text).strip()
    if rest:
        found += [
            {"name": part.strip(), "contact": "", "phone": ""} for part in re.split(r"[,，]", rest) if part.strip()
        ]
    return found


def _number(text: str) -> int | float | None:
    """A number as written ("40", "12.5", "1,450"), exactly (no float overflow); None if unreadable."""
    try:
        d = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def parse_amount(text: str) -> int | None:
    """The amount in KRW of "145억원", "1,450백만원", "3억 5천만원"; None if it names none."""
    total, found = 0, False
    with localcontext() as ctx:
        ctx.prec = 1000  # exact for any amount a card could write; validation refuses the absurd
        for number, unit in AMOUNT.findall(text):
            try:
                total += int(Decimal(number.replace(",", "")) * UNIT[unit])
            except InvalidOperation:
                return None
            found = True
    return total if found else None


def _period(value: str) -> tuple[dict, str | None]:
    """사업기간 "2022년~2027년", "2022. ~ 2027.", "2022년~" → start and end years, or why not."""
    years = [int(y) for y in re.findall(r"(?<!\d)\d{4}(?!\d)", value)]
    if not years or re.search(r"\d{5,}", value):
        return {"start": None, "end": None}, "사업기간에서 연도(YYYY)를 읽을 수 없습니다 / no year in the period"
    if len(years) > 2 or not all(1900 <= y <= 2100 for y in years) or years[0] > years[-1]:
        return {"start": None, "end": None}, "사업기간의 연도가 올바르지 않습니다 / the period's years are not valid"
    return {"start": years[0], "end": years[-1] if len(years) > 1 else None}, None


def _header_value(card: dict, key: str, value: str) -> str | None:
    """Put one header value into the card; return why it could not be read, if it could not."""
    value = value.strip()
    if key == "category":
        card["category"] = value.removesuffix("사업").strip()
    elif key == "owner":
        card["owner"] = value
    elif key == "period":
        card["period"], problem = _period(value)
        return problem if value else None
    elif key == "progress":
        m = re.match(r"^(.*?)\s*\(\s*([\d,]+(?:\.\d+)?)\s*%\s*\)\s*$", value)
        state, pct = (m.group(1).strip(), _number(m.group(2))) if m else (value, None)
        card["progress"] = {"state": state, "percent": pct}
        if pct is None and "%" in value:
            return "추진상황의 추진율(%)을 읽을 수 없습니다 / cannot read the progress %"
    elif key == "budget":
        amount = parse_amount(value)
        card["budget"] = {"text": value, "amount_krw": amount}
        if amount is None and re.search(r"\d", value):
            return "소요예산의 금액 단위(억원, 백만원 …)를 읽을 수 없습니다 / cannot read the budget amount"
    elif key == "completion":
        card["completion"] = re.sub(r"^임기\s*(내|후)$", r"임기 \1", value)
    elif key == "department":
        card["department"] = parse_person(value)
    elif key == "cooperating":
        card["cooperating"] = parse_cooperating(value)
    return None


def _percent(cell: str) -> int | float | None:
    m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*$", cell)
    return _number(m.group(1)) if m else None


def _count(cell: str) -> int:
    m = re.search(r"\d+", cell)
    return int(m.group()) if m else 0


def _channel(header: str) -> str:
    key = re.sub(r"[\s,·등]", "", header)
    for name in CHANNELS:
        if re.sub(r"[\s,·등]", "", name) == key:
            return name
    return " ".join(header.split())


def parse_card(text: str) -> ParseResult:
    """Parse a card; raise CardParseError when the text is not a card."""
    lines = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    card = empty_card()
    unplaced: list[dict] = []
    section = "header"
    sub = ""  # the □ sub-section inside 사업추진계획
    heading = subheading = ""
    table_rows: list[tuple[int, list[str]]] = []
    comm_rows: list[list[str]] = []
    seen_sections = 0

    def skip(n: int, line: str, reason: str) -> None:
        unplaced.append({"line": n, "text": line.strip(), "reason": reason})

    i = 0
    while i < len(lines):
        n, raw = i + 1, lines[i]
        i += 1
        line = _clean(raw)
        if not line:
            continue
        if line.startswith("【") and "】" in line:
            name = _key(line[: line.index("】") + 1])
            section = SECTIONS.get(name, "unknown")
            seen_sections += 1
            if section == "unknown":
                skip(n, raw, f"모르는 항목 {line} / unknown section")
            sub = ""
            continue
        if section == "header":
            cells = [c.strip() for c in raw.split("\t")]
            if cells[0].replace(" ", "") == "관리번호":
                if len(cells) > 1 and cells[1]:
                    card["management_no"] = cells[1]
                else:
                    while i < len(lines) and not lines[i].strip():
                        i += 1
                    if i < len(lines):
                        card["management_no"] = lines[i].strip()
                        i += 1
                continue
            m = re.match(r"^관리번호\s*[:：]?\s*(\S+)$", line)
            if m:
                card["management_no"] = m.group(1)
                continue
            if len(cells) >= 2 and any(_key(c) in HEADER_LABELS for c in cells[::2]):
                for label, value in zip(cells[::2], cells[1::2], strict=False):
                    key = HEADER_LABELS.get(_key(label))
                    if key:
                        problem = _header_value(card, key, value)
                        if problem:
                            skip(n, f"{label.strip()}\t{value.strip()}", problem)
                    elif label or value:
                        skip(n, raw, f"모르는 머리 항목 '{label}' / unknown header label")
                continue
            if not card["title"] and card["management_no"]:
                card["title"] = line
                continue
            skip(n, raw, "머리 부분에서 알 수 없는 줄 / unexpected line in the header")
        elif section == "plan":
            if line.startswith("□"):
                title = _key(line[1:])
                sub = (
                    "goal"
                    if "최종목표" in title or "추진목표" in title
                    else "overview"
                    if "사업개요" in title
                    else "detailed"
                    if "세부추진계획" in title
                    else "yearly"
                    if "연차별" in title
                    else "unknown"
                )
                if sub == "unknown":
                    skip(n, raw, "모르는 소항목 / unknown sub-section")
                continue
            if line.startswith("※"):
                m = re.match(r"^※\s*임기\s*내\s*목표\s*[:：]\s*(.*)$", line)
                if m:
                    card["term_goal"] = m.group(1).strip()
                else:
                    skip(n, raw, "알 수 없는 ※ 줄 / unexpected remark")
                continue
            if sub == "yearly" and "\t" in raw:
                table_rows.append((n, raw.split("\t")))
                continue
            item = _bullet(line)
            if item is not None and sub == "goal":
                card["final_goal"] = f"{card['final_goal']} {item}".strip() if card["final_goal"] else item
            elif item is not None and sub == "overview":
                card["overview"].append(item)
            elif item is not None and sub == "detailed":
                card["detailed_plans"].append(item)
            else:
                skip(n, raw, "사업추진계획에서 알 수 없는 줄 / unexpected line in the plan")
        elif section == "achievements":
            if line.startswith("□"):
                heading, subheading = line[1:].strip(), ""
                continue
            if line.startswith("<") and line.endswith(">"):
                subheading = line[1:-1].strip()
                continue
            if line.startswith("○"):
                subheading = line[1:].strip()
                continue
            note = re.match(r"^(?:-\s*)?▷\s*(.*)$", line)
            if note:
                if card["achievements"]:
                    card["achievements"][-1]["notes"].append(note.group(1).strip())
                else:
                    skip(n, raw, "▷ 앞에 실적이 없습니다 / a note without an achievement")
                continue
            item = _bullet(line)
            m = DATED.match(item) if item is not None else None
            if m:
                y2 = int(m.group("y2") or m.group("y1"))
                card["achievements"].append(
                    {
                        "heading": heading,
                        "subheading": subheading,
                        "start": f"{int(m.group('y1')):04d}-{int(m.group('m1')):02d}",
                        "end": f"{y2:04d}-{int(m.group('m2')):02d}" if m.group("m2") else None,
                        "text": m.group("text").strip(),
                        "notes": [],
                    }
                )
            else:
                skip(n, raw, "날짜(YYYY. MM.)가 없는 실적 / achievement without a date")
        elif section == "future":
            item = _bullet(line)
            if item is None:
                skip(n, raw, "금후계획은 '- '로 시작해야 합니다 / expected a '- ' bullet")
                continue
            m = DUE.search(item)
            due = f"{2000 + int(m.group('yy')):04d}-{int(m.group('mm')):02d}" if m else None
            card["future_plans"].append({"text": item, "due": due})
        elif section == "communication":
            comm_rows.append([c.strip() for c in raw.split("\t")])
        elif section == "effects":
            item = _bullet(line)
            if item is None:
                skip(n, raw, "기대효과는 '- '로 시작해야 합니다 / expected a '- ' bullet")
            else:
                card["expected_effects"].append(item)
        else:
            skip(n, raw, "알 수 없는 항목 아래의 줄 / line under an unknown section")

    if not card["management_no"] and seen_sections < 2:
        raise CardParseError(
            "관리카드 형식이 아닙니다: '관리번호'와 【…】 항목을 찾지 못했습니다. / "
            "Not a management card: no '관리번호' and no 【…】 sections."
        )
    _yearly(card, table_rows, skip)
    if comm_rows:
        headers, values = comm_rows[0], comm_rows[1] if len(comm_rows) > 1 else []
        card["communication"] = {
            _channel(h): _count(values[k]) if k < len(values) else 0 for k, h in enumerate(headers) if h
        }
    return ParseResult(card, unplaced)


def _yearly(card: dict, rows: list[tuple[int, list[str]]], skip) -> None:
    """The yearly plan table: a term row (임기 내 … 임기 후), a year row, a percent row, task rows."""
    years: list[int | None] = []
    percents: list = []
    tasks: list[list[str]] = []
    after_term_col = None
    for n, cells in rows:
        first = cells[0].strip()
        rest = [c.strip() for c in cells[1:]]
        if first.replace(" ", "") in ("세부추진내용", "구분"):
            for k, c in enumerate(rest):
                if c.replace(" ", "") == "임기후":
                    after_term_col = k
        elif not first and any(re.match(r"^\d{4}\s*년?$", c) for c in rest):
            years = [int(c[:4]) if re.match(r"^\d{4}", c) else None for c in rest]
        elif not first and any("%" in c for c in rest):
            percents = [_percent(c) for c in rest]
        elif first:
            tasks.append(cells)
        else:
            skip(n, "\t".join(cells), "연차별 추진계획 표에서 알 수 없는 줄 / unexpected row in the yearly plan")
    if not tasks and not years:
        return
    width = max([len(years), len(percents)] + [len(t) - 1 for t in tasks])
    if after_term_col is None and years and len(years) < width:
        after_term_col = len(years)
    card["yearly_plan_task"] = " / ".join(t[0].strip() for t in tasks)
    for k in range(width):
        year = years[k] if k < len(years) else None
        if year is None and k != after_term_col:
            continue
        plan = " / ".join(t[k + 1].strip() for t in tasks if k + 1 < len(t) and t[k + 1].strip())
        card["yearly_plan"].append({"year": year, "percent": percents[k] if k < len(percents) else None, "plan": plan})


# --- rendering -------------------------------------------------------------------------------


def _months(start: str | None, end: str | None) -> str:
    if not start:
        return ""
    y1, m1 = start.split("-")
    out = f"{y1}. {m1}."
    if end:
        y2, m2 = end.split("-")
        out += f" ~ {m2}." if y2 == y1 else f" ~ {y2}. {m2}."
    return out


def _fmt_percent(p) -> str:
    return "" if p is None else f"{p}%"


def render_text(card: dict) -> str:
    """The card in the text layout; ``parse_card(render_text(c)).card == c`` for parsed cards."""
    c = card
    dep = c["department"]
    dep_text = " ".join(x for x in (dep["name"], dep["team"]) if x)
    if dep["contact"] or dep["phone"]:
        dep_text += f" ({dep['contact']} ☎{dep['phone']})"
    coop = " ".join(
        f"{x['name']} ({x['contact']} ☎{x['phone']})" if x["contact"] or x["phone"] else x["name"]
        for x in c["cooperating"]
    )
    period = c["period"]
    period_text = (
        f"{period['start']}년~{period['end']}년"
        if period["start"] and period["end"]
        else f"{period['start']}년~"
        if period["start"]
        else ""
    )
    prog = c["progress"]
    prog_text = f"{prog['state']}({prog['percent']}%)" if prog["percent"] is not None else prog["state"]
    category = f"{c['category']}사업" if c["category"] else ""
    completion = c["completion"].replace(" ", "")
    out = [
        "",
        "관리번호",
        c["management_no"],
        "",
        c["title"],
        "",
        f"사업구분\t{category}\t사업주체\t{c['owner']}",
        f"사업기간\t{period_text}\t추진상황(%)\t{prog_text}",
        f"소요예산\t{c['budget']['text']}\t완료시기\t{completion}",
        f"추진부서\t{dep_text}\t협조부서(기관)\t{coop}",
        "",
        "【사업추진계획】",
        "",
        "□ **사업추진목표(최종목표)**",
        "",
    ]
    if c["final_goal"]:
        out += [f"- {c['final_goal']}", ""]
    if c["term_goal"]:
        out += [f"※ 임기 내 목표 : {c['term_goal']}", ""]
    out += ["□ **사업개요**", ""] + [f"- {x}" for x in c["overview"]] + [""]
    out += ["□ **세부추진계획**", ""] + [f"- {x}" for x in c["detailed_plans"]] + [""]
    out += ["□ **연차별 추진계획**", ""]
    plan = c["yearly_plan"]
    if plan:
        in_term = [p for p in plan if p["year"] is not None]
        after = [p for p in plan if p["year"] is None]
        out.append("세부추진내용\t임기 내" + "\t" * len(in_term) + ("임기 후" if after else ""))
        out.append("\t" + "\t".join(f"{p['year']}년" for p in in_term) + "\t" * len(after))
        out.append(
            "\t"
            + "\t".join(_fmt_percent(p["percent"]) for p in in_term)
            + "".join("\t" + _fmt_percent(p["percent"]) for p in after)
        )
        out.append(c["yearly_plan_task"] + "\t" + "\t".join(p["plan"] for p in in_term + after))
    out += ["", "【추진실적】", ""]
    heading = subheading = None
    for a in c["achievements"]:
        if a["heading"] != heading:
            heading, subheading = a["heading"], ""
            out += [f"□ {heading}", ""]
        if a["subheading"] != subheading:
            subheading = a["subheading"]
            out += [f"<{subheading}>", ""]
        out.append(f"- {_months(a['start'], a['end'])} : {a['text']}")
        out += [f" - ▷ {note}" for note in a["notes"]]
        # A blank line before the next heading, as in the original cards.
    out += ["", "【금후계획】", ""] + [f"- {f['text']}" for f in c["future_plans"]]
    out += ["", "【구민소통 실적】", ""]
    channels = list(c["communication"]) or CHANNELS
    headers = [CHANNEL_HEADERS[CHANNELS.index(ch)] if ch in CHANNELS else ch for ch in channels]
    out.append("\t".join(headers))
    out.append(
        "\t".join((f"{c['communication'].get(ch, 0)}회" if c["communication"].get(ch) else "-") for ch in channels)
    )
    out += ["", "【기대효과】", ""] + [f"- {x}" for x in c["expected_effects"]]
    return "\n".join(out) + "\n"
