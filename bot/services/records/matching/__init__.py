"""Parts of the matcher behind bot.services.records.matcher: lexicon, normalising, intent, ranking."""
