"""What happened this year in the demo district, decided in memory (seeded): records, fixes, undos, self-checks, reports."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.localchat import history_texts as words
from bot.services.calendar.workdays import WorkCalendar
from storage.models import Record

# how reliably each unit of the sample district keeps its ledger: rankings and 约谈 differ
QUALITY = {
    "U01": 0.82,
    "U02": 0.6,
    "U03": 0.85,
    "U04": 0.97,
    "U05": 0.5,
    "U06": 0.88,
    "U07": 0.75,
    "U08": 0.95,
    "U09": 0.7,
    "U10": 0.95,
    "U11": 0.8,
}
PHOTO_CODES = ("C07", "S06")  # the first record of each carries a photo
PHOTO_IDS = ("AgACAgDemoPhoto000001", "AgACAgDemoPhoto000002")


@dataclass(frozen=True)
class Due:
    """A due item as the plan needs it (due: the effective due date)."""

    id: int
    code: str
    measures: str
    system: str | None
    unit_id: int
    unit_code: str
    person_id: int | None
    key: str
    start: date
    end: date
    due: date


@dataclass
class Planned:
    """One row to write, in time order; fix/undo point at `target`, selfcheck/report carry `due`."""

    at: datetime
    kind: str  # record / fix / undo / selfcheck / report
    due: Due
    author: int
    text: str
    happened: date
    late_reason: str | None = None
    photo: str | None = None
    target: Planned | None = None
    answers: list[tuple[int, str, str]] = field(
        default_factory=list
    )  # selfcheck: due, status, note
    body: str = ""  # report
    record: Record | None = None  # set once written


@dataclass
class Plan:
    """Everything planned, and who the plan decided answers for a 单位班子 item."""

    rows: list[Planned] = field(default_factory=list)

    def live(self) -> list[Planned]:
        """Rows that count: records and fixes not undone or corrected away, and the system rows."""
        gone = {id(p.target) for p in self.rows if p.kind in ("fix", "undo")}
        return [p for p in self.rows if p.kind != "undo" and id(p) not in gone]


class Planner:
    """Decides the year, item by item, with one seeded random generator."""

    def __init__(
        self, *, today: date, now: datetime, zone: ZoneInfo, calendar: WorkCalendar, seed: int
    ) -> None:
        self.today, self.now, self.zone, self.calendar = today, now, zone, calendar
        self.rng = random.Random(seed)
        self.plan = Plan()

    def quality(self, due: Due) -> float:
        base = QUALITY.get(due.unit_code, 0.7)
        wobble = (zlib.crc32(f"{due.person_id}".encode()) % 21 - 10) / 100
        return min(0.98, max(0.1, base + wobble))

    def instant(self, day: date, *, after: datetime | None = None) -> datetime:
        at = datetime.combine(
            day, time(self.rng.randint(8, 17), self.rng.randint(0, 59)), self.zone
        )
        at = at.astimezone(UTC)
        if after is not None and at <= after:
            at = after + timedelta(minutes=self.rng.randint(5, 90))
        return min(at, self.now - timedelta(minutes=30))

    def working_day(self, first: date, last: date) -> date:
        """A random working day in first..last (first itself if there is none)."""
        days = [first + timedelta(n) for n in range((last - first).days + 1)]
        days = [d for d in days if self.calendar.is_working(d)] or [first]
        return self.rng.choice(days)

    def records(self, dues: list[Due], authors: dict[int, int]) -> None:
        """Imported items: recorded (by the holder; a team item by `authors[unit]`) as the unit's
        quality says; past items more often than current ones; some late, with a reason."""
        for due in dues:
            if due.system is not None or due.start > self.today:
                continue
            past, q = due.due < self.today, self.quality(due)
            late = False
            if self.rng.random() >= (q if past else q * 0.5):  # not on time: caught up later?
                late = past and self.rng.random() < q * q
                if not late:
                    continue
            author = due.person_id if due.person_id is not None else authors[due.unit_id]
            last = min(due.due, due.end, self.today)
            late = late or (past and self.rng.random() < 0.05)
            late = late and due.due + timedelta(1) < self.today
            if late:
                day = self.working_day(
                    due.due + timedelta(1), min(due.due + timedelta(20), self.today)
                )
                recorded = self.instant(day)
            else:
                day = self.working_day(due.start, last)
                recorded = self.instant(
                    min(day + timedelta(self.rng.choice((0, 0, 0, 1, 2))), last)
                )
            text = words.sentence(self.rng, due.code, due.measures)
            reason = self.rng.choice(words.LATE_REASONS) if late else None
            self.plan.rows.append(Planned(recorded, "record", due, author, text, day, reason))
            if due.code in ("C05", "M02", "S03", "D01") and self.rng.random() < 0.2:
                again = self.working_day(day, last) if not late else day
                text = words.sentence(self.rng, due.code, due.measures)
                self.plan.rows.append(
                    Planned(
                        self.instant(again, after=recorded),
                        "record",
                        due,
                        author,
                        text,
                        again,
                        reason,
                    )
                )
        self.plan.rows.sort(key=lambda p: p.at)

    def touches(self) -> None:
        """Two photos as evidence, one correction (P0101's unit) and one undo (a weak unit)."""
        for code, photo in zip(PHOTO_CODES, PHOTO_IDS, strict=True):
            row = next((p for p in self.plan.rows if p.due.code == code), None)
            if row is not None:
                row.photo, row.text = photo, row.text.rstrip("。") + "（附现场照片）"
        fixable = [p for p in self.plan.rows if p.due.unit_code == "U01" and p.due.code == "C05"]
        if fixable:
            old = fixable[0]
            text = old.text.rstrip("。") + words.CORRECTION
            at = old.at + timedelta(hours=2)
            self.plan.rows.append(
                Planned(
                    at,
                    "fix",
                    old.due,
                    old.author,
                    text,
                    old.happened,
                    old.late_reason,
                    old.photo,
                    old,
                )
            )
        undoable = [p for p in self.plan.rows if p.kind == "record" and p.due.unit_code == "U07"]
        if undoable:
            old = undoable[len(undoable) // 2]
            at = old.at + timedelta(minutes=3)
            self.plan.rows.append(
                Planned(at, "undo", old.due, old.author, "撤销", old.happened, target=old)
            )
        self.plan.rows.sort(key=lambda p: p.at)

    def selfchecks(self, dues: list[Due], *, taken: set[tuple[int, str]]) -> None:
        """季度自查 of every finished quarter, and 半年报告 of every finished half-year, handed
        in after the period as each official's quality says (a few late); answers from the plan.
        `taken`: (person, period key) that has one already (someone used the demo before)."""
        live = self.plan.live()
        for due in dues:
            if due.system is None or due.person_id is None or due.end >= self.today:
                continue
            if (due.person_id, due.key) in taken:
                continue
            if self.rng.random() >= self.quality(due) + 0.1:
                continue
            first = due.end + timedelta(1)
            last = min(due.due, self.today)
            if self.rng.random() < 0.1 and due.due + timedelta(1) < self.today:
                first, last = due.due + timedelta(1), min(due.due + timedelta(8), self.today)
            day = self.working_day(first, last)
            mine = [p for p in live if p.due.person_id == due.person_id and p.due.system is None]
            row = Planned(self.instant(day), due.system, due, due.person_id, "", day)
            if due.system == "selfcheck":
                row.answers = self._answers(dues, due, day, mine)
            else:
                done = sorted(
                    (p for p in mine if due.start <= p.happened <= due.end),
                    key=lambda p: p.happened,
                )
                row.body = "\n".join(f"{p.happened:%m月%d日} {p.text}" for p in done)
            self.plan.rows.append(row)
        self.plan.rows.sort(key=lambda p: p.at)

    def _answers(
        self, dues: list[Due], check: Due, day: date, live: list[Planned]
    ) -> list[tuple[int, str, str]]:
        done = {p.due.id for p in live if p.happened <= day}
        answers = []
        for due in dues:
            if due.person_id != check.person_id or due.system is not None:
                continue
            if due.start > check.end or due.end < check.start:
                continue
            status = "done" if due.id in done else self.rng.choice(("progress", "progress", "none"))
            answers.append((due.id, status, self.rng.choice(words.NOTES[status])))
        return answers
