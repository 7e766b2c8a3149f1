
# The file name of every upload journeylens serve commits (commit.py), which compaction (compact.py) and the
# arrival line (arrivals.py) recognise: one spelling, so they cannot drift apart.
LIVE_PREFIX = "live-"
