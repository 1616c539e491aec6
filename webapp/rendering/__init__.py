"""DOCX generation without Flask or a database: default GOST templates, the sandbox, upload checks."""
