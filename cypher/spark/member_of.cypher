// Upsert one batch of (:Person)-[:MEMBER_OF]->(:Household) written by the Neo4j Connector for Apache Spark.
// params: none -- the connector runs this once per row as `event` (event.person_id, event.household_id)
MATCH (p:Person {person_id: event.person_id})
MATCH (h:Household {household_id: event.household_id})
MERGE (p)-[:MEMBER_OF]->(h)
