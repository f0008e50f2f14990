// Uniqueness constraint on :Holding(holding_id).
// params: none
CREATE CONSTRAINT famgraph_holding_id IF NOT EXISTS
FOR (h:Holding) REQUIRE h.holding_id IS UNIQUE
