#!/usr/bin/python3
# junit-check.py FILE PASSED FAILED SKIPPED: read the JUnit XML FILE with
# junitparser (Debian's python3-junitparser, a consumer this project does
# not write) and check that it holds exactly PASSED passed, FAILED failed
# and SKIPPED skipped test cases, that the suites' counts agree with their
# cases, and that every failure carries a message.  Used by run_e2e
# (scripts/lib.sh) on each end-to-end run's --junit output.  Exits 0 if
# all holds, else prints what does not.
import sys

from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite


def main():
    if len(sys.argv) != 5:
        sys.exit('usage: junit-check.py FILE PASSED FAILED SKIPPED')
    want = dict(zip(('passed', 'failed', 'skipped'),
                    (int(a) for a in sys.argv[2:5])))
    xml = JUnitXml.fromfile(sys.argv[1])
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    got = {'passed': 0, 'failed': 0, 'skipped': 0}
    problems = []
    for suite in suites:
        n = {'tests': 0, 'failures': 0, 'skipped': 0}
        for case in suite:
            n['tests'] += 1
            results = case.result
            if not isinstance(results, list):      # junitparser 1.x
                results = [results] if results else []
            if any(isinstance(r, (Failure, Error)) for r in results):
                got['failed'] += 1
                n['failures'] += 1
                if not all(r.message for r in results):
                    problems.append('%s %s: a failure without a message'
                                    % (case.classname, case.name))
            elif any(isinstance(r, Skipped) for r in results):
                got['skipped'] += 1
                n['skipped'] += 1
            else:
                got['passed'] += 1
        for key in n:
            if getattr(suite, key) != n[key]:
                problems.append('suite %s: %s=%s, its cases say %d'
                                % (suite.name, key, getattr(suite, key),
                                   n[key]))
    if got != want:
        problems.append('cases: %s, want %s' % (got, want))
    for p in problems:
        print('junit-check: %s: %s' % (sys.argv[1], p))
    if problems:
        sys.exit(1)
    print('junit-check: %s: %d passed, %d failed, %d skipped, as expected'
          % (sys.argv[1], got['passed'], got['failed'], got['skipped']))


if __name__ == '__main__':
    main()
