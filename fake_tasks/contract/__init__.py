"""Response contracts: the JSON Schemas, their compiled fast check, and the live-cluster check."""
