"""The fake cluster's state: pure Python, no HTTP; the clock is the only place that reads time."""
