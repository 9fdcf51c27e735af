#!/usr/bin/env python3
"""glibc's getaddrinfo, for the differential suite (test/glibc/).

Usage: probe.py '<json list of {"host", "family": 0|4|6, "flags": ["ADDRCONFIG", ...]}>'
Prints one JSON object: {"results": [{"addresses": [[family, address], ...]} or
{"error": "EAI_NONAME", "errno": -2}, ...]}.

Outside its private namespace getaddrinfo would ask the machine's real nameserver, so the
probe refuses to run (exit 3) unless all of these hold:
- /etc/resolv.conf carries the sentinel line the harness writes into its bind-mounted copy;
- every nameserver that file names is a loopback address;
- its mount and network namespaces differ from PID 1's (or, where /proc/1 is unreadable,
  from those the harness saw outside, passed in HE_OUTER_NS as "mnt:[..] net:[..]").
"""
import ipaddress
import json
import os
import socket
import sys

SENTINEL = '# he-glibc-differential: private namespace, loopback servers only'
FAMILIES = {0: socket.AF_UNSPEC, 4: socket.AF_INET, 6: socket.AF_INET6}
FLAGS = {'ADDRCONFIG': socket.AI_ADDRCONFIG, 'V4MAPPED': socket.AI_V4MAPPED, 'ALL': socket.AI_ALL}
EAI_NAMES = {getattr(socket, n): n for n in dir(socket) if n.startswith('EAI_')}


def refuse(why):
    print(json.dumps({'refused': why}))
    sys.exit(3)


def loopback(text):
    try:
        ip = ipaddress.ip_address(text.split('%')[0])
    except ValueError:
        return False
    mapped = getattr(ip, 'ipv4_mapped', None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def check_namespace():
    try:
        with open('/etc/resolv.conf', encoding='utf-8', errors='replace') as f:
            lines = f.read().splitlines()
    except OSError as e:
        refuse(f'cannot read /etc/resolv.conf: {e}')
    if SENTINEL not in lines:
        refuse('/etc/resolv.conf has no sentinel line: not the private namespace')
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == 'nameserver' and not loopback(fields[1]):
            refuse(f'nameserver {fields[1]} is not a loopback address')
    outer = dict(item.split(':', 1) for item in os.environ.get('HE_OUTER_NS', '').split() if ':' in item)
    for kind in ('mnt', 'net'):
        own = os.readlink(f'/proc/self/ns/{kind}')
        try:
            first = os.readlink(f'/proc/1/ns/{kind}')
        except OSError:
            first = None
        seen = [ns for ns in (first, f'{kind}:{outer[kind]}' if kind in outer else None) if ns]
        if not seen:
            refuse(f'cannot tell whether the {kind} namespace is private')
        if own in seen:
            refuse(f'the {kind} namespace is not private')


def probe(request):
    host = request['host'].encode('ascii')  # bytes: no IDNA step, the name reaches glibc as given
    flags = 0
    for name in request.get('flags', []):
        flags |= FLAGS[name]
    try:
        infos = socket.getaddrinfo(host, None, FAMILIES[request.get('family', 0)], socket.SOCK_STREAM, 0, flags)
    except socket.gaierror as e:
        return {'error': EAI_NAMES.get(e.errno, str(e.errno)), 'errno': e.errno}
    addresses = []
    for family, _type, _proto, _canon, sockaddr in infos:
        addresses.append([6 if family == socket.AF_INET6 else 4, sockaddr[0]])
    return {'addresses': addresses}


def main():
    check_namespace()
    requests = json.loads(sys.argv[1])
    print(json.dumps({'results': [probe(r) for r in requests]}))


if __name__ == '__main__':
    main()
