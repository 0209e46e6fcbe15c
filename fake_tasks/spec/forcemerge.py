"""`POST /_forcemerge` and `POST /{index}/_forcemerge`."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Param

__all__ = ["APIS", "DEVIATIONS"]

APIS: Final = (
    # RestForceMergeAction.prepareRequest
    ApiSpec(
        "indices.forcemerge",
        (("POST", "/_forcemerge"), ("POST", "/{index}/_forcemerge")),
        (
            Param("index", "list", in_path=True),
            Param("expand_wildcards", "list"),
            Param("ignore_unavailable", "boolean", default="false"),
            Param("allow_no_indices", "boolean", default="true"),
            Param("max_num_segments", "int", default="-1"),
            Param("only_expunge_deletes", "boolean", default="false"),
            Param("flush", "boolean", default="true"),
            Param("wait_for_completion", "boolean", default="true"),
        ),
    ),
)

DEVIATIONS: Final = ()
