// Every family (typed) and social (:KNOWS) relationship as a relations row.
// params: none
MATCH (a:Person)-[r:SPOUSE|CHILD|SIBLING|GRANDCHILD|RELATIVE|KNOWS]->(b:Person)
RETURN r.ord AS ord, a.person_id AS person_id, b.person_id AS relative_id,
       CASE type(r) WHEN 'KNOWS' THEN r.kind ELSE toLower(type(r)) END AS relation,
       toString(r.since) AS since, toString(r.until) AS until, r.source AS source
