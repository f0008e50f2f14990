// Upsert one batch of :Person nodes: every people column, ord = row number.
// params: $person_id, $name, $birth_date, $age, $gender, $household_id, $annual_income, $is_customer,
//   $joined_at, $channel, $role (one list per column, null = absent; dates as ISO text), $ord (row numbers),
//   $extra_keys (property names "extra_<column>"), $extra_values (one list per extra key)
UNWIND range(0, size($person_id) - 1) AS i
MERGE (p:Person {person_id: $person_id[i]})
SET p.ord = $ord[i],
    p.name = $name[i],
    p.birth_date = CASE WHEN $birth_date[i] CONTAINS 'T' THEN localdatetime($birth_date[i]) ELSE date($birth_date[i]) END,
    p.age = $age[i],
    p.gender = $gender[i],
    p.household_id = $household_id[i],
    p.annual_income = $annual_income[i],
    p.is_customer = $is_customer[i],
    p.joined_at = CASE WHEN $joined_at[i] CONTAINS 'T' THEN localdatetime($joined_at[i]) ELSE date($joined_at[i]) END,
    p.channel = $channel[i],
    p.role = $role[i]
// --- with extra columns only: sets the extra_<column> properties ---
FOREACH (j IN range(0, size($extra_keys) - 1) | SET p[$extra_keys[j]] = $extra_values[j][i])
