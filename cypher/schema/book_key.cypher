// Uniqueness constraint on :Book(key): the one metadata node of a saved book.
// params: none
CREATE CONSTRAINT famgraph_book_key IF NOT EXISTS
FOR (b:Book) REQUIRE b.key IS UNIQUE
