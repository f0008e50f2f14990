// One extra (non-canonical) column of the holdings table: the stored property $key of every row.
// params: $key (str, the property name, e.g. "extra_segment")
MATCH (n:Holding)
RETURN n.ord AS ord, n[$key] AS value
