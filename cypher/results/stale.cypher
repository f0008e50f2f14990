// How many :Person and :Household nodes hold results of another write than $results_token (stale).
// params: $results_token (str)
CALL () {
  MATCH (p:Person) WHERE p.results_token IS NOT NULL AND p.results_token <> $results_token
  RETURN count(p) AS persons
}
CALL () {
  MATCH (h:Household) WHERE h.results_token IS NOT NULL AND h.results_token <> $results_token
  RETURN count(h) AS households
}
RETURN persons, households
