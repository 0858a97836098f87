"""Fails unless every alert of RULES has, in the promtool TESTS, a case where it fires and one where
it does not (an alert_rule_test entry with exp_alerts, and one with `exp_alerts: []`).

  alerts_covered.py RULES TESTS
"""

import sys

import yaml


def main():
    rules, tests = (yaml.safe_load(open(p)) or {} for p in sys.argv[1:3])
    alerts = [r["alert"] for g in rules.get("groups") or [] for r in g.get("rules") or [] if "alert" in r]
    fires, quiet = set(), set()
    for test in tests.get("tests") or []:
        for case in test.get("alert_rule_test") or []:
            (fires if case.get("exp_alerts") else quiet).add(case.get("alertname"))
    missing = [f"{a}: no case where it {what}" for a in alerts
               for what, seen in (("fires", fires), ("stays quiet", quiet)) if a not in seen]
    unknown = sorted((fires | quiet) - set(alerts))
    for line in missing + [f"{a}: tested but not in the rules" for a in unknown]:
        print(f"alerts_covered: {line}", file=sys.stderr)
    if missing or unknown:
        return 1
    print(f"alerts_covered: each of the {len(alerts)} alerts has a firing and a quiet case", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
