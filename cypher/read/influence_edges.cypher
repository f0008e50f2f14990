// The edges of the referral forest and the social ties, by person_id, with their saved row number (ord).
// params: none
MATCH (a:Person)-[r:REFERRED|KNOWS]->(b:Person)
RETURN a.person_id AS src, b.person_id AS dst, type(r) = 'REFERRED' AS referral, r.kind AS kind,
       r.ord AS ord
