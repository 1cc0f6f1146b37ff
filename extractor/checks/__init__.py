"""Checks over the facts of one report: standards, consistency and claims."""
