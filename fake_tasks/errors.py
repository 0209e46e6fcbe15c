"""Elasticsearch exceptions as small classes that render the ES error body, plus the simple errors.

::

    FakeTasksError                      misuse of this library (not an ES answer)
    EsError                             an exception the fake cluster answers with
     ├── IllegalArgumentError           400 illegal_argument_exception
     │    └── ActionRequestValidationError
     ├── IllegalStateError              500 illegal_state_exception
     ├── NumberFormatError              400 number_format_exception (only as a cause)
     ├── ResourceNotFoundError          404 resource_not_found_exception
     ├── IndexNotFoundError             404 index_not_found_exception
     ├── InvalidIndexNameError          400 invalid_index_name_exception
     ├── ResourceAlreadyExistsError     400 resource_already_exists_exception
     ├── ParseError                     400 parse_exception (`ElasticsearchParseException`)
     ├── MapperParsingError             400 mapper_parsing_exception
     ├── XContentParseError             400 x_content_parse_exception
     ├── EsTimeoutError                 429 (9.x) / 500 (8.x) timeout_exception
     ├── TaskCancelledError             400 task_cancelled_exception
     ├── FailedNodeError                500 failed_node_exception
     ├── NoSuchNodeError                500 no_such_node_exception
     ├── TransportFailure               `[node][address][action] message`, per action
     │    ├── NodeDisconnectedError     502 (8.18+) node_disconnected_exception
     │    └── ReceiveTimeoutError       500 receive_timeout_transport_exception
     └── ...                            any `type`/`status` through `EsError.custom(...)`
    SimpleError                         `{"error": "<text>"}` bodies: no handler, 405, 406
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class FakeTasksError(Exception):
    """Raised when the library is used wrongly (bad scripting call, unknown task, ...)."""


class EsError(Exception):
    """An exception the fake answers with, rendered like `ElasticsearchException.toXContent`.

    Build any one by its wire type with `EsError.custom(type, reason, status)`, the order
    `Fault.error` takes too; the constructor, reason first, is for the classes below.
    """

    es_type: str = "exception"
    status: int | None = None
    java_class: str = "org.elasticsearch.ElasticsearchException"
    # False for Java exceptions that are no `ElasticsearchException` (IAE, ...): they are their
    # own root cause and stop the root-cause walk of an ES exception above them.
    is_elasticsearch: bool = True

    def __init__(
        self,
        reason: str | None,
        *,
        caused_by: EsError | None = None,
        metadata: Mapping[str, Any] | None = None,
        headers: Mapping[str, list[str]] | None = None,
        es_type: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(reason)
        if es_type is not None:
            self.es_type = es_type
            self.java_class = _NON_ES_CLASSES.get(es_type) or _java_class(es_type)
            self.is_elasticsearch = es_type not in _NON_ES_CLASSES
        if status is not None:
            self.status = status
        self.reason = reason
        self.caused_by = caused_by
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.headers: dict[str, list[str]] = dict(headers or {})
        # HTTP headers the response carries (e.g. a deprecation `Warning` the action logged)
        self.response_headers: dict[str, str] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> EsError:
        return self  # an answer: never changed once raised or stored, so copies share it

    @staticmethod
    def custom(
        es_type: str,
        reason: str | None,
        status: int = 500,
        *,
        caused_by: EsError | None = None,
        metadata: Mapping[str, Any] | None = None,
        headers: Mapping[str, list[str]] | None = None,
    ) -> EsError:
        """Any ES exception by its wire `type`: `custom("cluster_block_exception", ..., 503)`."""
        return EsError(
            reason,
            caused_by=caused_by,
            metadata=metadata,
            headers=headers,
            es_type=es_type,
            status=status,
        )

    def http_status(self) -> int:
        """`ExceptionsHelper.status`: own status, else the cause's, else 500."""
        if self.status is not None:
            return self.status
        if self.caused_by is not None:
            return self.caused_by.http_status()
        return 500

    def chain(self) -> Iterator[EsError]:
        error: EsError | None = self
        while error is not None:
            yield error
            error = error.caused_by

    def root_causes(self) -> list[EsError]:
        """`guessRootCauses`: the innermost ES exception of an unbroken chain of ES exceptions."""
        if not self.is_elasticsearch:
            return [self]
        error = self
        while error.caused_by is not None and error.caused_by.is_elasticsearch:
            error = error.caused_by
        return [error]

    def to_dict(self, *, stack_trace: bool = False, skip_cause: bool = False) -> dict[str, Any]:
        """The exception object: type, reason, metadata, caused_by, header, stack_trace."""
        out: dict[str, Any] = {"type": self.es_type, "reason": self.reason}
        out.update(self.metadata)
        if self.caused_by is not None and not skip_cause:
            out["caused_by"] = self.caused_by.to_dict(stack_trace=stack_trace)
        if self.headers:
            out["header"] = {k: v[0] if len(v) == 1 else list(v) for k, v in self.headers.items()}
        if stack_trace:
            trace = self.stack_trace()
            if skip_cause and not self.is_elasticsearch:
                # a root cause that is no ES exception is rendered through an anonymous wrapper
                trace = (
                    f"org.elasticsearch.ElasticsearchException$1: {self.reason}"
                    + trace[trace.index("\n") :]
                )
            out["stack_trace"] = trace
        return out

    def body(self, *, stack_trace: bool = False) -> dict[str, Any]:
        """The whole error response body, `{"error": {...}, "status": N}`."""
        error: dict[str, Any] = {
            "root_cause": [
                cause.to_dict(stack_trace=stack_trace, skip_cause=True)
                for cause in self.root_causes()
            ]
        }
        error.update(self.to_dict(stack_trace=stack_trace))
        return {"error": error, "status": self.http_status()}

    def stack_trace(self) -> str:
        """A Java-style trace (`printStackTrace` text); frames are representative, not real."""
        lines: list[str] = []
        for depth, error in enumerate(self.chain()):
            head = f"{error.java_class}: {error.reason}"
            lines.append(head if depth == 0 else f"Caused by: {head}")
            lines.extend(f"\tat {frame}" for frame in _FRAMES)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason!r}, status={self.http_status()})"


class IllegalArgumentError(EsError):
    es_type = "illegal_argument_exception"
    status = 400
    java_class = "java.lang.IllegalArgumentException"
    is_elasticsearch = False


class ActionRequestValidationError(IllegalArgumentError):
    es_type = "action_request_validation_exception"
    java_class = "org.elasticsearch.action.ActionRequestValidationException"

    def __init__(self, *problems: str) -> None:
        numbered = "".join(f"{i}: {p};" for i, p in enumerate(problems, start=1))
        super().__init__(f"Validation Failed: {numbered}")


class IllegalStateError(EsError):
    es_type = "illegal_state_exception"
    status = 500
    java_class = "java.lang.IllegalStateException"
    is_elasticsearch = False


class NumberFormatError(IllegalArgumentError):
    es_type = "number_format_exception"
    java_class = "java.lang.NumberFormatException"


class ResourceNotFoundError(EsError):
    es_type = "resource_not_found_exception"
    status = 404
    java_class = "org.elasticsearch.ResourceNotFoundException"


class IndexNotFoundError(EsError):
    es_type = "index_not_found_exception"
    status = 404
    java_class = "org.elasticsearch.index.IndexNotFoundException"

    def __init__(self, index: str, resource_type: str = "index_expression") -> None:
        super().__init__(
            f"no such index [{index}]",
            metadata={
                "resource.type": resource_type,
                "resource.id": index,
                "index_uuid": "_na_",
                "index": index,
            },
        )


class InvalidIndexNameError(EsError):
    """`InvalidIndexNameException`: `Invalid index name [name], <why>`."""

    es_type = "invalid_index_name_exception"
    status = 400
    java_class = "org.elasticsearch.indices.InvalidIndexNameException"

    def __init__(self, index: str, why: str) -> None:
        super().__init__(
            f"Invalid index name [{index}], {why}", metadata={"index_uuid": "_na_", "index": index}
        )


class ResourceAlreadyExistsError(EsError):
    """`ResourceAlreadyExistsException(Index)`: `index [name/uuid] already exists`."""

    es_type = "resource_already_exists_exception"
    status = 400
    java_class = "org.elasticsearch.ResourceAlreadyExistsException"

    def __init__(self, index: str, uuid: str) -> None:
        super().__init__(
            f"index [{index}/{uuid}] already exists", metadata={"index_uuid": uuid, "index": index}
        )


class ParseError(EsError):
    """`ElasticsearchParseException`: 400 `parse_exception`."""

    es_type = "parse_exception"
    status = 400
    java_class = "org.elasticsearch.ElasticsearchParseException"


class MapperParsingError(EsError):
    es_type = "mapper_parsing_exception"
    status = 400
    java_class = "org.elasticsearch.index.mapper.MapperParsingException"


class XContentParseError(IllegalArgumentError):
    """`XContentParseException`: `[line:column] message` (no location: the message alone)."""

    es_type = "x_content_parse_exception"
    java_class = "org.elasticsearch.xcontent.XContentParseException"

    def __init__(
        self,
        message: str,
        location: tuple[int, int] | None = None,
        *,
        caused_by: EsError | None = None,
    ) -> None:
        where = f"[{location[0]}:{location[1]}] " if location is not None else ""
        super().__init__(f"{where}{message}", caused_by=caused_by)
        self.location = location


class EsTimeoutError(EsError):
    """`ElasticsearchTimeoutException`: 429 since 9.0 (PR #116026), 500 before."""

    es_type = "timeout_exception"  # getExceptionName drops the "Elasticsearch" prefix
    status = 429
    java_class = "org.elasticsearch.ElasticsearchTimeoutException"


class TaskCancelledError(EsError):
    es_type = "task_cancelled_exception"
    status = 400
    java_class = "org.elasticsearch.tasks.TaskCancelledException"


class FailedNodeError(EsError):
    es_type = "failed_node_exception"
    java_class = "org.elasticsearch.action.FailedNodeException"

    def __init__(self, node_id: str, cause: EsError) -> None:
        super().__init__(f"Failed node [{node_id}]", caused_by=cause, metadata={"node_id": node_id})
        self.node_id = node_id


class NoSuchNodeError(EsError):
    es_type = "no_such_node_exception"
    java_class = "org.elasticsearch.action.NoSuchNodeException"

    def __init__(self, node_id: str) -> None:
        super().__init__(f"No such node [{node_id}]", metadata={"node_id": node_id})


class TransportFailure(EsError):
    """`ActionTransportException`: `[node][ip:port][action] message`, remade per action."""

    def __init__(
        self, node_name: str, address: str, action: str, message: str, *, status: int = 500
    ) -> None:
        super().__init__(f"[{node_name}][{address}][{action}] {message}")
        self.status = status
        self.node_name = node_name
        self.address = address
        self.action = action
        self.message = message

    def for_action(self, action: str) -> TransportFailure:
        """The same failure as a request for `action` would see it."""
        return type(self)(
            self.node_name, self.address, action, self.message, status=self.http_status()
        )


class NodeDisconnectedError(TransportFailure):
    """`NodeDisconnectedException`: a `ConnectTransportException`, 502 since 8.18 (PR #118681)."""

    es_type = "node_disconnected_exception"
    java_class = "org.elasticsearch.transport.NodeDisconnectedException"


class ReceiveTimeoutError(TransportFailure):
    """`ReceiveTimeoutTransportException`: no answer from the node within the request timeout."""

    es_type = "receive_timeout_transport_exception"
    java_class = "org.elasticsearch.transport.ReceiveTimeoutTransportException"


class SimpleError(Exception):
    """Errors ES renders as `{"error": "<text>"}` (with `"status"` unless `with_status` is off)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        with_status: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.with_status = with_status
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        if self.with_status:
            return {"error": self.message, "status": self.status}
        return {"error": self.message}


# Wire types of exceptions that are not `ElasticsearchException`s, with their Java class.
_NON_ES_CLASSES = {
    "illegal_argument_exception": "java.lang.IllegalArgumentException",
    "illegal_state_exception": "java.lang.IllegalStateException",
    "number_format_exception": "java.lang.NumberFormatException",
    "null_pointer_exception": "java.lang.NullPointerException",
    "unsupported_operation_exception": "java.lang.UnsupportedOperationException",
    "runtime_exception": "java.lang.RuntimeException",
    "date_time_exception": "java.time.DateTimeException",
    "zone_rules_exception": "java.time.zone.ZoneRulesException",
    "json_parse_exception": "com.fasterxml.jackson.core.JsonParseException",
    "x_content_parse_exception": "org.elasticsearch.xcontent.XContentParseException",
    "media_type_header_exception": "org.elasticsearch.rest.RestRequest$MediaTypeHeaderException",
    "too_long_http_line_exception": "io.netty.handler.codec.http.TooLongHttpLineException",
    "too_long_http_header_exception": "io.netty.handler.codec.http.TooLongHttpHeaderException",
}


def _class_name(es_type: str) -> str:
    return "".join(part.capitalize() for part in es_type.split("_")) or "Exception"


def _java_class(es_type: str) -> str:
    simple = _class_name(es_type.removeprefix("elasticsearch_"))
    return f"org.elasticsearch.{simple}"


_FRAMES = (
    "org.elasticsearch.server@9.1.0/org.elasticsearch.tasks.TaskManager.lambda$0(TaskManager.java:0)",
    "org.elasticsearch.server@9.1.0/org.elasticsearch.action.ActionListener.onFailure"
    "(ActionListener.java:0)",
    "java.base/java.lang.Thread.run(Thread.java:1583)",
)
