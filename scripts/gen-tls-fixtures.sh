#!/usr/bin/env bash
# Regenerates the TLS test certificates in fixtures/tls (test use only; keys are public).
# A CA, a server certificate it signs (localhost, example.test, *.example.test, he.test,
# *.he.test, 127.0.0.1, ::1; Node refuses two-label wildcards such as *.test) and a
# self-signed certificate with the same names that no client trusts.
set -euo pipefail
dir="$(dirname "$0")/../fixtures/tls"
mkdir -p "$dir" && cd "$dir"
days=36500
san="subjectAltName=DNS:localhost,DNS:example.test,DNS:*.example.test,DNS:he.test,DNS:*.he.test,IP:127.0.0.1,IP:::1"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
  -subj "/CN=happy-eyeballs test CA" -keyout ca-key.pem -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=localhost" -keyout server-key.pem -out server.csr
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days "$days" \
  -extfile <(printf '%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san") -out server.pem
rm -f server.csr ca.srl

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
  -subj "/CN=localhost" -keyout self-signed-key.pem -out self-signed.pem -addext "$san"
