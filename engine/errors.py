"""Policy errors: each knows where it is (file, line, column), which rule and which field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Location:
    path: Path
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}:1:1"
        return f"{self.path}:{self.line}:{self.col or 1}"

    def sort_key(self) -> tuple[str, int, int]:
        return (str(self.path), self.line or 0, self.col or 0)


class PolicyError(ValueError):
    """A problem in a policy, rendered as FILE:LINE:COL: rule 'ID': field 'PATH': message."""

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        rule_id: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.rule_id = rule_id
        self.field = field

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.rule_id:
            parts.append(f"rule '{self.rule_id}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)


class PolicySyntaxError(PolicyError):
    """The file is not valid YAML."""


class PolicySchemaError(PolicyError):
    """A missing, unknown or wrong-typed field."""


class PatternError(PolicyError):
    """A regex or list term that cannot be compiled, or would backtrack catastrophically."""


class DuplicateRuleError(PolicyError):
    """Two rules share one id."""


class PolicyErrors(PolicyError):
    """Every error of one load, sorted by location; str() lists them one per line."""

    def __init__(self, errors: list[PolicyError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.location.sort_key() if e.location else ("", 0, 0))
        super().__init__("\n".join(str(e) for e in self.errors))

    def __str__(self) -> str:
        return self.message


class ErrorCollector:
    """Gathers errors during a load so that lint can report all of them at once."""

    def __init__(self) -> None:
        self.errors: list[PolicyError] = []

    def add(self, error: PolicyError) -> None:
        self.errors.append(error)

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise PolicyErrors(self.errors)
