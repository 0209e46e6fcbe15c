"""The control API under `/_fake_tasks`: the scripting calls over HTTP (docs/control-api.md)."""
