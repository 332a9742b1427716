-- Placeholder: version 7 belongs to another branch; delete this file when that
-- branch's 0007 migration is merged (migration versions must be 1..n).
SELECT 1;
