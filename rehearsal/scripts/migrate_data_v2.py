"""The rehearsal's data migration (the guide's scripts/migrate_data_v2.py): fills the new column.

It runs "in the API pod", which in the rehearsal is this machine with PG* variables pointing at the throwaway
PostgreSQL, so it uses psql rather than a Python driver.
"""
import subprocess
import sys

statement = "UPDATE agents SET description = 'agent ' || name WHERE description = ''"
result = subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-qtAc", statement], capture_output=True, text=True)
if result.returncode != 0:
    sys.stderr.write(result.stderr)
    sys.exit(result.returncode)
print("migrated agents.description")
