"""A small Dockerfile reader for the image tests: instructions with continuations joined, comments
dropped, grouped by stage. Enough for the project's two Dockerfiles (no heredocs, no ONBUILD)."""

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Instruction:
    keyword: str
    value: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form CMD/ENTRYPOINT/RUN, or None for the shell form."""
        text = self.value
        if self.keyword == "HEALTHCHECK":
            text = re.sub(r"^(--\S+\s+)*CMD\s+", "", text)
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def instructions(path: Path) -> list[Instruction]:
    result: list[Instruction] = []
    buffer, start = "", None
    for number, raw in enumerate(Path(path).read_text().splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buffer):
            continue  # comments (also inside continuations) and blank lines
        if start is None:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        keyword, _, rest = buffer.partition(" ")
        result.append(Instruction(keyword.upper(), rest.strip(), start))
        buffer, start = "", None
    return result


def stages(path: Path) -> list[Stage]:
    result: list[Stage] = []
    for instruction in instructions(path):
        if instruction.keyword == "FROM":
            words = [w for w in instruction.value.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            result.append(Stage(base=words[0], name=name))
        elif result:
            result[-1].instructions.append(instruction)
    return result


def run_env(instruction: Instruction) -> dict[str, str]:
    """The NAME=value assignments that prefix a shell-form RUN (`RUN A=1 B=2 command ...`)."""
    env = {}
    for word in shlex.split(instruction.value):
        match = re.fullmatch(r"([A-Z_][A-Z0-9_]*)=(.*)", word)
        if not match:
            break
        env[match.group(1)] = match.group(2)
    return env


def env_values(stage: Stage) -> dict[str, str]:
    """ENV NAME=value pairs of a stage (quotes and escapes removed as a shell would)."""
    env = {}
    for instruction in stage.all("ENV"):
        for word in shlex.split(instruction.value):
            name, sep, value = word.partition("=")
            if sep:
                env[name] = value
    return env
