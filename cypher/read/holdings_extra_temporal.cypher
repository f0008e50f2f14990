// One extra date/time column of the holdings table, as ISO text (parsed back with pandas).
// params: $key (str, the property name, e.g. "extra_signed_at")
MATCH (n:Holding)
RETURN n.ord AS ord, toString(n[$key]) AS value
