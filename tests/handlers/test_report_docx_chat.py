"""The 半年报告's .docx takes its headings from the report's structure, never from the text."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject

from tests.handlers.conftest import District
from tests.handlers.test_selfcheck_chat import last_buttons, record

SECTIONS = [
    "一、履行主体责任情况",
    "二、履行监督责任情况",
    "三、季度自查情况",
    "四、本期未记实事项",
]
# a record typed over three lines: the second looks like a section, the third like an item
TYPED = "11月10日召开党委会专题研究党风廉政建设\n二、会后开展了廉政谈话\n【会议纪要】已印发"


def _styles(document: DocumentObject) -> list[tuple[str, str]]:
    return [(p.style.name if p.style else "", p.text) for p in document.paragraphs]


async def test_a_record_that_looks_like_a_heading_stays_a_line_of_its_item(
    district: District,
) -> None:
    d, tg = district, district.tg("P0101")
    await record(d, "P0101", "C01", "2026-Q4", TYPED)
    draft = last_buttons(await d.chat.send_text(tg, "/report"))
    closing_prompt = [
        s
        for s in await d.chat.press(tg, draft.message_id or 0, "写结束语")
        if s.method == "sendMessage"
    ][-1]
    shown = last_buttons(
        await d.chat.send_text(
            tg, "一、下一步继续压实责任\n【整改】补齐短板", reply_to=closing_prompt.message_id
        )
    )
    done = await d.chat.press(tg, shown.message_id or 0, "提交")
    [sent] = [s for s in done if s.method == "sendDocument"]
    paragraphs = _styles(Document(io.BytesIO(sent.document or b"")))
    sections = [text for style, text in paragraphs if style == "Heading 1"]
    assert sections == [*SECTIONS, "结束语"]
    items = [text for style, text in paragraphs if style == "Heading 2"]
    assert items and all(text.startswith("【") for text in items)
    assert not any("会议纪要" in text or "整改" in text for text in items)
    [typed] = [(style, text) for style, text in paragraphs if "二、会后" in text]
    assert typed[0] == "Normal" and "【会议纪要】已印发" in typed[1]  # one paragraph, its lines
    [closing] = [(style, text) for style, text in paragraphs if text.startswith("一、下一步")]
    assert closing[0] == "Normal"
    assert ("Normal", "【整改】补齐短板") in paragraphs
    c01 = next(i for i, (_s, text) in enumerate(paragraphs) if text.startswith("【C01】"))
    line = "11月23日，召开党委会专题研究党风廉政建设；二、会后开展了廉政谈话；【会议纪要】已印发。"
    assert paragraphs[c01 + 1] == ("Normal", line)  # under its item, whole, as the report says it
