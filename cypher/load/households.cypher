// Upsert one batch of :Household nodes: the distinct household_id values of the people table.
// params: $household_id (list of distinct ids)
UNWIND $household_id AS household_id
MERGE (:Household {household_id: household_id})
