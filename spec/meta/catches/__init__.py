"""The catches of each chapter: spec/meta/catches/<chapter>.py holds those of spec/test_<chapter>.py, each a
statement held against a layer broken the way it speaks of (spec/meta/catching.py)."""
