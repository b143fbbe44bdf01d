"""`mmpgate export`: a run's results in formats other tools read (CTRF JSON, JUnit XML)."""
