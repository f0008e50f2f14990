// Remove stale analysis figures from one batch of given :Household nodes (an earlier write's token).
// params: $results_token (str), $limit (int, households per transaction)
MATCH (h:Household)
WHERE NOT coalesce(h.derived, false) AND h.results_token IS NOT NULL
  AND h.results_token <> $results_token
WITH h LIMIT $limit
REMOVE h.derived, h.members, h.customers, h.penetration, h.required, h.covered,
       h.coverage_ratio, h.coverage_score, h.protection_gap, h.top_gap_person, h.top_gap_line,
       h.results_as_of, h.results_token
