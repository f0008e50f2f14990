// One extra (non-canonical) column of the referrals table: the stored property $key of every row.
// params: $key (str, the property name, e.g. "extra_segment")
MATCH ()-[n:REFERRED]->()
RETURN n.ord AS ord, n[$key] AS value
