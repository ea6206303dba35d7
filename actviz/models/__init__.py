"""Qt-free view state: models built from Param/Choice specs, undo history, scenes."""

from actviz.models.history import History
from actviz.models.model import Key, ModelError, ViewModel, own_params, qualified
from actviz.models.scene import SceneError, new_scene, parse_scene, read_scene, write_scene

__all__ = ["History", "Key", "ModelError", "SceneError", "ViewModel", "new_scene", "own_params", "parse_scene",
           "qualified", "read_scene", "write_scene"]
