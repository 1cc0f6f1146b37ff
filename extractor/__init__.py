"""selfeval: numeric facts from Chinese self-evaluation reports on education duties."""

__version__ = "0.1.0"
