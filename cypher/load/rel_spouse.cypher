// Upsert one batch of spouse relations as :SPOUSE relationships (undirected, stored from the smaller to the larger person_id).
// params: $person_id, $relative_id, $since, $until, $source
//   (one list per column; dates as ISO text), $ord (row numbers),
//   $extra_keys (property names "extra_<column>"), $extra_values (one list per extra key)
UNWIND range(0, size($person_id) - 1) AS i
MATCH (a:Person {person_id: $person_id[i]})
MATCH (b:Person {person_id: $relative_id[i]})
MERGE (a)-[r:SPOUSE]->(b)
SET r.ord = $ord[i],
    r.since = CASE WHEN $since[i] CONTAINS 'T' THEN localdatetime($since[i]) ELSE date($since[i]) END,
    r.until = CASE WHEN $until[i] CONTAINS 'T' THEN localdatetime($until[i]) ELSE date($until[i]) END,
    r.source = $source[i]
// --- with extra columns only: sets the extra_<column> properties ---
FOREACH (j IN range(0, size($extra_keys) - 1) | SET r[$extra_keys[j]] = $extra_values[j][i])
