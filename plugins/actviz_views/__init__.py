"""The built-in views, registered through ``actviz_views`` like any third party's."""
