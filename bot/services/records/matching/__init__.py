"""The matcher's parts: lexicon, normalising, intent, dates, ranking, near misses, lists, replies."""
