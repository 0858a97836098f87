"""The database grants of scripts/kind-bootstrap.sh, checked offline.

The bootstrap runs as the superuser before the first migration. Whatever it grants
`backend_app` beyond connecting and using the schema would undo the migrations' own
least-privilege grants: default privileges, for instance, hand the application role
UPDATE and DELETE on every table the owner creates later, the append-only
`config_history`, `token_revocations` and refinery's `refinery_schema_history` included.
"""

import re

ALLOWED = [
    re.compile(r"^GRANT CONNECT ON DATABASE \w+ TO backend_app;$", re.I),
    re.compile(r"^GRANT USAGE ON SCHEMA public TO backend_app;$", re.I),
]


def bootstrap_sql(root):
    """The SQL statements of the postgresql-initdb heredoc, one per line."""
    text = (root / "scripts" / "kind-bootstrap.sh").read_text()
    match = re.search(r"10-backend-app-role\.sql=\"\$\(cat <<SQL\n(.*?)\nSQL\n", text, re.S)
    if not match:
        return None
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def findings(root):
    sql = bootstrap_sql(root)
    if sql is None:
        return ["scripts/kind-bootstrap.sh: the postgresql-initdb SQL block was not found"]
    out = []
    for line in sql:
        upper = line.upper()
        if "DEFAULT PRIVILEGES" in upper:
            out.append(f"default privileges are not allowed (they outlive the migrations' grants): {line}")
        elif upper.startswith("GRANT") and "BACKEND_APP" in upper and not any(p.match(line) for p in ALLOWED):
            out.append(f"backend_app may only CONNECT and USAGE on the schema here: {line}")
        elif upper.startswith("CREATE ROLE BACKEND_APP") and not all(
                f"NO{attr}" in upper for attr in ("SUPERUSER", "BYPASSRLS", "CREATEDB", "CREATEROLE")):
            out.append(f"backend_app must be NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE: {line}")
        elif re.match(r"^GRANT\s+\w+\s+TO\s+backend_app", line, re.I):
            out.append(f"backend_app must not be a member of another role: {line}")
    return out


def run_checks(report, root):
    report.result("bootstrap-grants", "scripts/kind-bootstrap.sh database grants", findings(root))
