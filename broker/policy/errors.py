"""Problems found in policy files, each pinned to `file:line:column`."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    file: str
    line: int  # 1-based; 0 when the problem concerns the file or folder as a whole
    column: int  # 1-based; 0 together with line 0
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{self.file}: {self.message}"


class PolicyError(Exception):
    """The policies cannot be used; carries every issue found, not only the first."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]):
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))
