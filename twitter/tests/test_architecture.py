"""The layering of ARCHITECTURE.md, enforced: a wrong import fails the suite."""

from importlinter.cli import lint_imports


def test_apps_import_only_lower_layers():
    # Contracts live in pyproject.toml ([tool.importlinter]).
    assert lint_imports(no_cache=True) == 0
