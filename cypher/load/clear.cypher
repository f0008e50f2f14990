// Delete one batch of famgraph nodes (and their relationships); run until it deletes 0.
// params: $limit (int, nodes per transaction)
MATCH (n)
WHERE n:Person OR n:Household OR n:Holding OR n:Book
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
