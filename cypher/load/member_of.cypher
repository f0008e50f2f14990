// Upsert one batch of (:Person)-[:MEMBER_OF]->(:Household) for people with a given household_id.
// params: $person_id, $household_id (one list per column, same length)
UNWIND range(0, size($person_id) - 1) AS i
MATCH (p:Person {person_id: $person_id[i]})
MATCH (h:Household {household_id: $household_id[i]})
MERGE (p)-[:MEMBER_OF]->(h)
