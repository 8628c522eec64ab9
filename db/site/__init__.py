"""Publishing: the Datasette site (metadata, canned queries, dashboards, templates, plugins), how
it is served, and the open-data release (``stancemap publish``).

- ``metadata.py``: ``metadata.yaml`` + ``dashboards.yaml`` rendered for one database file
- ``serving.py``: public-instance settings, the ``datasette serve`` command, a test server
- ``export.py``: the published folder (database copy, CSVs, data package, Atom feeds)
- ``datapackage.py``: the Frictionless descriptor
- ``templates/``, ``plugins/``: article pages, evidence in context, feeds, links
"""

from __future__ import annotations

from db.site.export import publish
from db.site.metadata import (
    MetadataError,
    PublishError,
    database_name,
    metadata_for,
    write_metadata,
)
from db.site.serving import (
    PLUGINS,
    SETTINGS,
    SITE,
    TEMPLATES,
    DatasetteServer,
    datasette_args,
    datasette_command,
)

__all__ = [
    "PLUGINS",
    "SETTINGS",
    "SITE",
    "TEMPLATES",
    "DatasetteServer",
    "MetadataError",
    "PublishError",
    "database_name",
    "datasette_args",
    "datasette_command",
    "metadata_for",
    "publish",
    "write_metadata",
]
