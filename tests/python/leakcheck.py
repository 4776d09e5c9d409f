"""Fail on a leak in the Python binding: run leak_loop.py (create and free
every kind of object) for a few and for many iterations under LeakSanitizer
or valgrind, and require the leaked bytes not to grow with the iterations.
(The interpreter's own unfreed memory at exit is the same for both runs, so
only a leak per iteration shows as growth.) The same check then runs the
loop in its --leak mode, which drops one incident per iteration, and must
see the growth: the check is proven able to fail.

usage: leakcheck.py asan PRELOAD_LIBS | valgrind VALGRIND
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
LOOP = os.path.join(HERE, "leak_loop.py")


def leaked_asan(preload, n, leak):
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, LD_PRELOAD=preload, PYTHONMALLOC="malloc",
                   ASAN_OPTIONS="detect_leaks=1:log_path=%s/lsan:exitcode=0" % d)
        args = [sys.executable, LOOP, str(n)] + (["--leak"] if leak else [])
        p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out, _ = p.communicate()
        if p.returncode != 0 or "loop done" not in out:
            sys.exit("leak loop failed (rc %d):\n%s" % (p.returncode, out))
        path = os.path.join(d, "lsan.%d" % p.pid)
        if not os.path.exists(path):
            return 0, ""
        report = open(path).read()
        m = re.search(r"SUMMARY: AddressSanitizer: (\d+) byte\(s\) leaked", report)
        if not m:
            sys.exit("sanitizer report without a leak summary:\n" + report[-4000:])
        return int(m.group(1)), report


def leaked_valgrind(valgrind, n, leak):
    env = dict(os.environ, PYTHONMALLOC="malloc")
    args = [valgrind, "--leak-check=full", "--show-leak-kinds=definite", "--child-silent-after-fork=yes",
            sys.executable, LOOP, str(n)] + (["--leak"] if leak else [])
    p = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0 or "loop done" not in p.stdout:
        sys.exit("leak loop failed under valgrind (rc %d):\n%s" % (p.returncode, p.stdout[-4000:]))
    m = re.search(r"definitely lost: ([\d,]+) bytes", p.stdout)
    return (int(m.group(1).replace(",", "")) if m else 0), p.stdout


def main():
    mode, tool = sys.argv[1], sys.argv[2]
    measure = leaked_asan if mode == "asan" else leaked_valgrind
    few, many = (2, 10) if mode == "asan" else (1, 4)
    a, _ = measure(tool, few, False)
    b, report = measure(tool, many, False)
    print("leaked bytes: %d after %d iterations, %d after %d" % (a, few, b, many))
    if b > a:
        print(report[-6000:])
        sys.exit("FAIL: memory leaked per iteration (%d -> %d bytes)" % (a, b))
    la, _ = measure(tool, few, True)
    lb, _ = measure(tool, many, True)
    print("self-check with a deliberate leak: %d -> %d bytes" % (la, lb))
    if lb <= la:
        sys.exit("FAIL: the check did not see a deliberate leak")
    print("ok: no leak per iteration")


if __name__ == "__main__":
    main()
