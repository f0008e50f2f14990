// One extra date/time column of the people table, as ISO text (parsed back with pandas).
// params: $key (str, the property name, e.g. "extra_signed_at")
MATCH (n:Person)
RETURN n.ord AS ord, toString(n[$key]) AS value
