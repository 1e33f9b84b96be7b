"""What the rules refuse, said as kinds with parameters: layouts/text.py puts each kind into words."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: a kind (a key of text.REFUSALS) and what its words need."""

    kind: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.kind}{self.params or ''}"


def problem(kind: str, /, **params) -> Problem:
    return Problem(kind, params)


class Refused(ValueError):
    """Input the rules refuse; `problems` holds every reason found, `kind` and `params` the first one."""

    def __init__(self, kind: str | None = None, /, *, problems: tuple[Problem, ...] | list[Problem] = (), **params):
        self.problems = tuple(problems) if kind is None else (Problem(kind, params),)
        if not self.problems:
            raise ValueError("a refusal needs at least one problem")
        super().__init__("; ".join(map(str, self.problems)))

    @property
    def kind(self) -> str:
        return self.problems[0].kind

    @property
    def params(self) -> dict:
        return self.problems[0].params
