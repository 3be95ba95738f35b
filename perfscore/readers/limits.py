"""What one input file may cost before it is read: small files must not make huge costs.

An 8 KB workbook can declare a sheet of 17 billion cells, 10 KB of YAML anchors can expand to
gigabytes, and a few megabytes of xlsx, docx or PDF can inflate a thousandfold. The readers check what
a file declares (sheet dimensions, uncompressed sizes, aliases) against these limits before they read
it, and refuse with one line that names the option to raise. `perfscore score --max-cells N
--max-uncompressed-mb M` sets them; the library defaults are `DEFAULT_LIMITS`.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Per-file limits. ``max_cells``: cells of one sheet (rows × columns from A1, as declared or
    as written), and values of one YAML/JSON form file with its aliases expanded.
    ``max_uncompressed_mb``: the uncompressed size of an xlsx/docx package (as its zip directory
    declares it, and as it inflates), and the inflated streams of a PDF."""

    max_cells: int = 1_000_000
    max_uncompressed_mb: int = 256

    def __post_init__(self) -> None:
        if self.max_cells < 1 or self.max_uncompressed_mb < 1:
            raise ValueError("limits must be positive")

    @property
    def max_uncompressed_bytes(self) -> int:
        return self.max_uncompressed_mb * MB

    # The refusals, one line each, naming the option that raises the limit.

    def sheet_too_big(self, rows: int, cols: int) -> str:
        return (f"spans {rows:,} rows × {cols:,} columns, more than --max-cells {self.max_cells:,}: {REFUSED}")

    def alias_bomb(self) -> str:
        return f"its YAML aliases expand to more than --max-cells {self.max_cells:,} values (an alias bomb?): {REFUSED}"

    def zip_bomb(self, declared: int) -> str:
        return (f"its parts declare {declared / MB:,.0f} MB uncompressed, more than --max-uncompressed-mb "
                f"{self.max_uncompressed_mb:,} (a zip bomb?): {REFUSED}")

    def inflate_bomb(self) -> str:
        return (f"its streams inflate to more than --max-uncompressed-mb {self.max_uncompressed_mb:,} "
                f"(a decompression bomb?): {REFUSED}")


REFUSED = "refused (raise the limit to read it)"
DEFAULT_LIMITS = Limits()
