// The edges of the referral forest and the social ties active at as_of, by person_id, with their saved row number (ord).
// A social tie is active while since <= as_of < until (an empty end is open).
// params: $as_of (LOCAL DATETIME), $as_of_date (DATE, the date of $as_of)
MATCH (a:Person)-[r:REFERRED|KNOWS]->(b:Person)
WHERE type(r) = 'REFERRED'
   OR ((r.since IS NULL
        OR CASE WHEN r.since IS :: DATE NOT NULL THEN r.since <= $as_of_date
                ELSE r.since <= $as_of END)
       AND (r.until IS NULL
            OR CASE WHEN r.until IS :: DATE NOT NULL THEN r.until > $as_of_date
                    ELSE r.until > $as_of END))
RETURN a.person_id AS src, b.person_id AS dst, type(r) = 'REFERRED' AS referral, r.kind AS kind,
       r.ord AS ord
