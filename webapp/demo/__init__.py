"""Demo data: the five sample documents, the bodies they name and one user per role."""
