"""A message with every kind of field (scalars, 64-bit ints, enums, maps, recursion, nested and
well-known types, doc comments) — shared by the message-schema and the API-output tests."""
from __future__ import annotations

_PROTO = """syntax = "proto3";
package @PACKAGE@;

import "google/protobuf/timestamp.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/duration.proto";

// How urgent something is.
enum Priority {
  PRIORITY_UNSPECIFIED = 0;
  HIGH = 1;
}

// Every kind of field.
message Kinds {
  // A 64-bit count.
  int64 big = 1;
  uint64 ubig = 2;
  int32 small = 3;
  uint32 usmall = 4;
  double ratio = 5;
  float f = 6;
  bool flag = 7;
  bytes blob = 8;
  Priority priority = 9;
  repeated string tags = 10;
  map<string, int64> counts = 11;
  // The parent, if any.
  Kinds parent = 12;
  google.protobuf.Timestamp at = 13;
  google.protobuf.Struct extra = 14;
  google.protobuf.StringValue maybe = 15;
  google.protobuf.Duration took = 16;
  repeated Item items = 17;
  optional string note = 18;
  repeated int64 bigs = 19;

  // A nested message.
  message Item {
    string sku = 1;  // Stock keeping unit.
  }
}
"""


def kinds_proto(package: str) -> str:
    """The ``.proto`` text of ``Kinds`` (and ``Priority``, ``Kinds.Item``) in ``package``."""
    return _PROTO.replace("@PACKAGE@", package)
