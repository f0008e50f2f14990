// Upsert one batch of :Holding nodes and the (:Person)-[:HOLDS]->(:Holding) relationship.
// The rows come grouped by owner, so each owner is looked up once: rows $first[k] to
// $last[k] - 1 belong to the person $owner[k].
// params: $owner, $first, $last (one entry per owner run),
//   $holding_id, $line, $purchased_at, $amount, $expires_at, $sum_assured, $product_id,
//   $payer_id, $payer_relation
//   (one list per column; dates as ISO text), $ord (row numbers),
//   $extra_keys (property names "extra_<column>"), $extra_values (one list per extra key)
UNWIND range(0, size($owner) - 1) AS k
MATCH (p:Person {person_id: $owner[k]})
UNWIND range($first[k], $last[k] - 1) AS i
MERGE (h:Holding {holding_id: $holding_id[i]})
SET h.ord = $ord[i],
    h.line = $line[i],
    h.purchased_at = CASE WHEN $purchased_at[i] CONTAINS 'T' THEN localdatetime($purchased_at[i]) ELSE date($purchased_at[i]) END,
    h.amount = $amount[i],
    h.expires_at = CASE WHEN $expires_at[i] CONTAINS 'T' THEN localdatetime($expires_at[i]) ELSE date($expires_at[i]) END,
    h.sum_assured = $sum_assured[i],
    h.product_id = $product_id[i],
    h.payer_id = $payer_id[i],
    h.payer_relation = $payer_relation[i]
MERGE (p)-[:HOLDS]->(h)
// --- with extra columns only: sets the extra_<column> properties ---
WITH h, i
FOREACH (j IN range(0, size($extra_keys) - 1) | SET h[$extra_keys[j]] = $extra_values[j][i])
