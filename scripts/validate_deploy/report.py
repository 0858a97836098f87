"""Findings and the printed record of what was checked.

Every check has a stable name (`policy-probes`, `argocd-revision`, ...). The negative tests
in test_negative.sh break one input at a time and look for `FAIL [<name>` in the output.
"""

import sys


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, check, what):
        self.passed += 1
        print(f"PASS [{check}] {what}", flush=True)

    def fail(self, check, what, details=()):
        self.failed += 1
        print(f"FAIL [{check}] {what}", flush=True)
        for line in details:
            print(f"    {line}", flush=True)

    def result(self, check, what, findings):
        """One check over one scope: pass when `findings` is empty, else fail listing them."""
        if findings:
            self.fail(check, what, findings)
        else:
            self.ok(check, what)

    def info(self, what):
        print(f"INFO {what}", flush=True)


def warn(message):
    print(f"validate-deploy: {message}", file=sys.stderr, flush=True)
