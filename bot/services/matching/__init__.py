"""Parts of the matcher behind bot.services.matcher: lexicon, normalising, intent, ranking."""
