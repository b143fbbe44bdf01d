"""The doctor corpora are data read by `mmpgate doctor` tests, never tests to collect."""

collect_ignore_glob = ["*"]
