"""履责记实: the matcher (and matching/, data/), proposals (and edits of their messages), writing /
undoing / correcting records, the record list, 季度自查 and 半年报告. May use: ledger, directory,
calendar."""
