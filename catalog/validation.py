"""Backstage's field rules as pure predicates (``is_valid_*``), one per rule.

Each mirrors ``@backstage/catalog-model``'s ``KubernetesValidatorFunctions`` and
``CommonValidatorFunctions``; the policies in ``catalog/policies.py`` apply them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = [
    "EXPECTED",
    "is_valid_annotation_key",
    "is_valid_annotation_value",
    "is_valid_api_version",
    "is_valid_dns_label",
    "is_valid_dns_subdomain",
    "is_valid_entity_name",
    "is_valid_kind",
    "is_valid_label_key",
    "is_valid_label_value",
    "is_valid_namespace",
    "is_valid_tag",
    "is_valid_url",
]

_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_LABEL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KIND = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*$")
_API_GROUP_VERSION = re.compile(r"^[a-zA-Z0-9]+$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*$")
_TAG = re.compile(r"^[a-z0-9+#]+(?:-[a-z0-9+#]+)*$")

#: What each rule expects, in words, for error messages.
EXPECTED = {
    "name": "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], "
    "at most 63 characters in total",
    "namespace": "a lowercase DNS label: [a-z0-9] separated by [-], at most 63 characters",
    "kind": "a string that is a letter followed by letters and digits, at most 63 characters",
    "apiVersion": "a string of the form [<dns-subdomain>/]<version>, e.g. backstage.io/v1alpha1",
    "label key": "[<dns-subdomain>/]<name>, with the name following the entity-name rule",
    "label value": "an empty string or a string following the entity-name rule",
    "annotation key": "[<dns-subdomain>/]<name>, with the name following the entity-name rule",
    "annotation value": "a string",
    "tag": "a string of [a-z0-9+#] separated by [-], at most 63 characters",
    "url": "an absolute URL such as https://example.com/page",
}


def is_valid_entity_name(value: object) -> bool:
    """1-63 characters of ``[A-Za-z0-9]`` separated by ``-``, ``_`` or ``.``."""
    return isinstance(value, str) and 1 <= len(value) <= 63 and bool(_NAME.match(value))


def is_valid_dns_label(value: object) -> bool:
    """A lowercase RFC 1123 DNS label of at most 63 characters."""
    return isinstance(value, str) and 1 <= len(value) <= 63 and bool(_DNS_LABEL.match(value))


def is_valid_dns_subdomain(value: object) -> bool:
    """Dot-separated DNS labels, at most 253 characters."""
    return (
        isinstance(value, str)
        and 1 <= len(value) <= 253
        and all(is_valid_dns_label(part) for part in value.split("."))
    )


def is_valid_namespace(value: object) -> bool:
    """Namespaces are DNS labels."""
    return is_valid_dns_label(value)


def is_valid_kind(value: object) -> bool:
    """A letter, then letters and digits; at most 63 characters."""
    return isinstance(value, str) and 1 <= len(value) <= 63 and bool(_KIND.match(value))


def is_valid_api_version(value: object) -> bool:
    """``[<dns-subdomain>/]<version>`` with an alphanumeric version of at most 63 characters."""
    if not isinstance(value, str):
        return False
    group, sep, version = value.rpartition("/")
    if sep and not is_valid_dns_subdomain(group):
        return False
    return 1 <= len(version) <= 63 and bool(_API_GROUP_VERSION.match(version))


def _is_valid_prefixed_key(value: object) -> bool:
    if not isinstance(value, str):
        return False
    prefix, sep, name = value.rpartition("/")
    if sep and not is_valid_dns_subdomain(prefix):
        return False
    return is_valid_entity_name(name)


def is_valid_label_key(value: object) -> bool:
    """``[prefix/]name`` with a DNS-subdomain prefix."""
    return _is_valid_prefixed_key(value)


def is_valid_label_value(value: object) -> bool:
    """Empty, or a valid entity name."""
    return value == "" or is_valid_entity_name(value)


def is_valid_annotation_key(value: object) -> bool:
    """``[prefix/]name`` with a DNS-subdomain prefix."""
    return _is_valid_prefixed_key(value)


def is_valid_annotation_value(value: object) -> bool:
    """Any string."""
    return isinstance(value, str)


def is_valid_tag(value: object) -> bool:
    """At most 63 characters of ``[a-z0-9+#]`` separated by ``-``."""
    return isinstance(value, str) and 1 <= len(value) <= 63 and bool(_TAG.match(value))


def is_valid_url(value: object) -> bool:
    """A URL with a scheme, as ``new URL(value)`` accepts it."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value.strip()):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    if not parts.scheme or not _SCHEME.match(parts.scheme):
        return False
    return bool(parts.netloc or parts.path)
