// Upsert one batch of :Person nodes (every people column, ord = row number) and MEMBER_OF their given :Household.
// params: $person_id, $name, $birth_date, $age, $gender, $household_id, $annual_income, $is_customer,
//   $joined_at, $channel, $role (one list per column, null = absent), $ord (row numbers),
//   $extra_keys (property names "extra_<column>"), $extra_values (one list per extra key)
UNWIND range(0, size($person_id) - 1) AS i
MERGE (p:Person {person_id: $person_id[i]})
SET p.ord = $ord[i],
    p.name = $name[i],
    p.birth_date = $birth_date[i],
    p.age = $age[i],
    p.gender = $gender[i],
    p.household_id = $household_id[i],
    p.annual_income = $annual_income[i],
    p.is_customer = $is_customer[i],
    p.joined_at = $joined_at[i],
    p.channel = $channel[i],
    p.role = $role[i]
FOREACH (j IN range(0, size($extra_keys) - 1) | SET p[$extra_keys[j]] = $extra_values[j][i])
WITH p, $household_id[i] AS household_id
WHERE household_id IS NOT NULL
MERGE (h:Household {household_id: household_id})
MERGE (p)-[:MEMBER_OF]->(h)
