"""Benchmarks of the playbook generator at enterprise scale (issue 7). Not part of the package."""
