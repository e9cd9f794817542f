"""``python -m unified_accounting.cli``: the same command line as ``unified-accounting``."""

from unified_accounting.cli import main

main(prog_name="unified-accounting")
