"""The diagram and its combinatorics: canonical form, enumeration, schedules and embedding counts."""
