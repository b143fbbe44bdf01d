"""Rule `unmarked-server-fixture`: tests that use a wide-scoped server fixture without the mark.

This rule needs every scanned module at once: fixtures live in conftest files above the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mmpgate.doctor.fixtures import FixtureFact, ModuleFacts, TestFact
from mmpgate.doctor.model import Finding
from mmpgate.doctor.rules import PLUGIN_SERVER_FIXTURES, RULES, UNMARKED_SERVER_FIXTURE


@dataclass(frozen=True, slots=True)
class _Chain:
    """A wide-scoped server fixture and the fixtures through which a test reaches it."""

    server: FixtureFact
    via: tuple[str, ...]

    def describe(self) -> str:
        text = f"`{self.server.name}` ({self.server.scope}-scoped server fixture"
        return text + (f", via `{'` -> `'.join(self.via)}`)" if self.via else ")")


class Resolver:
    """Finds the fixture a name means from a module, the way pytest does: own module, then conftests
    from the nearest directory up."""

    def __init__(self, modules: list[ModuleFacts]) -> None:
        self._conftests = {facts.directory: facts for facts in modules if facts.is_conftest}
        self._by_path = {facts.path: facts for facts in modules}
        self._memo: dict[int, _Chain | None] = {}
        self._visible: dict[Path, list[ModuleFacts]] = {}
        self._plugin: dict[str, FixtureFact] = {}

    def candidates(self, name: str, module: ModuleFacts) -> Iterator[FixtureFact]:
        if not module.is_conftest:
            yield from (fixture for fixture in module.fixtures if fixture.name == name)
        for conftest in self._conftests_above(module.directory):
            yield from (fixture for fixture in conftest.fixtures if fixture.name == name)

    def _conftests_above(self, directory: Path) -> list[ModuleFacts]:
        """Conftests that apply in a directory, nearest first (cached per directory)."""
        found = self._visible.get(directory)
        if found is None:
            found = [
                self._conftests[path]
                for path in (directory, *directory.parents)
                if path in self._conftests
            ]
            self._visible[directory] = found
        return found

    def reaching_names(self) -> set[str]:
        """Names of every fixture (anywhere) whose chain reaches a wide-scoped server fixture."""
        return set(PLUGIN_SERVER_FIXTURES) | {
            fixture.name
            for facts in self._by_path.values()
            for fixture in facts.fixtures
            if self.chain_of(fixture) is not None
        }

    def autouse_scopes(self) -> list[Path]:
        """Directories of conftests holding an autouse fixture that reaches a server fixture."""
        return [
            facts.directory
            for facts in self._conftests.values()
            if any(f.autouse and self.chain_of(f) is not None for f in facts.fixtures)
        ]

    def chain(
        self, name: str, module: ModuleFacts, skip: FixtureFact | None = None
    ) -> _Chain | None:
        fixture = next((f for f in self.candidates(name, module) if f is not skip), None)
        if fixture is None and name in PLUGIN_SERVER_FIXTURES:
            fixture = self._plugin_fixture(name)
        return None if fixture is None else self.chain_of(fixture)

    def _plugin_fixture(self, name: str) -> FixtureFact:
        """mmpgate's module/session server factory, as if defined where pytest finds plugins."""
        fixture = self._plugin.get(name)
        if fixture is None:
            scope = PLUGIN_SERVER_FIXTURES[name]
            fixture = FixtureFact(name, scope, False, (), True, "<mmpgate plugin>", 0)
            self._plugin[name] = fixture
        return fixture

    def chain_of(self, fixture: FixtureFact) -> _Chain | None:
        key = id(fixture)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # a cycle resolves to "no server"
        result: _Chain | None = None
        if fixture.starts_server and fixture.scope != "function":
            result = _Chain(fixture, ())
        else:
            home = self._by_path[fixture.path]
            for name in fixture.requests:
                skip = fixture if name == fixture.name else None
                found = self.chain(name, home, skip)
                if found is not None:
                    result = _Chain(found.server, (fixture.name, *found.via))
                    break
        self._memo[key] = result
        return result


def check(modules: list[ModuleFacts]) -> Iterator[Finding]:
    """Findings of `unmarked-server-fixture` over all scanned modules."""
    resolver = Resolver(modules)
    rule = RULES[UNMARKED_SERVER_FIXTURE]
    for module in modules:
        for test in module.tests:
            if test.marked_server:
                continue
            found = _first_chain(resolver, module, test)
            if found is not None:
                message = f"`{test.name}` uses {found.describe()}: {rule.message}"
                yield Finding(module.path, test.line, rule.id, message, rule.fix)
    for module in modules:
        for fixture in module.fixtures:
            if not fixture.autouse or resolver.chain_of(fixture) is None:
                continue
            unmarked = [test for test in _in_scope(module, modules) if not test.marked_server]
            if unmarked:
                message = (
                    f"autouse `{fixture.name}` starts a {fixture.scope}-scoped server for "
                    f"{len(unmarked)} unmarked test(s): {rule.message}"
                )
                yield Finding(module.path, fixture.line, rule.id, message, rule.fix)


def _first_chain(resolver: Resolver, module: ModuleFacts, test: TestFact) -> _Chain | None:
    for name in test.requests:
        found = resolver.chain(name, module)
        if found is not None:
            return found
    return None


def _in_scope(module: ModuleFacts, modules: list[ModuleFacts]) -> Iterator[TestFact]:
    if not module.is_conftest:
        yield from module.tests
        return
    for other in modules:
        if is_within(other.directory, module.directory):
            yield from other.tests


def is_within(directory: Path, root: Path) -> bool:
    return directory == root or root in directory.parents
