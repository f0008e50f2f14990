// Index on :Holding(payer_id): the buyer-side figures look up the holdings a person pays for.
// params: none
CREATE INDEX famgraph_holding_payer_id IF NOT EXISTS
FOR (h:Holding) ON (h.payer_id)
