"""Usage mistakes against every `haven` command: the command's usage and a one-line reason on
stderr, exit 2, nothing run. The table is built from the commands themselves, so a new command
or option is covered the day it is added."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import Enum

import pytest
import typer
from typer.main import get_command

from cli.main import app, run


@dataclass(frozen=True)
class Mistake:
    argv: tuple[str, ...]
    usage: str  # the usage line the answer must start with
    reason: str  # a phrase of the one-line reason


def _leaves(command: typer.core.TyperGroup, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], object]]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [(path, command)]
    return [leaf for name, sub in sorted(subcommands.items()) for leaf in _leaves(sub, (*path, name))]


def _groups(command: object, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], list[str]]]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return []
    found = [(path, sorted(subcommands))]
    for name, sub in sorted(subcommands.items()):
        found += _groups(sub, (*path, name))
    return found


def _required_values(command: object) -> tuple[str, ...]:
    """Valid-looking values for every required parameter, so that one mistake is the only one."""
    words: list[str] = []
    for param in command.params:  # type: ignore[attr-defined]
        if not param.required:
            continue
        if param.param_type_name == "argument":
            words.append("x")
        elif param.is_flag:
            words.append(param.opts[0])
        else:
            annotation = param.type_descriptor.annotation
            if getattr(annotation, "__origin__", None) is list:  # a repeatable option: list[Role]
                annotation = annotation.__args__[0]
            value = (
                next(iter(annotation)).value
                if isinstance(annotation, type) and issubclass(annotation, Enum)
                else "x"
            )
            words += [param.opts[0], value]
    return tuple(words)


def mistakes() -> list[Mistake]:
    root = get_command(app)
    table: list[Mistake] = []
    for path, command in _leaves(root, ()):
        usage = "Usage: haven " + " ".join(path)
        given = _required_values(command)
        table.append(Mistake((*path, *given, "--no-such-option"), usage, "No such option: --no-such-option"))
        if not any(p.nargs == -1 for p in command.params):  # type: ignore[attr-defined]
            extra = (*path, *given, "extra", "words", "here")
            table.append(Mistake(extra, usage, "unexpected extra argument"))
        if given:
            table.append(Mistake(path, usage, "Missing"))
        for param in command.params:  # type: ignore[attr-defined]
            if param.param_type_name != "option" or param.is_flag:
                continue
            option = param.opts[0]
            others = _drop_option(given, option)
            table.append(Mistake((*path, *others, option), usage, f"Option '{option}' requires an argument"))
            annotation = param.type_descriptor.annotation
            inner = getattr(annotation, "__args__", (annotation,))[0]
            if inner is int or (isinstance(inner, type) and issubclass(inner, Enum)):
                table.append(Mistake((*path, *others, option, "not-a-valid-value"), usage, "Invalid value"))
    for path, names in _groups(root, ()):
        for name in names:
            typo = name[:-1] if len(name) > 4 else name + "x"
            # Click lists every close name ("Did you mean 'query', 'user'?"): the right one first.
            hint = f"Did you mean '{name}'" if len(name) > 4 else "No such command"
            table.append(Mistake((*path, typo), "Usage: haven", hint))
    return table


def _drop_option(words: tuple[str, ...], option: str) -> tuple[str, ...]:
    if option not in words:
        return words
    at = words.index(option)
    return words[:at] + words[at + 2 :]


TABLE = mistakes()


def test_the_table_covers_every_command_and_every_value_option() -> None:
    commands = {" ".join(path) for path, _ in _leaves(get_command(app), ())}
    assert {m.usage.removeprefix("Usage: haven ") for m in TABLE if "No such option" in m.reason} == commands
    assert len(commands) >= 27
    assert sum("requires an argument" in m.reason for m in TABLE) >= 30


@pytest.mark.parametrize("mistake", TABLE, ids=[" ".join(m.argv) for m in TABLE])
def test_a_usage_mistake_prints_the_usage_and_exits_2(
    mistake: Mistake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["haven", *mistake.argv])
    with pytest.raises(SystemExit) as exited:
        run()
    out, err = capsys.readouterr()
    assert exited.value.code == 2, err
    assert out == ""
    assert err.startswith(mistake.usage), err
    reason = err.strip().splitlines()[-1]
    assert reason.startswith("Error: ") and mistake.reason.lower() in reason.lower(), err


def test_an_internal_error_still_exits_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise KeyError("a value that must not be shown")

    monkeypatch.setattr(sys, "argv", ["haven", "quality", "report", "--json"])
    monkeypatch.setattr("quality.store.QualityStore.latest", lambda self: broken())
    with pytest.raises(SystemExit) as exited:
        run()
    err = capsys.readouterr().err
    assert exited.value.code == 70
    assert err.startswith("internal error: KeyError") and "must not be shown" not in err
