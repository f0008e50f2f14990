// The :Book metadata node of the saved book (none when nothing was saved).
// params: $key (str, always "famgraph")
MATCH (b:Book {key: $key})
RETURN properties(b) AS book
