"""What an import reports: :class:`ImportSummary` (counts, unmapped labels, invalid
records) and the errors that stop a record (:class:`RecordError`) or a whole import
(:class:`ImportRefused`)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field


class RecordError(ValueError):
    """What is wrong with one record."""


class ImportRefused(Exception):
    """Invalid records and no permission to skip them: nothing was written."""

    def __init__(self, summary: "ImportSummary"):
        super().__init__(f"{len(summary.errors)} invalid record(s); nothing was imported.")
        self.summary = summary


# "linked": an imported review joined a claim already on file (claims.matching.imports).
OUTCOMES = ("created", "linked", "updated", "unchanged", "skipped")


@dataclass
class ImportSummary:
    records: int = 0
    imported: int = 0
    duplicates_merged: int = 0
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[tuple[str, str]] = field(default_factory=list)
    unmapped_labels: Counter = field(default_factory=Counter)
    # Known labels whose ratingValue points elsewhere on the scale (the label was used).
    disagreeing_values: Counter = field(default_factory=Counter)
    unread_keys: Counter = field(default_factory=Counter)  # keys or columns the import does not read
    notes: list[tuple[str, str]] = field(default_factory=list)  # what a record gave that was not kept
    dry_run: bool = False
    seconds: float = 0.0

    def count(self, entity: str, outcome: str, number: int = 1) -> None:
        if number:
            self.counts[entity][outcome] += number

    def lines(self) -> list[str]:
        rate = f" ({self.imported / self.seconds:,.0f} reviews/s)" if self.seconds and self.imported else ""
        lines = [
            f"{'Dry run: nothing written. ' if self.dry_run else ''}"
            f"{self.records} record(s) read, {self.imported} review(s) imported in {self.seconds:.2f}s{rate}."
        ]
        if self.duplicates_merged:
            lines.append(f"{self.duplicates_merged} duplicate record(s) merged (same review URL and claim).")
        for entity in ("reviews", "claims", "speakers", "sources", "publishers", "appearances"):
            outcome = self.counts.get(entity, Counter())
            parts = [f"{outcome[key]} {key}" for key in OUTCOMES if outcome[key]]
            lines.append(f"  {entity:<12} {', '.join(parts) or 'none'}")
        if self.unmapped_labels:
            total = sum(self.unmapped_labels.values())
            lines.append(f"{total} review(s) kept ratings not on the desk's scale (rated 'Not on our scale'):")
            lines.extend(f"  {count} x {label}" for label, count in self.unmapped_labels.most_common())
        if self.disagreeing_values:
            total = sum(self.disagreeing_values.values())
            lines.append(f"{total} review(s) whose ratingValue disagrees with their label (rated by the label):")
            lines.extend(f"  {count} x {label}" for label, count in self.disagreeing_values.most_common())
        if self.unread_keys:
            lines.append("Not read (the desk has no place for them):")
            lines.extend(f"  {count} x {key}" for key, count in self.unread_keys.most_common())
        if self.notes:
            lines.append(f"{len(self.notes)} note(s) on values not kept:")
            lines.extend(f"  {where}: {message}" for where, message in self.notes)
        if self.errors:
            lines.append(f"{len(self.errors)} invalid record(s):")
            lines.extend(f"  {where}: {message}" for where, message in self.errors)
        return lines
