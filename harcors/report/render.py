"""One entry point for every export format, shared by ``harcors analyze`` and the GUI's Export."""

from __future__ import annotations

from collections.abc import Sequence

from harcors.analysis import Analysis

FORMATS = ("table", "json", "md", "html", "csv", "sarif")


def render(analyses: Sequence[Analysis], fmt: str, *, redact: bool = True, stack: str | None = None) -> str:
    """The report for ``analyses`` in format ``fmt`` (one of :data:`FORMATS`), as text.

    With ``redact`` (the default) cookies, credentials, tokens and secret-looking URL parameters
    are replaced by ``[redacted]`` in every format; ``stack`` picks which server's fix to show.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        # The document needs the redacted texts only, not the report model (nor pandas), and none
        # of the exchanges' headers: it redacts the fields it shows instead of a copy of everything.
        from harcors.report.json_doc import analysis_document, dumps
        from harcors.report.redact import redactor_for

        docs = [
            analysis_document(a, redacted=redact, stack=stack, redactor=redactor_for(a) if redact else None)
            for a in analyses
        ]
        return dumps(docs[0] if len(docs) == 1 else docs, floats=False) + "\n"
    from harcors.report.model import build_report

    report = build_report(analyses, redact=redact, stack=stack)
    if fmt == "table":
        from harcors.report.table import render_table

        return "\n".join(render_table(f.analysis) for f in report.files)
    if fmt == "md":
        from harcors.report.markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from harcors.report.html import render_html

        return render_html(report)
    if fmt == "csv":
        from harcors.report.csv import render_csv

        return render_csv(report)
    from harcors.report.sarif import render_sarif

    return render_sarif(report)
