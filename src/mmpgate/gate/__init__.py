"""The regression gate: thresholds, quantities, rules, regression against a baseline, the verdict."""
