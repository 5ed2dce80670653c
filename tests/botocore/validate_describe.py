#!/usr/bin/env python3
"""Validates `spotsim describe` output against botocore's own service model.

Usage: validate_describe.py FILE.json [FILE.json ...]   (or "-" for stdin)

Each document must be a valid `DescribeTrainingJobResponse` of the `sagemaker` service model
that ships with the installed botocore (a JSON array — the two jobs of a spot-then-on-demand
trial that fell back — must hold valid responses only):

* botocore.validate.ParamValidator checks the structure against the output shape: required
  members, unknown members, types (string, integer/long, boolean, list, structure), string
  lengths and numeric ranges. Timestamps: ParamValidator accepts a datetime or any string that
  botocore.utils.parse_to_aware_datetime parses; we convert every timestamp member to a
  timezone-aware datetime first (what boto3 hands to its users after parsing a response) and
  fail on any timestamp string that does not parse as ISO-8601, so a malformed time is an error
  either way.
* ParamValidator does not check enums or patterns, so this script walks the shape itself and
  checks every enum member (TrainingJobStatus, SecondaryStatus, each transition's Status, …)
  against the model's enum list, and every string against the model's `pattern` when it has one.

Exit status 0 when every document validates, 1 otherwise (each problem printed).
"""
import json
import re
import sys

import botocore.session
from botocore.utils import parse_to_aware_datetime
from botocore.validate import ParamValidator


def load_shape():
    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model("DescribeTrainingJob").output_shape


def convert_and_check(value, shape, path, problems):
    """Converts timestamps to datetimes; checks enums and patterns (what ParamValidator skips)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        out = {}
        for key, item in value.items():
            member = shape.members.get(key)
            out[key] = item if member is None else convert_and_check(
                item, member, f"{path}.{key}", problems)
        return out
    if kind == "list" and isinstance(value, list):
        return [convert_and_check(item, shape.member, f"{path}[{i}]", problems)
                for i, item in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        return {k: convert_and_check(v, shape.value, f"{path}.{k}", problems)
                for k, v in value.items()}
    if kind == "timestamp":
        if not isinstance(value, str):
            problems.append(f"{path}: expected an ISO-8601 timestamp string, got {value!r}")
            return value
        try:
            return parse_to_aware_datetime(value)
        except (TypeError, ValueError) as error:
            problems.append(f"{path}: not a timestamp: {value!r} ({error})")
            return value
    if kind == "string" and isinstance(value, str):
        enum = shape.enum
        if enum and value not in enum:
            problems.append(f"{path}: {value!r} is not one of {sorted(enum)}")
        pattern = shape.metadata.get("pattern")
        if pattern:
            try:
                matched = re.match(pattern, value) is not None
            except re.error:
                matched = True  # a Java-only construct Python cannot compile: not checked
            if not matched:
                problems.append(f"{path}: {value!r} does not match the pattern {pattern!r}")
    return value


def validate(document, shape):
    problems = []
    if not isinstance(document, dict):
        return [f"expected a JSON object, got {type(document).__name__}"]
    converted = convert_and_check(document, shape, "DescribeTrainingJobResponse", problems)
    report = ParamValidator().validate(converted, shape)
    if report.has_errors():
        problems.append(report.generate_report())
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    shape = load_shape()
    failed = 0
    for name in argv[1:]:
        text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
        document = json.loads(text)
        # A spot-then-on-demand trial that fell back describes its two jobs as a JSON array.
        documents = document if isinstance(document, list) and document else [document]
        problems = [f"job {i}: {p}" if len(documents) > 1 else p
                    for i, one in enumerate(documents) for p in validate(one, shape)]
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"ok   {name}")
    import botocore
    print(f"{len(argv) - 1 - failed}/{len(argv) - 1} documents valid "
          f"(botocore {botocore.__version__}, {shape.name})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
