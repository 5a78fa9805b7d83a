"""Reports: the JSON document, terminal table, and (from the report issue) Markdown, HTML, CSV, SARIF."""
