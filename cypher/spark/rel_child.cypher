// Upsert one batch of child relations written by the Neo4j Connector for Apache Spark as :CHILD relationships (directed parent -> child).
// params: none -- the connector runs this once per row as `event`: person_id, relative_id, ord,
//   since and until (ISO text), source, extra_<column> values and temporal:extra_<column> ISO texts
MATCH (a:Person {person_id: event.person_id})
MATCH (b:Person {person_id: event.relative_id})
MERGE (a)-[r:CHILD]->(b)
SET r.ord = event.ord,
    r.since = CASE WHEN event.since CONTAINS 'T' THEN localdatetime(event.since) ELSE date(event.since) END,
    r.until = CASE WHEN event.until CONTAINS 'T' THEN localdatetime(event.until) ELSE date(event.until) END,
    r.source = event.source
// --- with extra columns only: sets the extra_<column> properties ---
WITH r, event
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'extra_'] | SET r[k] = event[k])
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'temporal:'] |
  SET r[substring(k, size('temporal:'))] = CASE WHEN event[k] CONTAINS 'T' THEN localdatetime(event[k]) ELSE date(event[k]) END)
