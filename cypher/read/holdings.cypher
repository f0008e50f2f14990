// Every :Holding with its owner (HOLDS) and canonical columns; dates as ISO text.
// params: none
MATCH (p:Person)-[:HOLDS]->(h:Holding)
RETURN h.ord AS ord, h.holding_id AS holding_id, p.person_id AS person_id, h.line AS line,
       toString(h.purchased_at) AS purchased_at, h.amount AS amount,
       toString(h.expires_at) AS expires_at, h.sum_assured AS sum_assured,
       h.product_id AS product_id, h.payer_id AS payer_id, h.payer_relation AS payer_relation
