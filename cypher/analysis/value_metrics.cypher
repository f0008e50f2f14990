// Purchase behaviour of every person at as_of: frequency, recency, monetary value, active quarters.
// A holding counts for the person who pays for it: its payer (h.payer_id) when it has one, else
// the insured holder (HOLDS). Holdings count when purchased_at <= as_of; recency_days = whole
// days from the last one to as_of; active_quarters = distinct calendar quarters of purchases in
// (as_of - $window_days days, as_of]. monetary adds the amounts in saved holdings order (ord), so
// it is bit-identical to numpy's sum.
// params: $as_of (LOCAL DATETIME), $window_days (int)
MATCH (p:Person)
CALL (p) {
  CALL (p) {
    MATCH (p)-[:HOLDS]->(h:Holding)
    WHERE h.payer_id IS NULL
    RETURN h
    UNION ALL
    MATCH (h:Holding {payer_id: p.person_id})
    RETURN h
  }
  WITH h, CASE WHEN h.purchased_at IS :: DATE NOT NULL THEN localdatetime({date: h.purchased_at})
               ELSE h.purchased_at END AS at
  WHERE at <= $as_of
  WITH h, at ORDER BY h.ord
  RETURN count(h) AS frequency, max(at) AS last,
         reduce(s = 0.0, x IN collect(h.amount) | s + x) AS monetary,
         count(DISTINCT CASE WHEN at > $as_of - duration({days: $window_days})
                             THEN date.truncate('quarter', at) END) AS active_quarters
}
RETURN p.ord AS ord, p.person_id AS person_id, p.is_customer AS is_customer, frequency,
       CASE WHEN last IS NULL THEN null ELSE duration.inDays(last, $as_of).days END
         AS recency_days,
       monetary, active_quarters
