// Upsert one batch of :Household nodes written by the Neo4j Connector for Apache Spark: the distinct given household_id values.
// params: none -- the connector runs this once per row as `event` (event.household_id)
MERGE (:Household {household_id: event.household_id})
