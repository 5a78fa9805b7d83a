"""Rule descriptions for exports (SARIF's ``tool.driver.rules``), from the engine's rule registry."""

from __future__ import annotations

from typing import Any

from harcors.resources import resource_path


def _registry() -> dict[str, Any]:
    try:
        from harcors.cors.rules import RULES
    except ImportError:  # an engine without a registry: describe rules from the findings alone
        return {}
    return dict(RULES)


def _camel(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").split("-"))


def _doc(rule: Any) -> tuple[str | None, str | None]:
    """The rule's docs page: its path under resources/ and its Markdown, when it exists."""
    rel = getattr(rule, "docs", None)
    if not rel:
        return None, None
    path = resource_path(*str(rel).split("/"))
    try:
        return f"resources/{rel}", path.read_text(encoding="utf-8")
    except OSError:  # the page is not written yet: name nothing that does not exist
        return None, None


def describe_rules(used: dict[str, str]) -> list[dict[str, Any]]:
    """SARIF reportingDescriptors for the rules that fired, in the registry's order, then any the
    registry does not know (described by a finding's title).

    ``used`` maps the rule ids that occur to a finding title. Only fired rules are described: each
    descriptor carries the rule's whole docs page.
    """
    out: list[dict[str, Any]] = []
    registry = _registry()
    for rule_id, rule in registry.items():
        if rule_id not in used:
            continue
        title = str(getattr(rule, "title", "") or used.get(rule_id) or rule_id)
        explanation = str(getattr(rule, "explanation", "") or title)
        severity = str(getattr(rule, "severity", "error"))
        docs_path, docs_md = _doc(rule)
        descriptor: dict[str, Any] = {
            "id": rule_id,
            "name": _camel(rule_id),
            "shortDescription": {"text": title},
            "fullDescription": {"text": explanation},
            "defaultConfiguration": {"level": "error" if severity == "error" else "warning"},
            "properties": {"tags": ["cors"] if getattr(rule, "is_cors", True) else ["cors", "hardening"]},
        }
        help_text = explanation
        spec = getattr(rule, "spec", None)
        if spec:
            help_text += f"\n\nFetch standard: {spec}"
        descriptor["help"] = {"text": help_text}
        if docs_md:
            descriptor["help"]["markdown"] = docs_md
        # SARIF wants an absolute URI here; the rule's page ships inside harcors (no public URL), so
        # point to the part of the Fetch standard the rule encodes and name the page in properties.
        spec_url = getattr(rule, "spec_url", None)
        if spec_url:
            descriptor["helpUri"] = spec_url
        if docs_path:
            descriptor["properties"]["docs"] = docs_path
        out.append(descriptor)
    for rule_id, title in used.items():
        if rule_id not in registry:
            out.append({
                "id": rule_id,
                "name": _camel(rule_id),
                "shortDescription": {"text": title or rule_id},
                "properties": {"tags": ["cors"]},
            })
    return out
