// Delete one batch of derived :Household nodes (no given household_id) whose results are stale (an earlier write's token).
// params: $results_token (str), $limit (int, households per transaction)
MATCH (h:Household)
WHERE h.derived AND h.results_token <> $results_token
WITH h LIMIT $limit
DETACH DELETE h
