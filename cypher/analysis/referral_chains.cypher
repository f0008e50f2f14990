// Referral chains: cascade size, depth and chain value of every person with referees.
// chain value = sum over descendants d of $decay^(dist - 1) * value(d), dist <= $max_depth when not null;
// value(d) = $values[d.person_id] (0 when absent) when $values is given, else the sum of amount of
// the holdings d pays for (h.payer_id = d, or held by d without a payer) with purchased_at <= as_of.
// params: $as_of (LOCAL DATETIME), $as_of_date (DATE), $decay (float), $max_depth (int or null),
//   $values (map person_id -> float, or null)
MATCH (d:Person)
WHERE EXISTS { (:Person)-[:REFERRED]->(d) }
CALL (d) {
  CALL (d) {
    MATCH (d)-[:HOLDS]->(h:Holding)
    WHERE h.payer_id IS NULL
    RETURN h
    UNION ALL
    MATCH (h:Holding {payer_id: d.person_id})
    RETURN h
  }
  WITH h
  WHERE $values IS NULL
    AND CASE WHEN h.purchased_at IS :: DATE NOT NULL THEN h.purchased_at <= $as_of_date
             ELSE h.purchased_at <= $as_of END
  RETURN coalesce(sum(h.amount), 0.0) AS held
}
WITH d, CASE WHEN $values IS NULL THEN held ELSE coalesce($values[d.person_id], 0.0) END AS value
MATCH path = (a:Person)-[:REFERRED]->+(d)
WITH a, length(path) AS dist, value
RETURN a.person_id AS person_id, count(*) AS cascade_size, max(dist) AS depth,
       sum(CASE WHEN $max_depth IS NULL OR dist <= $max_depth
                THEN $decay ^ (dist - 1) * value ELSE 0.0 END) AS chain_value
