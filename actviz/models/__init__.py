"""Qt-free view state: models built from Param/Choice specs, undo history, scenes."""
