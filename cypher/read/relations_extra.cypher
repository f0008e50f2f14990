// One extra (non-canonical) column of the relations table: the stored property $key of every row.
// params: $key (str, the property name, e.g. "extra_segment")
MATCH (:Person)-[n:SPOUSE|CHILD|SIBLING|GRANDCHILD|RELATIVE|KNOWS]->(:Person)
RETURN n.ord AS ord, n[$key] AS value
