#!/usr/bin/env python3
"""Runs the black-box API suite and prints a summary.

  python3 tests/api/run.py [-v] [-k PATTERN] [test_module ...]

Environment: TALA_BIN (default build/tala), TALA_TEST_DB (sqlite | postgres),
TALA_PG_ADMIN_URL (postgres only; see scripts/pg-test-server.sh), TALA_FUZZ_SEED.
The same suite runs with `python3 -m unittest discover -s tests/api -t .`.
"""
import argparse
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only tests whose name contains this (repeatable)")
    ap.add_argument("modules", nargs="*", help="test modules, e.g. test_org")
    args = ap.parse_args()

    if not os.access(harness.tala_bin(), os.X_OK):
        print("api: %s is not an executable (build it, or set TALA_BIN)" % harness.tala_bin(),
              file=sys.stderr)
        return 2
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*%s*" % p for p in args.patterns]
    if args.modules:
        suite = loader.loadTestsFromNames([m[:-3] if m.endswith(".py") else m
                                           for m in args.modules])
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    harness.ATEXIT_SUMMARY = False  # this script prints its own
    t0 = time.monotonic()
    result = unittest.TextTestRunner(verbosity=2 if args.verbose else 1).run(suite)
    elapsed = time.monotonic() - t0

    print("\nper class (server start to stop):")
    for name, secs in sorted(harness.timings(), key=lambda t: -t[1]):
        print("  %6.2fs  %s" % (secs, name))
    bad_tests = [t for t, _ in result.failures + result.errors +
                 [(u, None) for u in result.unexpectedSuccesses]
                 if isinstance(t, unittest.TestCase)]
    fixtures = [t for t, _ in result.errors if not isinstance(t, unittest.TestCase)]
    passed = result.testsRun - len(bad_tests) - len(result.skipped)
    print("\napi (%s, %s): %d passed, %d failed, %d skipped, %d class set-up/tear-down "
          "errors, in %.1fs" % (harness.backend(), harness.tala_bin(), passed, len(bad_tests),
                                len(result.skipped), len(fixtures), elapsed))
    for test in bad_tests:
        print("  FAILED %s" % test.id())
    for holder in fixtures:
        print("  ERROR  %s" % holder.description)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
