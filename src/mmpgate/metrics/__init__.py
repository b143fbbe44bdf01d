"""The metrics document: its format, its one loader and writer, its test entries, its files."""
