// Write one batch of household summaries onto :Household nodes (created for derived households), stamped with as_of and token.
// params: $household_id, $derived, $members, $customers, $penetration, $required, $covered,
//   $coverage_ratio, $coverage_score, $protection_gap, $top_gap_person, $top_gap_line
//   (one list per column), $results_as_of (LOCAL DATETIME), $results_token (str)
UNWIND range(0, size($household_id) - 1) AS i
MERGE (h:Household {household_id: $household_id[i]})
SET h.derived = $derived[i],
    h.members = $members[i],
    h.customers = $customers[i],
    h.penetration = $penetration[i],
    h.required = $required[i],
    h.covered = $covered[i],
    h.coverage_ratio = $coverage_ratio[i],
    h.coverage_score = $coverage_score[i],
    h.protection_gap = $protection_gap[i],
    h.top_gap_person = $top_gap_person[i],
    h.top_gap_line = $top_gap_line[i],
    h.results_as_of = $results_as_of,
    h.results_token = $results_token
