// Upsert one batch of kept referrals as :REFERRED relationships, referrer -> referee.
// params: $referrer_id, $referee_id, $referred_at (one list per column; dates as ISO text), $ord (row numbers),
//   $extra_keys (property names "extra_<column>"), $extra_values (one list per extra key)
UNWIND range(0, size($referrer_id) - 1) AS i
MATCH (a:Person {person_id: $referrer_id[i]})
MATCH (b:Person {person_id: $referee_id[i]})
MERGE (a)-[r:REFERRED]->(b)
SET r.ord = $ord[i],
    r.referred_at = CASE WHEN $referred_at[i] CONTAINS 'T' THEN localdatetime($referred_at[i]) ELSE date($referred_at[i]) END
// --- with extra columns only: sets the extra_<column> properties ---
FOREACH (j IN range(0, size($extra_keys) - 1) | SET r[$extra_keys[j]] = $extra_values[j][i])
