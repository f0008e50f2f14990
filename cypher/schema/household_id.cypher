// Uniqueness constraint on :Household(household_id).
// params: none
CREATE CONSTRAINT famgraph_household_id IF NOT EXISTS
FOR (h:Household) REQUIRE h.household_id IS UNIQUE
