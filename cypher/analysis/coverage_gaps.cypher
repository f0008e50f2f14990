// Coverage gaps: for every person the plan requires cover of (by their role at as_of), the required lines no running holding covers.
// Age in whole years at $as_of from birth_date (else the age property); role from the role
// property, else from age and income: younger than $child_age a child, $elder_age or older an
// elder, no income a dependent, else an earner, 'unknown' without an age. A holding covers while
// purchased_at <= as_of and (no expires_at or expires_at > as_of). For persons with a gap, the
// household: the given household_id, else "H:" + the smallest person_id reachable over household
// edges (SPOUSE, and CHILD to a child younger than $minor_age, active at as_of: since <= as_of <
// until, an empty end open) among persons without one.
// One row per person whose role the plan names (gaps may be empty: the caller sees which roles
// occur); gaps is a list of {line, priority} maps.
// params: $as_of (LOCAL DATETIME), $as_of_date (DATE, the date of $as_of), $minor_age (int),
//   $child_age (int), $elder_age (int), $plan (list of maps {role, line, priority})
MATCH (p:Person)
WITH p,
     CASE WHEN p.birth_date IS NULL THEN p.age
          ELSE $as_of.year - p.birth_date.year
               - CASE WHEN p.birth_date.month > $as_of.month
                        OR (p.birth_date.month = $as_of.month AND p.birth_date.day > $as_of.day)
                      THEN 1 ELSE 0 END
     END AS raw_age
WITH p, CASE WHEN raw_age < 0 THEN null ELSE raw_age END AS age
WITH p, coalesce(p.role,
                 CASE WHEN age IS NULL THEN 'unknown'
                      WHEN age < $child_age THEN 'child'
                      WHEN age >= $elder_age THEN 'elder'
                      WHEN p.annual_income = 0 THEN 'dependent'
                      ELSE 'earner' END) AS role
WITH p, role, [x IN $plan WHERE x.role = role] AS needs
WHERE size(needs) > 0
WITH p, role, needs,
     COLLECT {
       MATCH (p)-[:HOLDS]->(h:Holding)
       WHERE (CASE WHEN h.purchased_at IS :: DATE NOT NULL THEN h.purchased_at <= $as_of_date
                   ELSE h.purchased_at <= $as_of END)
         AND (h.expires_at IS NULL
              OR CASE WHEN h.expires_at IS :: DATE NOT NULL THEN h.expires_at > $as_of_date
                      ELSE h.expires_at > $as_of END)
       RETURN DISTINCT h.line
     } AS covered
WITH p, role, [x IN needs WHERE NOT x.line IN covered | {line: x.line, priority: x.priority}] AS gaps
RETURN CASE WHEN size(gaps) = 0 THEN null
            WHEN p.household_id IS NOT NULL THEN p.household_id
            ELSE 'H:' + COLLECT {
              MATCH ANY SHORTEST (p)((a:Person)-[r:SPOUSE|CHILD]-(b:Person)
                        WHERE a.household_id IS NULL AND b.household_id IS NULL
                          AND (r.since IS NULL
                               OR CASE WHEN r.since IS :: DATE NOT NULL THEN r.since <= $as_of_date
                                       ELSE r.since <= $as_of END)
                          AND (r.until IS NULL
                               OR CASE WHEN r.until IS :: DATE NOT NULL THEN r.until > $as_of_date
                                       ELSE r.until > $as_of END)
                          AND (type(r) = 'SPOUSE'
                               OR 0 <= (CASE WHEN endNode(r).birth_date IS NULL THEN endNode(r).age
                                             ELSE $as_of.year - endNode(r).birth_date.year
                                                  - CASE WHEN endNode(r).birth_date.month > $as_of.month
                                                           OR (endNode(r).birth_date.month = $as_of.month
                                                               AND endNode(r).birth_date.day > $as_of.day)
                                                         THEN 1 ELSE 0 END
                                        END) < $minor_age))*(q:Person)
              RETURN q.person_id AS id ORDER BY id LIMIT 1
            }[0]
       END AS household_id,
       p.person_id AS person_id, role, p.is_customer AS is_customer, gaps
