"""Processed tables: schemas, one loader per source, reference tables, the table build."""
