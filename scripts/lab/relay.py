#!/usr/bin/env python3
"""The lab's network path: a user-space relay between two TUN devices.

tc netem is not in this kernel, so the path is made here: every packet read from one
TUN device is written to the other after its family's one-way delay. Per family it can
also drop a share of packets (loss), drop TCP SYNs (a black hole) or answer IPv6 SYNs
with ICMPv6 Destination Unreachable; DNS answers to AAAA questions can be held longer
(an AAAA answer that comes late). Settings change at run time over a UDP socket on
127.0.0.1 (JSON in, JSON out), so one lab run can go through every scenario.

Stdlib only. Needs root (/dev/net/tun). Started by scripts/lab/netns.ts:

  relay.py --client-dev D --client-ns NS --server-dev D --server-ns NS --ready FILE

It opens both devices in the root namespace, moves each into its namespace (the file
descriptors stay valid), writes {"pid", "port"} to FILE and serves until SIGTERM. The
devices are not persistent: they vanish when this process ends, however it ends.
"""
import argparse
import fcntl
import heapq
import json
import os
import random
import select
import signal
import socket
import struct
import subprocess
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
TCP, UDP, ICMPV6 = 6, 17, 58
SYN, ACK = 0x02, 0x10
QTYPE_A = 1
QTYPE_AAAA = 28
# RFC 4443 §2.4 (c): an ICMPv6 error carries as much of the packet as fits in 1280 bytes.
ICMPV6_MAX = 1280


def default_family():
    return {"delay": 0.0, "loss": 0.0, "syn": "pass", "icmp_code": 0}


def default_config():
    return {"v4": default_family(), "v6": default_family(), "aaaa_delay": 0.0, "a_delay": 0.0}


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def move_to_namespace(dev, ns):
    subprocess.run(["ip", "link", "set", "dev", dev, "netns", ns], check=True, timeout=10)


def transport(pkt):
    """(family, protocol, offset of the transport header) or None for what is not IP."""
    version = pkt[0] >> 4 if pkt else 0
    if version == 4 and len(pkt) >= 20:
        return 4, pkt[9], (pkt[0] & 0x0F) * 4
    if version == 6 and len(pkt) >= 40:
        # Linux puts no extension headers on TCP or UDP it sends itself.
        return 6, pkt[6], 40
    return None


def is_syn(proto, off, pkt):
    """A TCP SYN that opens a connection (not the SYN-ACK)."""
    return proto == TCP and len(pkt) >= off + 14 and pkt[off + 13] & (SYN | ACK) == SYN


def dns_qtype(proto, off, pkt):
    """The question type of a DNS message over UDP from port 53, else None."""
    if proto != UDP or len(pkt) < off + 8 + 12 or struct.unpack_from("!H", pkt, off)[0] != 53:
        return None
    dns = off + 8
    if struct.unpack_from("!H", pkt, dns + 4)[0] < 1:
        return None
    i = dns + 12
    for _ in range(128):  # labels of one name, RFC 1035 §3.1; bounded
        if i >= len(pkt):
            return None
        n = pkt[i]
        if n == 0:
            return struct.unpack_from("!H", pkt, i + 1)[0] if i + 3 <= len(pkt) else None
        if n & 0xC0:
            return None  # no compression pointer in a question that is the first name
        i += 1 + n
    return None


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmpv6_unreachable(pkt, code):
    """RFC 4443 §3.1 Destination Unreachable for an IPv6 packet, sent back to its source
    as if from its destination. Checksum over the RFC 8200 §8.1 pseudo-header."""
    src, dst = pkt[8:24], pkt[24:40]
    invoking = pkt[: ICMPV6_MAX - 40 - 8]
    body = struct.pack("!BBHI", 1, code, 0, 0) + invoking
    pseudo = dst + src + struct.pack("!I3xB", len(body), ICMPV6)
    body = body[:2] + struct.pack("!H", checksum(pseudo + body)) + body[4:]
    header = struct.pack("!IHBB", 6 << 28, len(body), ICMPV6, 64) + dst + src
    return header + body


class Relay:
    def __init__(self, client_fd, server_fd, control):
        self.fds = {client_fd: server_fd, server_fd: client_fd}
        self.client_fd = client_fd
        self.control = control
        self.config = default_config()
        self.queue = []  # (due, seq, fd, packet): a heap ordered by due time
        self.seq = 0
        self.stats = {}
        self.running = True

    def count(self, what):
        self.stats[what] = self.stats.get(what, 0) + 1

    def hold(self, fd, pkt, ms):
        self.seq += 1
        heapq.heappush(self.queue, (time.monotonic() + ms / 1000.0, self.seq, fd, pkt))

    def route(self, src_fd, pkt):
        """One packet read from src_fd: drop it, answer it, or hold it for the other side."""
        info = transport(pkt)
        if info is None:
            return self.count("other dropped")
        family, proto, off = info
        cfg = self.config["v%d" % family]
        out_fd = self.fds[src_fd]
        outbound = src_fd == self.client_fd
        if outbound and is_syn(proto, off, pkt) and cfg["syn"] != "pass":
            if cfg["syn"] == "icmp" and family == 6:
                self.count("v6 syn answered icmp")
                return self.hold(src_fd, icmpv6_unreachable(pkt, int(cfg["icmp_code"])), 2 * cfg["delay"])
            return self.count("v%d syn dropped" % family)
        if cfg["loss"] > 0 and random.random() < cfg["loss"]:
            return self.count("v%d lost" % family)
        delay = cfg["delay"]
        qtype = None if outbound else dns_qtype(proto, off, pkt)
        if qtype == QTYPE_AAAA and self.config["aaaa_delay"] > 0:
            delay += self.config["aaaa_delay"]
            self.count("aaaa answers held")
        if qtype == QTYPE_A and self.config["a_delay"] > 0:
            delay += self.config["a_delay"]
            self.count("a answers held")
        self.count("v%d %s" % (family, "out" if outbound else "in"))
        self.hold(out_fd, pkt, delay)

    def release_due(self):
        now = time.monotonic()
        while self.queue and self.queue[0][0] <= now:
            _, _, fd, pkt = heapq.heappop(self.queue)
            try:
                os.write(fd, pkt)
            except OSError:
                self.count("write failed")  # e.g. the device is down during set-up

    def read_all(self, fd):
        for _ in range(64):  # bounded per wake-up so timers stay on time
            try:
                pkt = os.read(fd, 65536)
            except BlockingIOError:
                return
            self.route(fd, pkt)

    def on_control(self):
        try:
            data, peer = self.control.recvfrom(65536)
        except BlockingIOError:
            return
        try:
            reply = self.command(json.loads(data))
        except (ValueError, KeyError, TypeError) as err:
            reply = {"ok": False, "error": str(err)}
        self.control.sendto(json.dumps(reply).encode(), peer)

    def command(self, msg):
        if msg["cmd"] == "set":
            config = default_config()
            for family in ("v4", "v6"):
                config[family].update(msg.get(family, {}))
                if config[family]["syn"] not in ("pass", "drop", "icmp"):
                    raise ValueError("syn must be pass, drop or icmp")
                config[family]["delay"] = float(config[family]["delay"])
                config[family]["loss"] = float(config[family]["loss"])
            config["aaaa_delay"] = float(msg.get("aaaa_delay", 0))
            config["a_delay"] = float(msg.get("a_delay", 0))
            self.config = config
            self.stats = {}
        elif msg["cmd"] == "stats":
            pass
        elif msg["cmd"] == "stop":
            self.running = False
        else:
            raise ValueError("unknown cmd %r" % msg["cmd"])
        return {"ok": True, "config": self.config, "stats": self.stats, "queued": len(self.queue)}

    def serve(self):
        readers = list(self.fds) + [self.control]
        while self.running:
            timeout = max(0.0, self.queue[0][0] - time.monotonic()) if self.queue else 1.0
            # select(), not epoll: its timeout has microsecond, not millisecond, resolution.
            ready, _, _ = select.select(readers, [], [], timeout)
            for r in ready:
                if r is self.control:
                    self.on_control()
                else:
                    self.read_all(r)
            self.release_due()


def main():
    p = argparse.ArgumentParser()
    for side in ("client", "server"):
        p.add_argument("--%s-dev" % side, required=True)
        p.add_argument("--%s-ns" % side, required=True)
    p.add_argument("--ready", required=True, help="file to write {pid, port} to once serving")
    args = p.parse_args()

    def stop(*_):
        raise SystemExit(0)  # at once: select() would otherwise be resumed (PEP 475)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        # Real-time priority: the path's delays should not stretch on a busy machine.
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except (OSError, AttributeError):
        pass
    client_fd = open_tun(args.client_dev)
    server_fd = open_tun(args.server_dev)
    move_to_namespace(args.client_dev, args.client_ns)
    move_to_namespace(args.server_dev, args.server_ns)
    control = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    control.bind(("127.0.0.1", 0))
    control.setblocking(False)
    relay = Relay(client_fd, server_fd, control)
    tmp = args.ready + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"pid": os.getpid(), "port": control.getsockname()[1]}, f)
    os.rename(tmp, args.ready)
    relay.serve()


if __name__ == "__main__":
    main()
