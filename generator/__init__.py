"""The responsibility playbook generator: YAML → validated model → MkDocs site."""

__version__ = "0.1.0"
