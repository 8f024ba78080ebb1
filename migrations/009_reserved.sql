-- Reserved for the stemmed-recall migration being written beside this one (issue 27, part 2),
-- so migration 010 (people notes) can be applied in order on this branch. It changes nothing;
-- the merge replaces this file with that branch's 009.
SELECT 1;
