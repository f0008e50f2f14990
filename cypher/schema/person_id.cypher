// Uniqueness constraint on :Person(person_id): the key every load statement MERGEs on.
// params: none
CREATE CONSTRAINT famgraph_person_id IF NOT EXISTS
FOR (p:Person) REQUIRE p.person_id IS UNIQUE
