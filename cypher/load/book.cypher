// Upsert the :Book metadata node: as_of, table sizes, extra columns and their dtypes.
// params: $key (str, always "famgraph"), $props (map of metadata properties)
MERGE (b:Book {key: $key})
SET b += $props
