// Index on :Person(household): the household famgraph's analyses place each person in (written by save_results).
// params: none
CREATE INDEX famgraph_person_household IF NOT EXISTS
FOR (p:Person) ON (p.household)
