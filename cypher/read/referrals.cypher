// Every :REFERRED relationship as a referrals row (referrer -> referee).
// params: none
MATCH (a:Person)-[r:REFERRED]->(b:Person)
RETURN r.ord AS ord, a.person_id AS referrer_id, b.person_id AS referee_id,
       toString(r.referred_at) AS referred_at
