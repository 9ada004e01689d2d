#!/usr/bin/env bash
# Makes a private cluster CA and one certificate per node, for a local cluster's mutual TLS.
#
#   scripts/cluster-certs.sh DIR NODE [NODE...]
#   scripts/cluster-certs.sh DIR console NAME [NAME...]
#
# Writes DIR/cluster-ca.crt (every node's cluster.cafile), DIR/cluster-ca.key (keep it off the
# nodes) and DIR/NODE.crt + DIR/NODE.key for each NODE (its cluster.certificate and
# cluster.key). ECDSA P-256, nodes valid 825 days. An existing CA in DIR is reused, so more
# nodes can be added later; running it into another DIR makes an unrelated CA, whose
# certificates the first cluster refuses.
#
# The console mode makes operator console certificates (DIR/NAME.crt + DIR/NAME.key, client
# use only, CN "console:NAME") of the same CA: `frontdesk console` presents one on its [cluster]
# certificate and key. A console still logs in with a staff token on top of it.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 DIR NODE [NODE...] | $0 DIR console NAME [NAME...]" >&2
  exit 2
fi
dir=$1
shift
usage=serverAuth,clientAuth
prefix=
if [ "$1" = console ]; then
  shift
  [ $# -ge 1 ] || { echo "usage: $0 DIR console NAME [NAME...]" >&2; exit 2; }
  usage=clientAuth
  prefix=console:
fi
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/cluster-ca.crt" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/cluster-ca.key" -out "$dir/cluster-ca.crt" -days 3650 \
    -subj "/CN=frontdesk cluster CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>/dev/null
fi
ext=$(mktemp)
trap 'rm -f "$ext"' EXIT
for node in "$@"; do
  case "$node" in *[!A-Za-z0-9._-]*|"") echo "bad node name '$node'" >&2; exit 2 ;; esac
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=DNS:%s\n' \
    "$usage" "$node" >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$node.key" -out "$dir/$node.csr" -subj "/CN=$prefix$node" 2>/dev/null
  openssl x509 -req -in "$dir/$node.csr" -CA "$dir/cluster-ca.crt" -CAkey "$dir/cluster-ca.key" \
    -CAcreateserial -days 825 -out "$dir/$node.crt" -extfile "$ext" 2>/dev/null
  rm -f "$dir/$node.csr"
done
chmod 644 "$dir"/*.crt
echo "cluster CA and ${prefix:+console }certificates for: $* in $dir" >&2
