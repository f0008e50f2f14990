// Node and relationship counts per famgraph label / type (used by tests and the CLI).
// params: none
CALL () {
  MATCH (n:Person) RETURN 'Person' AS what, count(n) AS n
  UNION ALL MATCH (n:Household) RETURN 'Household' AS what, count(n) AS n
  UNION ALL MATCH (n:Holding) RETURN 'Holding' AS what, count(n) AS n
  UNION ALL MATCH (n:Book) RETURN 'Book' AS what, count(n) AS n
  UNION ALL MATCH ()-[r:SPOUSE]->() RETURN 'SPOUSE' AS what, count(r) AS n
  UNION ALL MATCH ()-[r:CHILD]->() RETURN 'CHILD' AS what, count(r) AS n
  UNION ALL MATCH ()-[r:SIBLING]->() RETURN 'SIBLING' AS what, count(r) AS n
  UNION ALL MATCH ()-[r:GRANDCHILD]->() RETURN 'GRANDCHILD' AS what, count(r) AS n
  UNION ALL MATCH ()-[r:RELATIVE]->() RETURN 'RELATIVE' AS what, count(r) AS n
  UNION ALL MATCH ()-[r:KNOWS]->() RETURN 'KNOWS' AS what, count(r) AS n
  UNION ALL MATCH ()-[r:REFERRED]->() RETURN 'REFERRED' AS what, count(r) AS n
  UNION ALL MATCH ()-[r:MEMBER_OF]->() RETURN 'MEMBER_OF' AS what, count(r) AS n
  UNION ALL MATCH ()-[r:HOLDS]->() RETURN 'HOLDS' AS what, count(r) AS n
}
RETURN what, n
