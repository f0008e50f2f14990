// Upsert one batch of kept referrals written by the Neo4j Connector for Apache Spark as :REFERRED relationships, referrer -> referee.
// params: none -- the connector runs this once per row as `event`: referrer_id, referee_id, ord,
//   referred_at (ISO text), extra_<column> values and temporal:extra_<column> ISO texts
MATCH (a:Person {person_id: event.referrer_id})
MATCH (b:Person {person_id: event.referee_id})
MERGE (a)-[r:REFERRED]->(b)
SET r.ord = event.ord,
    r.referred_at = CASE WHEN event.referred_at CONTAINS 'T' THEN localdatetime(event.referred_at) ELSE date(event.referred_at) END
// --- with extra columns only: sets the extra_<column> properties ---
WITH r, event
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'extra_'] | SET r[k] = event[k])
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'temporal:'] |
  SET r[substring(k, size('temporal:'))] = CASE WHEN event[k] CONTAINS 'T' THEN localdatetime(event[k]) ELSE date(event[k]) END)
