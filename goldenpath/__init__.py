"""Golden Path IDP generator: model, naming, CLI and verifier (pure Python, no jsii)."""
