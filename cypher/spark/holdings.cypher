// Upsert one batch of :Holding nodes and (:Person)-[:HOLDS]->(:Holding) written by the Neo4j Connector for Apache Spark.
// params: none -- the connector runs this once per row as `event`: the holdings columns (dates as
//   ISO text), ord, extra_<column> values and temporal:extra_<column> ISO texts
MATCH (p:Person {person_id: event.person_id})
MERGE (h:Holding {holding_id: event.holding_id})
SET h.ord = event.ord,
    h.line = event.line,
    h.purchased_at = CASE WHEN event.purchased_at CONTAINS 'T' THEN localdatetime(event.purchased_at) ELSE date(event.purchased_at) END,
    h.amount = event.amount,
    h.expires_at = CASE WHEN event.expires_at CONTAINS 'T' THEN localdatetime(event.expires_at) ELSE date(event.expires_at) END,
    h.sum_assured = event.sum_assured,
    h.product_id = event.product_id,
    h.payer_id = event.payer_id,
    h.payer_relation = event.payer_relation
MERGE (p)-[:HOLDS]->(h)
// --- with extra columns only: sets the extra_<column> properties ---
WITH h, event
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'extra_'] | SET h[k] = event[k])
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'temporal:'] |
  SET h[substring(k, size('temporal:'))] = CASE WHEN event[k] CONTAINS 'T' THEN localdatetime(event[k]) ELSE date(event[k]) END)
