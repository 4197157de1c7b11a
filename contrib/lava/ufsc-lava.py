#!/usr/bin/python3
"""ufsc-lava.py: fill in the ufs-crypto LAVA templates and read lava-run's log.

  ufsc-lava.py render-job TEMPLATE [KEY=VALUE ...]
      Render a job template of contrib/lava/jobs/ (Jinja2; a variable the
      template needs and that has no default is an error) and check the
      result against lava_common's job schema, strictly, as lava-server
      does when a job is submitted.  Prints the job definition.

  ufsc-lava.py render-device DICTIONARY --job JOB --device-types DIR [KEY=VALUE ...]
      Render a device dictionary into the device configuration that
      lava-run reads (its --device), the way lava-server does it for a job:
      the dictionary extends a device-type template found in DIR (lava-server's
      /usr/share/lava-server/device-types, or a copy), and is rendered with
      the job's context (plus the KEY=VALUE given) as its variables.

  ufsc-lava.py results LOG
      Read the log that lava-run writes on stderr when it has no server
      (one YAML record a line) and print, one item a line, tab-separated:
        case DEFINITION CASE RESULT TEST_CASE_ID   each test case LAVA recorded
        action NAME RESULT DURATION LABEL          each action's own result ("lava" suite;
                                                   LABEL: the image of a download, else -)
        job RESULT ERROR_TYPE ERROR_MSG            the job's result (lava/job)
        console RESULT NAME                        each UFSC-RESULT/UFSC-VERDICT line of
                                                   the guest's console, as LAVA logged it
        summary PASSED FAILED SKIPPED              the guest's own UFSC-SUMMARY counts
        boot-command COMMAND                       the QEMU command line LAVA ran
        duration SECONDS                           first to last record of the log
"""
import datetime
import os
import re
import sys

import yaml


def kv_args(args):
    out = {}
    for a in args:
        if "=" not in a:
            sys.exit("ufsc-lava.py: expected KEY=VALUE, got %r" % a)
        k, v = a.split("=", 1)
        out[k] = v
    return out


def render_job(template, args):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.dirname(os.path.abspath(template))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    try:
        text = env.get_template(os.path.basename(template)).render(**kv_args(args))
    except jinja2.UndefinedError as exc:
        sys.exit("ufsc-lava.py: %s: %s (pass it as KEY=VALUE)" % (template, exc))
    data = yaml.safe_load(text)
    try:
        from lava_common.schemas import validate
    except ImportError:
        print("ufsc-lava.py: lava_common not installed: job not checked against LAVA's schema",
              file=sys.stderr)
    else:
        from voluptuous import Invalid

        try:
            validate(data, strict=True)
        except Invalid as exc:
            sys.exit("ufsc-lava.py: %s: the job fails LAVA's schema: %s" % (template, exc))
    sys.stdout.write(text)


def render_device(dictionary, job, type_dirs, args):
    # lava_scheduler_app/environment.py and lava_server/files.py: a
    # sandboxed environment over the devices directory then the device-type
    # directories, trim_blocks, no autoescape; Device.load_configuration()
    # renders the dictionary with the job's context.
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(
            [os.path.dirname(os.path.abspath(dictionary))] + type_dirs),
        autoescape=False,
        trim_blocks=True,
    )
    with open(job, encoding="utf-8") as f:
        ctx = dict(yaml.safe_load(f).get("context") or {})
    ctx.update(kv_args(args))
    text = env.get_template(os.path.basename(dictionary)).render(**ctx)
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or "actions" not in data:
        sys.exit("ufsc-lava.py: %s rendered into no device configuration" % dictionary)
    sys.stdout.write(text)


def clean(s):
    return re.sub(r"[\t\r\n]+", " ", str(s))


def results(log):
    try:
        loader = yaml.CSafeLoader
    except AttributeError:
        loader = yaml.SafeLoader
    first = last = None
    out = []
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith('{"dt": '):
                continue
            try:
                rec = yaml.load(line, Loader=loader)
            except yaml.YAMLError:
                continue
            dt = datetime.datetime.fromisoformat(rec["dt"])
            first = first or dt
            last = dt
            lvl, msg = rec.get("lvl"), rec.get("msg")
            if lvl == "results" and isinstance(msg, dict):
                d, c = msg.get("definition"), msg.get("case")
                if d == "lava" and c == "job":
                    out.append(("job", msg.get("result"), msg.get("error_type") or "-",
                                clean(msg.get("error_msg") or "-")))
                elif d == "lava":
                    out.append(("action", c, msg.get("result"), msg.get("duration", "-"),
                                (msg.get("extra") or {}).get("label", "-")))
                else:
                    tcid = (msg.get("extra") or {}).get("test_case_id", c)
                    out.append(("case", d, c, msg.get("result"), tcid))
            elif lvl == "target" and isinstance(msg, str):
                # ShellLogger escapes double quotes; the names have none.
                m = re.match(r"UFSC-RESULT (ok|fail|skip) (\S+)", msg)
                if m:
                    out.append(("console", m.group(1), m.group(2)))
                m = re.match(r"UFSC-VERDICT (PASS|FAIL)\b", msg)
                if m:
                    out.append(("console", m.group(1), "VERDICT"))
                m = re.match(r"UFSC-SUMMARY passed=(\d+) failed=(\d+) skipped=(\d+)", msg)
                if m:
                    out.append(("summary",) + m.groups())
            elif lvl == "info" and isinstance(msg, str) and msg.startswith("Boot command: "):
                out.append(("boot-command", clean(msg[len("Boot command: "):])))
    if first is not None:
        out.append(("duration", "%.1f" % (last - first).total_seconds()))
    for row in out:
        print("\t".join(str(x) for x in row))


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    cmd = argv[1]
    if cmd == "render-job" and len(argv) >= 3:
        render_job(argv[2], argv[3:])
    elif cmd == "render-device" and len(argv) >= 3:
        rest, job, dirs = [], None, []
        i = 3
        while i < len(argv):
            if argv[i] == "--job" and i + 1 < len(argv):
                job = argv[i + 1]
                i += 2
            elif argv[i] == "--device-types" and i + 1 < len(argv):
                dirs.append(argv[i + 1])
                i += 2
            else:
                rest.append(argv[i])
                i += 1
        if job is None or not dirs:
            sys.exit("usage: ufsc-lava.py render-device DICTIONARY --job JOB --device-types DIR [KEY=VALUE ...]")
        render_device(argv[2], job, dirs, rest)
    elif cmd == "results" and len(argv) == 3:
        results(argv[2])
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
