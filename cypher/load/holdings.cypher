// Upsert one batch of :Holding nodes and the (:Person)-[:HOLDS]->(:Holding) relationship.
// params: $holding_id, $person_id, $line, $purchased_at, $amount, $expires_at, $sum_assured,
//   $product_id (one list per column), $ord (row numbers),
//   $extra_keys (property names "extra_<column>"), $extra_values (one list per extra key)
UNWIND range(0, size($holding_id) - 1) AS i
MATCH (p:Person {person_id: $person_id[i]})
MERGE (h:Holding {holding_id: $holding_id[i]})
SET h.ord = $ord[i],
    h.line = $line[i],
    h.purchased_at = $purchased_at[i],
    h.amount = $amount[i],
    h.expires_at = $expires_at[i],
    h.sum_assured = $sum_assured[i],
    h.product_id = $product_id[i]
MERGE (p)-[:HOLDS]->(h)
WITH h, i
FOREACH (j IN range(0, size($extra_keys) - 1) | SET h[$extra_keys[j]] = $extra_values[j][i])
