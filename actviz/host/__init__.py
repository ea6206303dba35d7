"""The plugin host: entry points, hooks, validation, guarded evaluation. Nothing here imports Qt."""
