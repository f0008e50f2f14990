// Remove the analysis results of one batch of :Person nodes whose results are not those of $results_token (stale: an earlier write).
// params: $results_token (str), $limit (int, persons per transaction)
MATCH (p:Person)
WHERE p.results_token IS NOT NULL AND p.results_token <> $results_token
WITH p LIMIT $limit
REMOVE p.household, p.household_role, p.tier, p.score, p.is_super, p.converted_referrals,
       p.chain_value, p.influence, p.gap_lines, p.gap_priorities, p.p_alive, p.clv, p.crv,
       p.segment, p.at_risk, p.results_as_of, p.results_token
