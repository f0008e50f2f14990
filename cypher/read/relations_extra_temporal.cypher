// One extra date/time column of the relations table, as ISO text (parsed back with pandas).
// params: $key (str, the property name, e.g. "extra_signed_at")
MATCH (:Person)-[n:SPOUSE|CHILD|SIBLING|GRANDCHILD|RELATIVE|KNOWS]->(:Person)
RETURN n.ord AS ord, toString(n[$key]) AS value
