// The uniqueness constraints of the database, to check that ensure_schema took effect.
// params: none
SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties
RETURN name, type, entityType, labelsOrTypes, properties
