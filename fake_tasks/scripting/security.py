"""Security emulation: users, roles, API keys and tokens; who a request is and what it may do.

Off unless configured (`Settings(security=True)`, the marker's `security=`, or
`fake_tasks.security.enable()`). Authentication failures and denials are the server's
`security_exception`s, worded per emulated version (`AuthenticationService`,
`DefaultAuthenticationFailureHandler`, `AuthorizationDenialMessages`).
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from fake_tasks.errors import EsError, FakeTasksError, IllegalArgumentError
from fake_tasks.scripting import privileges
from fake_tasks.versions import EsVersion

__all__ = ["ApiKey", "IndexGrant", "Role", "Security", "SecurityError", "Subject", "User"]

_ANONYMOUS_NOT_ALLOWED = (
    "unable to authenticate with provided credentials and anonymous access is not allowed "
    "for this request"
)


class SecurityError(EsError):
    """`ElasticsearchSecurityException`: a 401 (who are you?) or a 403 (not allowed)."""

    es_type = "security_exception"
    java_class = "org.elasticsearch.ElasticsearchSecurityException"


@dataclass(frozen=True)
class IndexGrant:
    """Index privileges on index name patterns (`{"names": [...], "privileges": [...]}`)."""

    names: tuple[str, ...]
    privileges: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    """A role: cluster privileges (names or raw `cluster:` actions) and index grants."""

    name: str
    cluster: tuple[str, ...] = ()
    indices: tuple[IndexGrant, ...] = ()

    def grants(self, action: str) -> bool:
        if privileges.is_cluster_action(action):
            return privileges.cluster_grants(self.cluster, action)
        return any(privileges.index_grants(g.privileges, action) for g in self.indices)


SUPERUSER = Role("superuser", ("all",), (IndexGrant(("*",), ("all",)),))


@dataclass
class User:
    """A native-realm user (or the built-in `elastic` superuser, reserved realm)."""

    username: str
    password: str
    roles: tuple[str, ...] = ()
    full_name: str | None = None
    email: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    realm: tuple[str, str] = ("default_native", "native")


@dataclass
class ApiKey:
    """An API key owned by a user; `role_descriptors` limit it further (None: the owner's)."""

    id: str
    name: str
    secret: str
    owner: str
    role_descriptors: tuple[Role, ...] | None = None
    expired: bool = False

    @property
    def encoded(self) -> str:
        """The `Authorization: ApiKey <encoded>` credential (base64 of `id:api_key`)."""
        return base64.b64encode(f"{self.id}:{self.secret}".encode()).decode("ascii")


@dataclass(frozen=True)
class Subject:
    """Who a request authenticated as, and how (`realm`, `api_key`, `token`)."""

    user: User
    authentication_type: str
    api_key: ApiKey | None = None


class Security:
    """The security configuration of one fake cluster: off until `enable()`d."""

    def __init__(self, *, enabled: bool = False) -> None:
        self.enabled = enabled
        self.roles: dict[str, Role] = {"superuser": SUPERUSER}
        self.users: dict[str, User] = {}
        self.api_keys: dict[str, ApiKey] = {}
        self.tokens: dict[str, str] = {}
        self._counter = 0

    @classmethod
    def default(cls) -> Security:
        """Security on, with the built-in `elastic` superuser (password `changeme`)."""
        security = cls(enabled=True)
        security.users["elastic"] = User(
            "elastic", "changeme", ("superuser",), realm=("reserved", "reserved")
        )
        return security

    def copy(self) -> Security:
        return copy.deepcopy(self)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Security:
        """Security from plain data (a scenario file, the control API), all keys optional::

            {"builtin_users": true,
             "roles": {"reader": {"cluster": ["monitor"], "indices": [...]}},
             "users": {"alice": {"password": "pw", "roles": ["reader"]}},
             "api_keys": [{"name": "ci", "user": "alice", "role_descriptors": {...}}]}

        `builtin_users` (default true) adds the `elastic` superuser. Unknown keys are refused.
        """
        unknown = sorted(set(config) - {"builtin_users", "roles", "users", "api_keys"})
        if unknown:
            raise FakeTasksError(f"unknown security settings {unknown}")
        security = cls.default() if config.get("builtin_users", True) else cls(enabled=True)
        for name, role in dict(config.get("roles", {})).items():
            security.add_role(name, role.get("cluster", ()), role.get("indices", ()))
        for username, user in dict(config.get("users", {})).items():
            options = {k: v for k, v in user.items() if k not in ("password", "roles")}
            security.add_user(username, user["password"], user.get("roles", ()), **options)
        for key in config.get("api_keys", ()):
            security.add_api_key(
                key["name"], key["user"], role_descriptors=key.get("role_descriptors")
            )
        return security

    def enable(self) -> Security:
        self.enabled = True
        return self

    # -- configuration -------------------------------------------------------------------------

    def add_role(
        self,
        name: str,
        cluster: Iterable[str] = (),
        indices: Iterable[Mapping[str, Iterable[str]] | IndexGrant] = (),
    ) -> Role:
        """A role with cluster privileges (`"monitor"`, `"cancel_task"`, `"cluster:..."`)."""
        grants = tuple(
            g
            if isinstance(g, IndexGrant)
            else IndexGrant(tuple(g["names"]), tuple(g["privileges"]))
            for g in indices
        )
        role = Role(name, tuple(cluster), grants)
        privileges.check_names(role.cluster, "cluster")
        for grant in grants:
            privileges.check_names(grant.privileges, "index")
        self.roles[name] = role
        return role

    def add_user(
        self,
        username: str,
        password: str,
        roles: Sequence[str] = (),
        *,
        full_name: str | None = None,
        email: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        enabled: bool = True,
    ) -> User:
        """A native-realm user; roles may name roles that do not exist (as in Elasticsearch)."""
        user = User(
            username, password, tuple(roles), full_name, email, dict(metadata or {}), enabled
        )
        self.users[username] = user
        self.enabled = True
        return user

    def add_api_key(
        self,
        name: str,
        user: str,
        *,
        role_descriptors: Mapping[str, Mapping[str, Any]] | None = None,
        expired: bool = False,
    ) -> ApiKey:
        """An API key of `user`, limited by `role_descriptors` ({name: {"cluster": [...]}})."""
        if user not in self.users:
            raise FakeTasksError(f"no user {user!r}; add_user() first")
        descriptors = None
        if role_descriptors is not None:
            descriptors = tuple(
                Role(
                    role_name,
                    tuple(spec.get("cluster", ())),
                    tuple(
                        IndexGrant(tuple(g["names"]), tuple(g["privileges"]))
                        for g in spec.get("indices", ())
                    ),
                )
                for role_name, spec in role_descriptors.items()
            )
        key = ApiKey(self._token(20), name, self._token(22), user, descriptors, expired)
        self.api_keys[key.id] = key
        self.enabled = True
        return key

    def add_token(self, user: str) -> str:
        """A bearer access token for `user` (`Authorization: Bearer <token>`)."""
        if user not in self.users:
            raise FakeTasksError(f"no user {user!r}; add_user() first")
        token = self._token(40)
        self.tokens[token] = user
        self.enabled = True
        return token

    def _token(self, length: int) -> str:
        self._counter += 1
        digest = hashlib.sha256(f"fake-tasks-credential-{self._counter}".encode()).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:length]

    # -- authentication ------------------------------------------------------------------------

    def authenticate(self, authorization: str | None, uri: str, version: EsVersion) -> Subject:
        """The subject of a request's `Authorization` header, or a 401 `security_exception`."""
        scheme, _, credential = (authorization or "").strip().partition(" ")
        scheme, credential = scheme.lower(), credential.strip()
        if scheme == "basic" and credential:
            return self._basic(credential, uri, version)
        if scheme == "apikey" and credential:
            return self._api_key(credential, version)
        if scheme == "bearer" and credential:
            username = self.tokens.get(credential)
            if username is None or username not in self.users:
                raise _unauthenticated(_ANONYMOUS_NOT_ALLOWED, version)
            return Subject(self.users[username], "token")
        raise _unauthenticated(
            f"missing authentication credentials for REST request [{uri}]", version
        )

    def _basic(self, credential: str, uri: str, version: EsVersion) -> Subject:
        try:
            raw = _java_base64_decode(credential)
        except IllegalArgumentError as error:  # kept as the 401's cause
            raise _unauthenticated(
                "invalid basic authentication header encoding", version, caused_by=error
            ) from None
        # `CharArrays.utf8BytesToChars` replaces malformed UTF-8 instead of failing
        decoded = raw.decode("utf-8", errors="replace")
        username, sep, password = decoded.partition(":")
        if not sep:
            raise _unauthenticated("invalid basic authentication header value", version)
        user = self.users.get(username)
        if user is None or not user.enabled or user.password != password:
            raise _unauthenticated(
                f"unable to authenticate user [{username}] for REST request [{uri}]", version
            )
        return Subject(user, "realm")

    def _api_key(self, credential: str, version: EsVersion) -> Subject:
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII text
            decoded = ""
        key_id, sep, secret = decoded.partition(":")
        key = self.api_keys.get(key_id) if sep else None
        if key is None:
            unsuccessful = f"API key: unable to find apikey with id {key_id}"
        elif key.secret != secret:
            unsuccessful = f"API key: invalid credentials for API key [{key_id}]"
        elif key.expired:
            unsuccessful = "API key: api key is expired"
        else:
            return Subject(self.users[key.owner], "api_key", key)
        raise _unauthenticated(_ANONYMOUS_NOT_ALLOWED, version, unsuccessful=unsuccessful)

    # -- authorization -------------------------------------------------------------------------

    def authorize(
        self,
        subject: Subject,
        action: str,
        version: EsVersion,
        indices: Sequence[str] = (),
    ) -> None:
        """Nothing if `subject` may run `action` (on `indices`), else the 403 `security_exception`.

        As `RBACEngine.authorizeIndexAction`: first whether any role grants the action at all,
        then each named index (wildcard expressions resolve to the permitted indices only, so
        they are never denied here).
        """
        effective = [self.roles[r] for r in subject.user.roles if r in self.roles]
        layers = [effective]
        if subject.api_key is not None and subject.api_key.role_descriptors is not None:
            layers.append(list(subject.api_key.role_descriptors))
        if not all(any(role.grants(action) for role in layer) for layer in layers):
            raise SecurityError(_denial(subject, effective, action, version), status=403)
        if privileges.is_cluster_action(action):
            return
        denied = [
            index
            for index in indices
            if "*" not in index
            and not all(
                privileges.index_grants_on(
                    ((g.names, g.privileges) for role in layer for g in role.indices), action, index
                )
                for layer in layers
            )
        ]
        if denied:
            context = f"on indices [{','.join(denied)}]"
            raise SecurityError(_denial(subject, effective, action, version, context), status=403)


def _unauthenticated(
    message: str,
    version: EsVersion,
    *,
    unsuccessful: str | None = None,
    caused_by: EsError | None = None,
) -> SecurityError:
    basic = (
        'Basic realm="security", charset="UTF-8"'
        if version.has("www_authenticate_comma")
        else 'Basic realm="security" charset="UTF-8"'
    )
    metadata = {"additional_unsuccessful_credentials": unsuccessful} if unsuccessful else None
    return SecurityError(
        message,
        status=401,
        caused_by=caused_by,
        metadata=metadata,
        headers={"WWW-Authenticate": [basic, 'Bearer realm="security"', "ApiKey"]},
    )


def _denial(
    subject: Subject,
    effective: Sequence[Role],
    action: str,
    version: EsVersion,
    context: str | None = None,
) -> str:
    user = subject.user
    if subject.api_key is not None:
        who = f"API key id [{subject.api_key.id}] of user [{user.username}]"
    elif version.has("effective_roles"):
        names = sorted(role.name for role in effective)
        who = f"user [{user.username}] with effective roles [{','.join(names)}]"
        missing = sorted(set(user.roles) - set(names))
        if missing:
            who += f" (assigned roles [{','.join(missing)}] were not found)"
    else:
        who = f"user [{user.username}] with roles [{','.join(user.roles)}]"
    message = f"action [{action}] is unauthorized for {who}"
    if context is not None:
        message += f" {context}"
    if privileges.is_cluster_action(action):
        granted = privileges.granting_cluster_privileges(action)
        kind = "cluster"
    else:
        granted = privileges.granting_index_privileges(action)
        kind = "index"
    if granted:
        message += f", this action is granted by the {kind} privileges [{','.join(granted)}]"
    return message


_BASE64_ALPHABET: Final = {
    c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}


def _java_base64_decode(text: str) -> bytes:
    """`Base64.getDecoder().decode(text)` of the JDK: its leniencies and its messages.

    Padding may be left out, but a wrong `=` or anything after the padding is refused; a
    refusal is the JDK's `IllegalArgumentException`, which becomes the 401's `caused_by`.
    """
    # `decode(String)` reads the text as ISO-8859-1 (other characters become `?`)
    src = text.encode("latin-1", errors="replace")
    if len(src) == 0:
        return b""
    if len(src) < 2:
        raise IllegalArgumentError("Input byte[] should at least have 2 bytes for base64 bytes")
    out = bytearray()
    bits, shift, pos = 0, 18, 0
    while pos < len(src):
        byte = src[pos]
        pos += 1
        value = _BASE64_ALPHABET.get(byte)
        if value is None:
            if byte == ord("="):
                # `=` is the end: only as the 3rd and 4th, or the 4th, of a unit
                if shift == 18 or (
                    shift == 6 and (pos == len(src) or src[(pos := pos + 1) - 1] != ord("="))
                ):
                    raise IllegalArgumentError("Input byte array has wrong 4-byte ending unit")
                break
            signed = byte - 256 if byte > 127 else byte  # Java's `byte` is signed
            raise IllegalArgumentError(f"Illegal base64 character {_java_hex(signed)}")
        bits |= value << shift
        shift -= 6
        if shift < 0:
            out += bytes(((bits >> 16) & 0xFF, (bits >> 8) & 0xFF, bits & 0xFF))
            bits, shift = 0, 18
    if shift == 6:
        out.append((bits >> 16) & 0xFF)
    elif shift == 0:
        out += bytes(((bits >> 16) & 0xFF, (bits >> 8) & 0xFF))
    elif shift == 12:
        raise IllegalArgumentError("Last unit does not have enough valid bits")
    if pos < len(src):
        raise IllegalArgumentError(f"Input byte array has incorrect ending byte at {pos}")
    return bytes(out)


def _java_hex(value: int) -> str:
    """`Integer.toString(value, 16)`: lower-case, a minus sign for negatives."""
    return f"-{-value:x}" if value < 0 else f"{value:x}"
