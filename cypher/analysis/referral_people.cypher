// Referral position of every person: referrer, root of their referral tree, generation, direct and converted referrals.
// params: none
MATCH (p:Person)
OPTIONAL MATCH (r:Person)-[:REFERRED]->(p)
CALL (p) {
  MATCH path = (p)<-[:REFERRED]-*(top:Person)
  WHERE NOT EXISTS { (:Person)-[:REFERRED]->(top) }
  RETURN top.person_id AS root_id, length(path) AS generation
}
RETURN p.ord AS ord, p.person_id AS person_id, r.person_id AS referred_by, root_id, generation,
       COUNT { (p)-[:REFERRED]->(:Person) } AS direct_referrals,
       COUNT { (p)-[:REFERRED]->(c:Person) WHERE c.is_customer } AS converted_referrals
