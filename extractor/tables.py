"""The README's name for reading tables back (extractor.tables.read_excel …); the code is in outputs.tables."""
from .outputs.tables import *  # noqa: F401,F403
from .outputs.tables import read_duckdb, read_excel, read_parquet_dir, schema  # noqa: F401
