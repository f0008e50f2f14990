// Write one batch of analysis results onto :Person nodes, stamped with the results' as_of and token.
// Values missing for a person (e.g. no p_alive without a purchase) are removed (null).
// params: $person_id, $household, $household_role, $tier, $score, $is_super, $converted_referrals,
//   $chain_value, $influence, $p_alive, $clv, $crv, $segment, $at_risk (one list per column),
//   $gap_line, $gap_priority (the batch's coverage gaps, flat, person by person in priority
//   order), $gap_first, $gap_last (per person: their gaps are [first, last) of the flat lists),
//   $results_as_of (LOCAL DATETIME), $results_token (str)
UNWIND range(0, size($person_id) - 1) AS i
MATCH (p:Person {person_id: $person_id[i]})
SET p.household = $household[i],
    p.household_role = $household_role[i],
    p.tier = $tier[i],
    p.score = $score[i],
    p.is_super = $is_super[i],
    p.converted_referrals = $converted_referrals[i],
    p.chain_value = $chain_value[i],
    p.influence = $influence[i],
    p.gap_lines = $gap_line[$gap_first[i]..$gap_last[i]],
    p.gap_priorities = $gap_priority[$gap_first[i]..$gap_last[i]],
    p.p_alive = $p_alive[i],
    p.clv = $clv[i],
    p.crv = $crv[i],
    p.segment = $segment[i],
    p.at_risk = $at_risk[i],
    p.results_as_of = $results_as_of,
    p.results_token = $results_token
