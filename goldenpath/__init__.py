"""Golden Path IDP generator: model, naming, CLI and verifier (pure Python, no jsii)."""
__version__ = "0.1.0"  # equals [project] version in pyproject.toml (a test checks)
