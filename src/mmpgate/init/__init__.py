"""`mmpgate init`: a starter configuration and thresholds file from what is in the project."""
