"""Many reports: inputs, the worker pool, the store."""
