// Upsert one batch of social relations written by the Neo4j Connector for Apache Spark as :KNOWS {kind} relationships (one per pair and kind).
// params: none -- the connector runs this once per row as `event`: person_id, relative_id, relation
//   (the kind), ord, since and until (ISO text), extra_<column> values and temporal:extra_<column> ISO texts
MATCH (a:Person {person_id: event.person_id})
MATCH (b:Person {person_id: event.relative_id})
MERGE (a)-[r:KNOWS {kind: event.relation}]->(b)
SET r.ord = event.ord,
    r.since = CASE WHEN event.since CONTAINS 'T' THEN localdatetime(event.since) ELSE date(event.since) END,
    r.until = CASE WHEN event.until CONTAINS 'T' THEN localdatetime(event.until) ELSE date(event.until) END,
    r.source = event.source
// --- with extra columns only: sets the extra_<column> properties ---
WITH r, event
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'extra_'] | SET r[k] = event[k])
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'temporal:'] |
  SET r[substring(k, size('temporal:'))] = CASE WHEN event[k] CONTAINS 'T' THEN localdatetime(event[k]) ELSE date(event[k]) END)
