"""The original tool's argparse habits, rewritten into tokens the CLI's parser reads one way.

argparse let ``--layers a b c`` take several values, accepted ``--opt=value`` for any option, unique
prefixes of long options (``--iter 6``), and options whose value may be left out (``nargs="?"``, as ``--ray``).
Users' scripts and the original README rely on these, so before parsing the command line is rewritten:
``-l a b c`` becomes ``-l a -l b -l c``, ``--guide_image`` becomes ``--guide-image``, ``--iter`` becomes
``--iterations``, a bare ``--ray`` becomes ``--ray local``. Rewriting stops at the first bare word (a subcommand
name such as ``demo``): what follows belongs to that subcommand and is passed on untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from deepdream_torch.cli.errors import CliError


@dataclass(frozen=True)
class OptionTable:
    """What the rewriting needs to know about the options of one command."""

    takes_value: Mapping[str, bool]  # every option spelling → whether a value follows it
    multi_value: frozenset[str] = frozenset()  # spellings that gather several space-separated values
    aliases: Mapping[str, str] = field(default_factory=dict)  # extra spellings → a spelling in takes_value
    # spellings whose value may be left out → the value they stand for then (followed by nothing or an option)
    optional_values: Mapping[str, str] = field(default_factory=dict)
    spellings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # spelling → all of its option's

    def canonical(self, name: str) -> str | None:
        """The known spelling ``name`` stands for, or None when it is no option of ours."""
        if name in self.takes_value:
            return name
        if name in self.aliases:
            return self.aliases[name]
        if not name.startswith("--"):
            return None
        dashed = name.replace("_", "-")
        if dashed in self.takes_value:
            return dashed
        # argparse's allow_abbrev: a unique prefix of a long option stands for it.
        matches = sorted(o for o in self.takes_value if o.startswith("--") and o.startswith(dashed))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise CliError(f"option {name} is ambiguous: it could be {', '.join(matches)}")
        return None


def _is_option_like(token: str) -> bool:
    return token.startswith("-") and len(token) > 1 and not _is_number(token)


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def normalize_argv(args: Sequence[str], table: OptionTable) -> list[str]:
    """Rewrite ``args`` so that a click parser reads them as argparse read the original tool's command line."""
    out: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--" or not _is_option_like(token):
            out.extend(args[i:])  # a subcommand and its own arguments, or a stray word the parser reports
            break
        name, has_value, attached = token.partition("=")
        option = table.canonical(name)
        if option is None:
            _refuse_one_dash(name, table)
            out.append(token)  # an unknown option, or `-s1.5` style: the parser reads or reports it
            i += 1
            continue
        i += 1
        if not table.takes_value[option]:
            out.append(f"{option}={attached}" if has_value else option)
            continue
        if option in table.multi_value:
            values = [attached] if has_value else []
            while i < len(args) and not _is_option_like(args[i]) and args[i] != "--":
                values.append(args[i])
                i += 1
            if not values:
                out.append(option)  # the parser says it needs a value
            for value in values:
                out.extend([option, value])
            continue
        if has_value:
            out.extend([option, attached])
        elif option in table.optional_values and (i >= len(args) or _is_option_like(args[i]) or args[i] == "--"):
            out.extend([option, table.optional_values[option]])
        elif i < len(args):
            out.extend([option, args[i]])
            i += 1
        else:
            out.append(option)
    return out


def _refuse_one_dash(name: str, table: OptionTable) -> None:
    """``-layers`` is a long option with one dash lost: click would read it as ``-l ayers``; say what was meant."""
    if name.startswith("--") or len(name) < 3 or f"-{name}" not in table.takes_value:
        return
    meant = " or ".join(table.spellings.get(f"-{name}", (f"-{name}",)))
    raise CliError(f"{name} is not an option: long options take two dashes (did you mean {meant}?)")


def table_from_options(
    options: Iterable[tuple[Sequence[str], bool]],
    multi_value: Iterable[str] = (),
    aliases: Mapping[str, str] | None = None,
    optional_values: Mapping[str, str] | None = None,
) -> OptionTable:
    """Build a table from ``(spellings, takes_value)`` pairs; ``multi_value`` names spellings of such options,
    ``optional_values`` the value an option stands for when it is given without one."""
    takes_value: dict[str, bool] = {}
    grouped: dict[str, tuple[str, ...]] = {}
    for spellings, value in options:
        ordered = tuple(sorted(spellings, key=lambda spelling: not spelling.startswith("--")))
        for spelling in spellings:
            takes_value[spelling] = value
            grouped[spelling] = ordered
    return OptionTable(
        takes_value, frozenset(multi_value), dict(aliases or {}), dict(optional_values or {}), grouped
    )
