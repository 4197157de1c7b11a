#!/usr/bin/env python3
# qmp.py: a minimal QMP client, for scripts/e2e.sh.
#
#   qmp.py SOCKET COMMAND [JSON-ARGUMENTS]
#
# runs one QMP command on the QEMU behind the UNIX socket SOCKET and prints
# its return value as JSON; exits 1 (with QEMU's error on stderr) if QEMU
# refuses it.  The Qmp class is shared with qmp-migrate.py.  The socket's
# timeout only catches a QEMU that hangs.
import json
import socket
import sys


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.settimeout(600)
        self.buf = b''
        self.events = []
        self.recv()                     # greeting
        self.cmd('qmp_capabilities')

    def recv(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP connection closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            rsp = self.recv()
            if 'event' in rsp:
                self.events.append(rsp)
                continue
            if 'error' in rsp:
                raise RuntimeError('%s: %s' % (name, rsp['error']['desc']))
            return rsp['return']

    def event(self, name):
        """The next event NAME, from those already read or the socket."""
        while True:
            while self.events:
                ev = self.events.pop(0)
                if ev['event'] == name:
                    return ev
            self.events.append(self.recv())


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit('usage: qmp.py SOCKET COMMAND [JSON-ARGUMENTS]')
    args = json.loads(sys.argv[3]) if len(sys.argv) == 4 else {}
    try:
        ret = Qmp(sys.argv[1]).cmd(sys.argv[2], **args)
    except (OSError, EOFError, RuntimeError) as e:
        sys.exit(str(e))
    print(json.dumps(ret))


if __name__ == '__main__':
    main()
