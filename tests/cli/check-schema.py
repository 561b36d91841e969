#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The published JSON Schema of bootstrap-cli's JSON lines
(docs/proctrace-events.schema.json) against the field table it prints
from (fields.c, as dump-fields prints it): every key of every event type,
its JSON type, whether it is optional.  A key added to the table without
the schema fails here.

Usage: check-schema.py DUMP_FIELDS SCHEMA        check
       check-schema.py DUMP_FIELDS SCHEMA --write write SCHEMA anew (keeps
                                                 its version)
Exit status: 0 the same, 1 not.
"""

import json
import subprocess
import sys

import jsonschema

# The lost record (format.c, format_json_lost()): not from the table.
LOST = {"timestamp_ns": "u64", "count": "u64", "ring_full": "u64",
        "other": "u64", "malformed": "u64"}


def json_type(kind):
    if kind == "u32":
        return {"type": "integer", "minimum": 0, "maximum": 2**32 - 1}
    if kind == "i32":
        return {"type": "integer", "minimum": -2**31, "maximum": 2**31 - 1}
    if kind == "u64":
        return {"type": "integer", "minimum": 0, "maximum": 2**64 - 1}
    if kind == "string":
        return {"type": "string"}
    if kind == "argv":
        return {"type": "array", "items": {"type": "string"}}
    if kind == "flag":
        return {"type": "boolean"}
    raise ValueError(kind)


def expected(table, version):
    defs = {}
    for t in table["types"]:
        props, required = {}, []
        for f in table["fields"]:
            if t not in f["on"]:
                continue
            props[f["key"]] = ({"const": t} if f["kind"] == "type"
                               else json_type(f["kind"]))
            if t not in f["if_set"]:
                required.append(f["key"])
        defs[t] = {"type": "object", "properties": props, "required": required,
                   "additionalProperties": False}
    props = {"type": {"const": "lost"}}
    props.update({k: json_type(v) for k, v in LOST.items()})
    defs["lost"] = {"type": "object", "properties": props, "required": list(props),
                    "additionalProperties": False}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:libproctrace:bootstrap-cli:events:" + version,
        "title": "bootstrap-cli --json: one event per line",
        "description": "Version MAJOR.MINOR.PATCH: MINOR grows when a key or an "
                       "event type is added, MAJOR if one ever changed its meaning "
                       "or went away (never so far).  Generated from the field "
                       "table (tests/cli/check-schema.py --write); see "
                       "bootstrap-cli(8), JSON OUTPUT.",
        "version": version,
        "oneOf": [{"$ref": "#/$defs/" + t} for t in defs],
        "$defs": defs,
    }


def main():
    dump, path = sys.argv[1], sys.argv[2]
    table = json.loads(subprocess.run([dump], capture_output=True, check=True).stdout)
    with open(path) as f:
        published = json.load(f)
    want = expected(table, published["version"])
    jsonschema.Draft202012Validator.check_schema(published)
    if len(sys.argv) > 3 and sys.argv[3] == "--write":
        with open(path, "w") as f:
            json.dump(want, f, indent=2)
            f.write("\n")
        return 0
    if published != want:
        print("%s does not describe the field table: regenerate it with\n"
              "  tests/cli/check-schema.py build/tests/cli/dump-fields %s --write\n"
              "and raise its version (a new key: MINOR)." % (path, path))
        for t in set(want["$defs"]) | set(published["$defs"]):
            a, b = want["$defs"].get(t), published["$defs"].get(t)
            if a != b:
                print("type %s: table %s\n         schema %s" % (t, a, b))
        return 1
    print("schema %s matches the %d keys of the field table" %
          (published["version"], len(table["fields"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
