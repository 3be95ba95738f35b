"""Former home of the pipeline, kept so that existing imports work: see `perfscore.pipeline` (the stages)
and `perfscore.results` (`DocumentResult`, `Digest`, `SummaryBuilder`, `json_bytes`)."""

from __future__ import annotations

from perfscore.pipeline import (
                                GC_THRESHOLD,
                                STDIN,
                                batch_gc,
                                collect_file_garbage,
                                forms_of,
                                iter_documents,
                                iter_paths,
                                run,
                                score_document,
                                score_guarded,
                                skipped_files,
)
from perfscore.results import Digest, DocumentResult, SummaryBuilder, json_bytes

__all__ = ["GC_THRESHOLD", "STDIN", "Digest", "DocumentResult", "SummaryBuilder", "batch_gc", "collect_file_garbage",
           "forms_of", "iter_documents", "iter_paths", "json_bytes", "run", "score_document", "score_guarded",
           "skipped_files"]
