"""Lint-level checks over a loaded policy: problems that are legal but probably mistakes."""

from __future__ import annotations

from .policy import Policy


def run_checks(policy: Policy) -> list[str]:
    """Warnings, one sentence each, naming the rule and where it is."""
    warnings = []
    tested = {rid for case in policy.cases for rid in case.expect}
    used_guidelines = {rule.guideline for rule in policy.rules}
    for rule in policy.rules:
        if rule.id not in tested:
            warnings.append(f"{rule.location}: rule '{rule.id}': no case in a .cases.yaml expects it to fire")
        if not rule.shadow and rule.score <= 0:
            warnings.append(f"{rule.location}: rule '{rule.id}': score {rule.score:g} can never flag a comment")
    for name, where in policy.unused_lists:
        warnings.append(f"{where}: list '{name}' is not used by any rule, so editing it changes nothing")
    for gid, guideline in policy.guidelines.items():
        if gid not in used_guidelines and not guideline.moderators_only:
            warnings.append(f"guideline '{gid}' has no rule")
    return warnings
