// Purchase behaviour of every person at as_of: frequency, recency, monetary value, active quarters.
// A holding counts for the person who pays for it: its payer (h.payer_id) when it has one, else
// the insured holder (HOLDS). Holdings count when purchased_at <= as_of; recency_days = whole
// days from the last one to as_of; active_quarters = distinct calendar quarters of purchases in
// (as_of - 365 days, as_of]. monetary adds the amounts in saved holdings order (ord), so it is
// bit-identical to numpy's sum.
// params: $as_of (LOCAL DATETIME)
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
         count(DISTINCT CASE WHEN at > $as_of - duration({days: 365})
                             THEN at.year * 4 + (at.month - 1) / 3 END) AS active_quarters
}
WITH p, frequency, monetary, active_quarters,
     CASE WHEN last IS NULL THEN null ELSE duration.inSeconds(last, $as_of) END AS gap
RETURN p.ord AS ord, p.person_id AS person_id, p.is_customer AS is_customer, frequency,
       CASE WHEN gap IS NULL THEN null
            ELSE (gap.seconds * 1000000 + gap.nanosecondsOfSecond / 1000) / 86400000000 END
         AS recency_days,
       monetary, active_quarters
