// Every :Person with its canonical columns; dates as ISO text; ord = row number at save time.
// params: none
MATCH (p:Person)
RETURN p.ord AS ord, p.person_id AS person_id, p.name AS name,
       toString(p.birth_date) AS birth_date, p.age AS age, p.gender AS gender,
       p.household_id AS household_id, p.annual_income AS annual_income,
       p.is_customer AS is_customer, toString(p.joined_at) AS joined_at,
       p.channel AS channel, p.role AS role
