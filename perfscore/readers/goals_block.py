"""The goals block of a form (年度目标 / 预期目标 | 实际完成情况): free text, expected against achieved."""

from __future__ import annotations

from dataclasses import dataclass, field

from perfscore.model import Goals
from perfscore.readers.grid_cells import Grid
from perfscore.readers.reading import Reading


@dataclass
class GoalsBlock:
    at: Reading
    goal_cols: tuple[int, int] | None = None
    goal_parts: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))

    @property
    def grid(self) -> Grid:
        return self.at.grid

    @property
    def started(self) -> bool:
        return self.goal_cols is not None

    def result(self) -> Goals | None:
        if self.goal_cols is None:
            return None
        exp, act = self.goal_parts
        return Goals(expected="\n".join(exp) or None, achieved="\n".join(act) or None)

    def start(self, r: int, exp_col: int, act_col: int) -> None:
        """The block's header at row r: 年度目标 in ``exp_col``, 实际完成情况 in ``act_col`` (maybe with text)."""
        self.goal_cols = (exp_col, act_col)
        grid = self.grid
        # inline: 年度目标 | text | 实际完成情况 | text
        distinct = grid.distinct(r)
        exp = [v for c, v in distinct if exp_col < c < act_col]
        act = [v for c, v in distinct if c > act_col]
        if exp or act:
            self.goal_parts[0].extend(exp[:1])
            self.goal_parts[1].extend(act[:1])

    def row(self, r: int) -> None:
        assert self.goal_cols is not None
        exp_col, act_col = self.goal_cols
        grid = self.grid
        if r in grid.loose_rows:
            cells = [v for _, v in grid.distinct(r)]
            half = (len(cells) + 1) // 2
            self.goal_parts[0].append(" ".join(cells[:half]))
            self.goal_parts[1].extend([" ".join(cells[half:])] if cells[half:] else [])
            return
        for part, lo, hi in ((self.goal_parts[0], exp_col, act_col), (self.goal_parts[1], act_col, 10 ** 6)):
            for c in range(lo, min(hi, len(grid.cells[r]))):
                v = grid.cell(r, c)
                if not v or (grid.covered_from_left(r, c) and c != lo):
                    continue
                if grid.covered_from_above(r, c):
                    break
                part.append(v)
                break
