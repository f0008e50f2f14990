// Upsert one batch of :Person nodes written by the Neo4j Connector for Apache Spark: every people column, ord = row number.
// params: none -- the connector binds each batch and runs this once per row as `event`;
//   event holds person_id, ord and the people columns (dates as ISO text), plus extra_<column>
//   properties and temporal:extra_<column> ISO texts for extra columns
MERGE (p:Person {person_id: event.person_id})
SET p.ord = event.ord,
    p.name = event.name,
    p.birth_date = CASE WHEN event.birth_date CONTAINS 'T' THEN localdatetime(event.birth_date) ELSE date(event.birth_date) END,
    p.age = event.age,
    p.gender = event.gender,
    p.household_id = event.household_id,
    p.annual_income = event.annual_income,
    p.is_customer = event.is_customer,
    p.joined_at = CASE WHEN event.joined_at CONTAINS 'T' THEN localdatetime(event.joined_at) ELSE date(event.joined_at) END,
    p.channel = event.channel,
    p.role = event.role
// --- with extra columns only: sets the extra_<column> properties ---
WITH p, event
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'extra_'] | SET p[k] = event[k])
FOREACH (k IN [x IN keys(event) WHERE x STARTS WITH 'temporal:'] |
  SET p[substring(k, size('temporal:'))] = CASE WHEN event[k] CONTAINS 'T' THEN localdatetime(event[k]) ELSE date(event[k]) END)
